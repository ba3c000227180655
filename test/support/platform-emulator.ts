import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, KeyLike } from 'jose';
import type { Clock } from '../../src/common/clock';
import { authorize, buildClaims } from './emulator/authorization';
import { deepLinkReturn } from './emulator/deep-linking';
import { json, readBody } from './emulator/http';
import { PlatformKeys, strangerKey } from './emulator/keys';
import { browserLoginUrl, fetchTransport, launch } from './emulator/launch-flow';
import { openidConfiguration, register } from './emulator/registration';
import { TokenEndpoint } from './emulator/token-endpoint';
import type { BrowserTransport, Client, DeepLinkReturn, LaunchOptions, LaunchResult, RecordedRequest, RouteHandler, SignOptions } from './emulator/types';

export type { DeepLinkReturn, HttpResult, LaunchOptions, LaunchResult, RecordedRequest, RouteHandler, SignOptions } from './emulator/types';
export { parseAutoPost, readJsonScript } from './emulator/launch-flow';

/**
 * A test LMS: OIDC authorization endpoint that signs RS256 id_tokens with its own keys
 * (made at start, never hard-coded), JWKS, token endpoint verifying the tool's client assertion
 * against the tool's JWKS, Deep Linking return endpoint verifying the tool's signed response, and
 * Dynamic Registration endpoints. Plain node:http on 127.0.0.1, port 0. Extra routes (AGS, NRPS) are
 * added from other files with `route()`.
 *
 * This file holds the platform's state, its server and the routing; each endpoint is in emulator/:
 * authorization.ts (OIDC), token-endpoint.ts, deep-linking.ts, registration.ts (Dynamic
 * Registration), keys.ts (signing keys and JWKS), and launch-flow.ts (the browser's side of a launch).
 */

export class PlatformEmulator {
  url!: string;
  issuer!: string;
  clientId = 'emulator-client';
  deploymentId = 'emulator-deployment-1';
  readonly received: RecordedRequest[] = [];
  /** Keep `received` (turn off for benchmarks). */
  record = true;
  /** How the emulated browser of {@link launch} sends its requests (the launch bench uses keep-alive node:http). */
  browserTransport: BrowserTransport = fetchTransport;
  readonly deepLinkReturns: DeepLinkReturn[] = [];
  readonly registrations: Array<{ request: Record<string, unknown>; clientId: string; deploymentId: string }> = [];
  /** Registration token the DR endpoints require (set to null to require none). */
  registrationToken: string | null = 'reg-token-123';
  /** Scopes granted by Dynamic Registration (default: all requested). */
  grantScopes: string[] | null = null;
  /** `product_family_code` of the DR discovery document ('moodle' makes the tool show Moodle's next steps). */
  productFamilyCode = 'emulator';
  /** Whether the DR answer keeps the tool's Deep Linking message (Moodle drops it when it does not enable Deep Linking). */
  grantDeepLinking = true;
  /** Values the tool stored through lti.put_data (platform storage). */
  readonly platformStorage = new Map<string, string>();
  /** aud the token endpoint expects in client assertions (default: the token endpoint URL). */
  tokenAudience: string | null = null;

  /** The platform's client ids (shared with the endpoints in emulator/). */
  readonly clients = new Map<string, Client>();
  /** Launches between login and authorization, by lti_message_hint (shared with emulator/). */
  readonly pending = new Map<string, { opts: LaunchOptions }>();
  /** The tool's JWKS, for client assertions and Deep Linking responses (shared with emulator/). */
  toolJwks: { url: string; set: ReturnType<typeof createRemoteJWKSet> } | null = null;

  private server!: http.Server;
  private readonly keys = new PlatformKeys();
  private readonly tokens = new TokenEndpoint(this);
  private readonly routes: Array<{ method: string; prefix: string; handler: RouteHandler }> = [];
  private failures: Array<{ status: number; prefix?: string }> = [];

  static async start(opts: { clientId?: string; deploymentId?: string; toolUrl?: string } = {}): Promise<PlatformEmulator> {
    const emu = new PlatformEmulator();
    if (opts.clientId) {
      emu.clientId = opts.clientId;
    }
    if (opts.deploymentId) {
      emu.deploymentId = opts.deploymentId;
    }
    await emu.rotateKeys();
    emu.server = http.createServer((req, res) => {
      emu.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
        }
        res.end(`emulator error: ${e.message}`);
      });
    });
    emu.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => emu.server.listen(0, '127.0.0.1', resolve));
    emu.url = `http://127.0.0.1:${(emu.server.address() as AddressInfo).port}`;
    emu.issuer = emu.url;
    emu.clients.set(emu.clientId, { clientId: emu.clientId, deploymentId: emu.deploymentId, redirectUris: [], scopes: [] });
    if (opts.toolUrl) {
      emu.useTool(opts.toolUrl);
    }
    return emu;
  }

  get authorizationEndpoint(): string {
    return `${this.url}/authorize`;
  }
  get tokenEndpoint(): string {
    return `${this.url}/token`;
  }
  get jwksUri(): string {
    return `${this.url}/jwks`;
  }
  get currentKid(): string {
    return this.keys.currentKid;
  }

  /** The body to register this emulator with the tool (`POST /api/platforms`). */
  registrationBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: 'Emulator LMS',
      issuer: this.issuer,
      clientId: this.clientId,
      authorizationEndpoint: this.authorizationEndpoint,
      tokenEndpoint: this.tokenEndpoint,
      jwksUri: this.jwksUri,
      deploymentIds: [this.deploymentId],
      ...extra,
    };
  }

  /** Points the emulator at a tool: its redirect URI and JWKS (for client assertions and DL responses). */
  useTool(toolUrl: string): void {
    for (const c of this.clients.values()) {
      if (!c.redirectUris.length) {
        c.redirectUris = [`${toolUrl}/lti/launch`];
      }
    }
    const url = `${toolUrl}/.well-known/jwks.json`;
    if (this.toolJwks?.url !== url) {
      this.toolJwks = { url, set: createRemoteJWKSet(new URL(url), { cooldownDuration: 0, cacheMaxAge: 60_000 }) };
    }
  }

  /** Adds a client id (one issuer, several registrations: hosted Canvas). */
  addClient(clientId: string, deploymentId: string, redirectUri: string): void {
    this.clients.set(clientId, { clientId, deploymentId, redirectUris: [redirectUri], scopes: [] });
  }

  /** Platform key rotation (Sec §6.4): a new current key; the old ones stay published unless dropped. */
  rotateKeys(opts: { dropOld?: boolean } = {}): Promise<string> {
    return this.keys.rotate(opts);
  }

  /** A fresh key pair that is not published (to forge signatures). */
  static strangerKey(): Promise<KeyLike> {
    return strangerKey();
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  reset(): void {
    this.received.length = 0;
    this.deepLinkReturns.length = 0;
    this.failures = [];
    this.pending.clear();
    this.platformStorage.clear();
  }

  /** The next `n` requests (optionally only those under `pathPrefix`) get `status`. */
  failNext(n: number, status: number, pathPrefix?: string): void {
    for (let i = 0; i < n; i++) {
      this.failures.push({ status, prefix: pathPrefix });
    }
  }

  /** Adds a route, checked before the built-in ones (AGS/NRPS live in other files). */
  route(method: string, pathPrefix: string, handler: RouteHandler): void {
    this.routes.push({ method: method.toUpperCase(), prefix: pathPrefix, handler });
  }

  /**
   * Checks an AGS/NRPS request's `Authorization: Bearer` against tokens issued by the token endpoint.
   * ok=false with status 401 (unknown/expired token) or 403 (scope not granted).
   */
  checkAccessToken(header: string | string[] | undefined, scope: string): { ok: boolean; status: number; clientId?: string; error?: string } {
    return this.tokens.checkAccessToken(header, scope);
  }

  /** Signs an id_token (or any JWT) with the platform key; `opts` forges header/alg/key for negative tests. */
  signIdToken(claims: Record<string, unknown>, opts: SignOptions = {}): Promise<string> {
    return this.keys.sign(claims, opts);
  }

  /**
   * A whole browser launch without a browser: login (GET or POST) → 302 to our authorization endpoint
   * → auto-post form → POST to the tool's redirect URI, with a cookie jar for the tool's origin.
   */
  launch(opts: LaunchOptions): Promise<LaunchResult> {
    return launch(this, opts);
  }

  /** A launch for a real browser: the tool's login URL to open (the browser does the rest). */
  browserLaunchUrl(opts: LaunchOptions): string {
    return browserLoginUrl(this, opts);
  }

  /** The claims of a launch as the authorization endpoint signs them. */
  buildClaims(opts: LaunchOptions, client: Client, nonce: string, targetLinkUri: string): Record<string, unknown> {
    return buildClaims(this, opts, client, nonce, targetLinkUri);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', this.url);
    if (this.record) {
      this.received.push({ method: req.method ?? 'GET', path: url.pathname, url: url.toString(), headers: req.headers, body, at: Date.now() });
    }
    const failIndex = this.failures.findIndex((f) => !f.prefix || url.pathname.startsWith(f.prefix));
    if (failIndex >= 0) {
      const [f] = this.failures.splice(failIndex, 1);
      return json(res, f.status, { error: 'injected_failure' });
    }
    for (const r of this.routes) {
      if ((r.method === '*' || r.method === req.method) && url.pathname.startsWith(r.prefix)) {
        return r.handler(req, res, body);
      }
    }
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /jwks':
        return json(res, 200, this.keys.jwks());
      case 'GET /authorize':
      case 'POST /authorize':
        return authorize(this, req.method === 'GET' ? url.searchParams : new URLSearchParams(body), res);
      case 'POST /token':
        return this.tokens.handle(new URLSearchParams(body), res);
      case 'POST /deep-linking/return':
        return deepLinkReturn(this, new URLSearchParams(body), res);
      case 'GET /.well-known/openid-configuration':
        return openidConfiguration(this, req, res);
      case 'POST /register':
        return register(this, req, body, res);
      default:
        return json(res, 404, { error: 'not_found' });
    }
  }
}

/** A running tool with the emulator registered as a platform and one imported course. */
export interface LtiTestbed {
  app: import('./app').TestApp;
  emu: PlatformEmulator;
  courseId: string;
  platformId: string;
  close(): Promise<void>;
}

/** Starts the tool, the emulator, registers the emulator (`POST /api/platforms`) and imports a fixture course. */
export async function startLtiTestbed(opts: { fixture?: string; clock?: Clock; env?: Record<string, string> } = {}): Promise<LtiTestbed> {
  const { createTestApp } = await import('./app');
  const { buildFixtureZip } = await import('./scorm-package.builder');
  const app = await createTestApp(opts.env ?? {}, { clock: opts.clock });
  const emu = await PlatformEmulator.start({ toolUrl: app.appUrl });
  const reg = await fetch(`${app.appUrl}/api/platforms`, {
    method: 'POST',
    headers: { ...app.auth, 'Content-Type': 'application/json' },
    body: JSON.stringify(emu.registrationBody()),
  });
  if (reg.status !== 201) {
    throw new Error(`registering the emulator failed: ${reg.status} ${await reg.text()}`);
  }
  const platformId = ((await reg.json()) as { id: string }).id;
  const zip = await buildFixtureZip(opts.fixture ?? 'scorm12-single-sco');
  const form = new FormData();
  form.append('package', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), 'course.zip');
  const up = await fetch(`${app.appUrl}/api/courses`, { method: 'POST', headers: app.auth, body: form });
  if (up.status !== 201) {
    throw new Error(`importing the course failed: ${up.status} ${await up.text()}`);
  }
  const courseId = ((await up.json()) as { id: string }).id;
  return {
    app,
    emu,
    courseId,
    platformId,
    async close() {
      await emu.stop();
      await app.close();
    },
  };
}
