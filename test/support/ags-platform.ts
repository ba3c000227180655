import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { AgsEmulator } from './emulator-ags';

export interface TokenRequest {
  claims: Record<string, unknown>;
  scope: string;
  status: number;
}

/**
 * A small AGS platform on its own `node:http` server: a token endpoint (client-credentials with a JWT
 * assertion, verified against the tool's JWKS when `toolJwksUrl` is given; `jti` replay refused) and
 * the AGS routes. Used until/unless the full PlatformEmulator hosts the AGS routes.
 */
export interface AgsPlatform {
  url: string;
  tokenEndpoint: string;
  ags: AgsEmulator;
  tokenRequests: TokenRequest[];
  /** The next `n` token requests answer `status`. */
  failTokenNext(n: number, status: number): void;
  /** Token requests are answered after `ms` (0: at once): a slow token endpoint. */
  delayTokens(ms: number): void;
  stop(): Promise<void>;
}

export async function startAgsPlatform(opts: { toolJwksUrl?: () => string; clientId?: string; tokenTtlSeconds?: number } = {}): Promise<AgsPlatform> {
  let url = '';
  const tokens = new Map<string, { scopes: string[]; expiresAt: number }>();
  const seenJti = new Set<string>();
  const tokenRequests: TokenRequest[] = [];
  let tokenFailures: number[] = [];
  let tokenDelayMs = 0;
  const checkAccessToken = (authorization: string | undefined, scope: string) => {
    const m = /^Bearer (.+)$/i.exec(authorization ?? '');
    const t = m && tokens.get(m[1]);
    return !!t && t.expiresAt > Date.now() && t.scopes.includes(scope);
  };
  const ags = new AgsEmulator(() => url, checkAccessToken);
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      void (async () => {
        if (req.url === '/token' && req.method === 'POST') {
          const form = new URLSearchParams(body);
          const assertion = form.get('client_assertion') ?? '';
          const scope = form.get('scope') ?? '';
          const record: TokenRequest = { claims: {}, scope, status: 0 };
          tokenRequests.push(record);
          if (tokenDelayMs) {
            await new Promise((r) => setTimeout(r, tokenDelayMs));
          }
          const answer = (status: number, payload: unknown) => {
            record.status = status;
            res.writeHead(status, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify(payload));
          };
          const fail = tokenFailures.shift();
          if (fail) {
            return answer(fail, { error: 'temporarily_unavailable' });
          }
          try {
            record.claims = decodeJwt(assertion);
            if (opts.toolJwksUrl) {
              jwks ??= createRemoteJWKSet(new URL(opts.toolJwksUrl()));
              await jwtVerify(assertion, jwks, { audience: `${url}/token`, issuer: opts.clientId, subject: opts.clientId, algorithms: ['RS256'] });
            }
          } catch (err) {
            return answer(401, { error: 'invalid_client', error_description: (err as Error).message });
          }
          if (
            form.get('grant_type') !== 'client_credentials' ||
            form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
          ) {
            return answer(400, { error: 'unsupported_grant_type' });
          }
          const jti = record.claims.jti as string | undefined;
          if (!jti || seenJti.has(jti)) {
            return answer(401, { error: 'invalid_client', error_description: 'jti missing or reused' });
          }
          seenJti.add(jti);
          const token = `tok-${randomUUID()}`;
          const ttl = opts.tokenTtlSeconds ?? 3600;
          tokens.set(token, { scopes: scope.split(' '), expiresAt: Date.now() + ttl * 1000 });
          return answer(200, { access_token: token, token_type: 'Bearer', expires_in: ttl, scope });
        }
        if (!(await ags.handle(req, res, body))) {
          res.writeHead(404).end();
        }
      })().catch((err: Error) => {
        res.writeHead(500).end(err.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenEndpoint: `${url}/token`,
    ags,
    tokenRequests,
    failTokenNext(n, status) {
      tokenFailures = [...tokenFailures, ...Array<number>(n).fill(status)];
    },
    delayTokens(ms) {
      tokenDelayMs = ms;
    },
    async stop() {
      ags.releaseHung();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
