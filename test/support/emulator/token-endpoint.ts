import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import { jwtVerify, JWTPayload } from 'jose';
import type { PlatformEmulator } from '../platform-emulator';
import { json } from './http';

/**
 * The platform's OAuth 2 token endpoint for the LTI services (AGS, NRPS): client-credentials grants
 * with the tool's signed client assertion, checked against the tool's JWKS, a `jti` used once; and
 * the check of the access tokens it issued, for the service routes.
 */

interface IssuedToken {
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export class TokenEndpoint {
  private readonly usedJti = new Set<string>();
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly emu: PlatformEmulator) {}

  /** Client credentials grant with an RS256 client assertion (Sec §4.1, Core §6.2), checked against the tool JWKS. */
  async handle(q: URLSearchParams, res: http.ServerResponse): Promise<void> {
    if (q.get('grant_type') !== 'client_credentials') {
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    if (q.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || !q.get('client_assertion')) {
      return json(res, 400, { error: 'invalid_request', error_description: 'client_assertion (jwt-bearer) required' });
    }
    if (!this.emu.toolJwks) {
      return json(res, 500, { error: 'emulator_not_configured', error_description: 'call useTool(toolUrl) first' });
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(q.get('client_assertion') as string, this.emu.toolJwks.set, {
        algorithms: ['RS256'],
        audience: this.emu.tokenAudience ?? this.emu.tokenEndpoint,
        requiredClaims: ['iss', 'sub', 'exp', 'iat', 'jti'],
      }));
    } catch (e) {
      return json(res, 401, { error: 'invalid_client', error_description: (e as Error).message });
    }
    const client = this.emu.clients.get(String(payload.iss));
    if (!client || payload.sub !== payload.iss) {
      return json(res, 401, { error: 'invalid_client', error_description: 'iss and sub must both be a known client_id' });
    }
    const jti = `${client.clientId}:${String(payload.jti)}`;
    if (this.usedJti.has(jti)) {
      return json(res, 401, { error: 'invalid_client', error_description: 'jti reused' });
    }
    this.usedJti.add(jti);
    const requested = (q.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!requested.length) {
      return json(res, 400, { error: 'invalid_scope' });
    }
    const accessToken = randomBytes(24).toString('base64url');
    this.tokens.set(accessToken, { clientId: client.clientId, scopes: requested, expiresAt: Date.now() + 3600_000 });
    return json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope: requested.join(' ') });
  }

  /**
   * Checks an AGS/NRPS request's `Authorization: Bearer` against tokens issued by the token endpoint.
   * ok=false with status 401 (unknown/expired token) or 403 (scope not granted).
   */
  checkAccessToken(header: string | string[] | undefined, scope: string): { ok: boolean; status: number; clientId?: string; error?: string } {
    const value = Array.isArray(header) ? header[0] : header;
    const m = /^Bearer\s+(\S+)$/i.exec(value ?? '');
    const t = m ? this.tokens.get(m[1]) : undefined;
    if (!t || t.expiresAt < Date.now()) {
      return { ok: false, status: 401, error: 'invalid_token' };
    }
    if (!t.scopes.includes(scope)) {
      return { ok: false, status: 403, error: 'insufficient_scope', clientId: t.clientId };
    }
    return { ok: true, status: 200, clientId: t.clientId };
  }
}
