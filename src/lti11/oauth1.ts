import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { hmacsign, rfc3986 } from 'oauth-sign';

/**
 * OAuth 1.0a as LTI 1.1 uses it (RFC 5849, HMAC-SHA1, no token; src/lti11/README.md). The signature
 * itself — parameter normalisation, the base string, the HMAC — is oauth-sign's; this file only says
 * which URL and which parameters go in, and compares in constant time.
 */

export type OAuthParams = Record<string, string | string[]>;

/** The base string URI (RFC 5849 §3.4.1.2): scheme and host in lower case, no default port, no query or fragment. */
export function baseStringUri(url: string): string {
  const u = new URL(url); // WHATWG URL lower-cases scheme and host and drops a default port
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** The query string's parameters, which are signed with the body's (RFC 5849 §3.4.1.3.1). */
function queryParams(url: string): OAuthParams {
  const out: OAuthParams = {};
  for (const [k, v] of new URL(url).searchParams) {
    const had = out[k];
    out[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  return out;
}

/** Merges two parameter sets, keeping both values of a name present in each. */
function merge(a: OAuthParams, b: OAuthParams): OAuthParams {
  const out: OAuthParams = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const had = out[k];
    out[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), ...(Array.isArray(v) ? v : [v])];
  }
  return out;
}

/** The HMAC-SHA1 signature of a request to `url` with these (form) parameters, `oauth_signature` left out. */
export function hmacSha1Signature(method: string, url: string, params: OAuthParams, consumerSecret: string): string {
  const { oauth_signature: _ignored, ...signed } = params;
  return hmacsign(method, baseStringUri(url), merge(queryParams(url), signed), consumerSecret, '');
}

/** True when `params.oauth_signature` is the HMAC-SHA1 signature of the request under the secret. */
export function verifyHmacSha1(method: string, url: string, params: OAuthParams, consumerSecret: string): boolean {
  const given = params.oauth_signature;
  return typeof given === 'string' && safeEqual(given, hmacSha1Signature(method, url, params, consumerSecret));
}

/**
 * The `Authorization` header of a signed POST with a non-form body (LTI Basic Outcomes; the OAuth
 * Request Body Hash extension): `oauth_body_hash` is the base64 SHA-1 of the body, and is signed.
 */
export function signedBodyAuthorization(opts: { url: string; body: string; consumerKey: string; secret: string; nonce: string; timestamp: number }): string {
  const oauth: Record<string, string> = {
    oauth_body_hash: createHash('sha1').update(opts.body, 'utf8').digest('base64'),
    oauth_consumer_key: opts.consumerKey,
    oauth_nonce: opts.nonce,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(opts.timestamp),
    oauth_version: '1.0',
  };
  oauth.oauth_signature = hmacSha1Signature('POST', opts.url, oauth, opts.secret);
  return `OAuth ${Object.entries(oauth)
    .map(([k, v]) => `${k}="${rfc3986(v)}"`)
    .join(', ')}`;
}

/**
 * `oauth_consumer_key_sign` of the LTI 1.3 `lti1p1` migration claim: base64 HMAC-SHA256, keyed with
 * the LTI 1.1 secret, of `oauth_consumer_key & deployment_id & iss & client_id & exp & nonce` (the
 * values as sent, joined by `&`, not encoded).
 */
export function consumerKeySign(p: { consumerKey: string; deploymentId: string; issuer: string; clientId: string; exp: number | string; nonce: string }, secret: string): string {
  const base = [p.consumerKey, p.deploymentId, p.issuer, p.clientId, String(p.exp), p.nonce].join('&');
  return createHmac('sha256', secret).update(base, 'utf8').digest('base64');
}

/** Constant-time comparison of two strings (different lengths compare unequal). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
