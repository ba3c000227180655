/**
 * The score service URL of a line item: `/scores` is appended to the **path**, keeping any query
 * string (AGS §3.4.1). Moodle's line item URLs carry `?type_id=N`; naive concatenation would give
 * `…?type_id=7/scores` and a 404 (src/grades/README.md).
 */
export function scoresUrl(lineItemUrl: string): string {
  const url = new URL(lineItemUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + '/scores';
  return url.toString();
}

/** Adds query parameters to a service URL without dropping the ones it already has (src/grades/README.md). */
export function withQuery(serviceUrl: string, params: Record<string, string>): string {
  const url = new URL(serviceUrl);
  for (const [k, v] of Object.entries(params)) {
    url.searchParams.set(k, v);
  }
  return url.toString();
}

/** The `rel="next"` target of an RFC 8288 `Link` header, followed as is (AGS §3.2 paging). */
export function nextLink(header: string | null | undefined): string | undefined {
  if (!header) {
    return undefined;
  }
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2])) {
      return m[1];
    }
  }
  return undefined;
}

/** AGS media types (src/grades/README.md); scopes live in `src/lti/protocol/claims.ts` (SCOPES). */
export const AGS_MEDIA = {
  score: 'application/vnd.ims.lis.v1.score+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
} as const;
