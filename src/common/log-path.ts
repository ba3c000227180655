/**
 * The path of a request as log lines show it: without the query string (it may carry tokens an LMS
 * adds) and with a customer's registration link token (a secret path segment) masked. Used by the
 * request line and the exception filter, so neither writes a secret.
 */
export function pathForLog(originalUrl: string | undefined): string {
  return (originalUrl ?? '').split('?')[0].replace(/^\/lti\/register\/[^/]+/, '/lti/register/<link token>');
}
