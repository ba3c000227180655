/**
 * The path of a request as log lines show it: without the query string (it may carry tokens an LMS
 * adds) and with the secret path segments masked: a customer's registration link token and an instructor view token. Used by the
 * request line and the exception filter, so neither writes a secret.
 */
export function pathForLog(originalUrl: string | undefined): string {
  return (originalUrl ?? '')
    .split('?')[0]
    .replace(/^\/lti\/register\/[^/]+/, '/lti/register/<link token>')
    .replace(/^\/lti\/instructor\/[^/]+/, '/lti/instructor/<view token>');
}
