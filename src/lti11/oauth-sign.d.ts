/** The part of oauth-sign (0.9, no bundled types) this project calls: RFC 5849 HMAC signatures and percent-encoding. */
declare module 'oauth-sign' {
  type Params = Record<string, string | string[]>;
  export function hmacsign(httpMethod: string, baseUri: string, params: Params, consumerSecret: string, tokenSecret?: string): string;
  export function rfc3986(value: string): string;
}
