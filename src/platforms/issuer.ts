/**
 * The one rule for an LMS issuer (LTI Core §5.1.2: a case-sensitive https URL with scheme, host,
 * optional port and path, and no query or fragment). Stored in canonical form, so the same LMS typed
 * twice (`https://lms.example/` and `https://lms.example`) is one issuer: scheme and host in lower
 * case, no default port, no trailing slash. Plain http is accepted only for a tool and LMS on the same
 * machine (localhost, 127.0.0.1, [::1]).
 */

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export const ISSUER_RULE = 'an absolute https URL with no query or fragment, e.g. https://lms.example.edu (http only for localhost or 127.0.0.1)';

/** The canonical issuer, or why `value` is not one (a sentence fragment naming the problem). */
export function canonicalIssuer(value: string): { issuer: string } | { problem: string } {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    return { problem: 'is not an absolute URL' };
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOCAL_HOSTS.has(u.hostname))) {
    return { problem: u.protocol === 'http:' ? 'uses http, which is allowed only for localhost or 127.0.0.1' : `uses ${u.protocol.replace(/:$/, '')}, not https` };
  }
  if (u.username || u.password) {
    return { problem: 'carries a user name or password' };
  }
  if (u.search || u.hash || /[?#]/.test(value)) {
    return { problem: 'has a query or fragment (?… or #…)' };
  }
  return { issuer: `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}` };
}

/**
 * The key an issuer is looked up and compared by: its canonical form, or the string as it is when it
 * is not a valid issuer (a registration stored before the rule, an LMS sending something odd).
 */
export function issuerKey(value: string): string {
  const c = canonicalIssuer(value);
  return 'issuer' in c ? c.issuer : value;
}

/** True when `a` and `b` name the same issuer (`https://lms.example/` and `https://LMS.example`). */
export function sameIssuer(a: string, b: string): boolean {
  return a === b || issuerKey(a) === issuerKey(b);
}
