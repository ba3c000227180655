/**
 * The path of a request as log lines show it: without the query string (it may carry tokens an LMS
 * adds) and with the secret path segments masked: a customer's registration link token, an
 * instructor view token, a course file's grant (anyone holding it may read the version's files until
 * it expires; the version and the file's path are kept), a player's launch code and a dispatch
 * package's token. Used by the request line and the exception filter, so neither writes a secret.
 */
export function pathForLog(originalUrl: string | undefined): string {
  return (originalUrl ?? '')
    .split('?')[0]
    .replace(/^\/lti\/register\/[^/]+/, '/lti/register/<link token>')
    .replace(/^\/lti\/instructor\/[^/]+/, '/lti/instructor/<view token>')
    .replace(/^\/content\/(grants\/)?([^/]+)\/[^/]+/, '/content/$1$2/<grant>')
    .replace(/^\/player\/[^/]+/, '/player/<launch code>')
    .replace(/^\/dispatch\/[^/]+/, '/dispatch/<dispatch token>');
}
