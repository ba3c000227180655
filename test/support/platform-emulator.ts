import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { createRemoteJWKSet, exportJWK, exportSPKI, generateKeyPair, JWK, jwtVerify, KeyLike, SignJWT, JWTPayload } from 'jose';
import type { Clock } from '../../src/common/clock';

/**
 * A test LMS (STYLE §4.5): OIDC authorization endpoint that signs RS256 id_tokens with its own keys
 * (made at start, never hard-coded), JWKS, token endpoint verifying the tool's client assertion
 * against the tool's JWKS, Deep Linking return endpoint verifying the tool's signed response, and
 * Dynamic Registration endpoints. Plain node:http on 127.0.0.1, port 0. Extra routes (AGS, NRPS) are
 * added from other files with `route()`.
 */

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'lti');
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

export interface RecordedRequest {
  method: string;
  path: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void | Promise<void>;

export interface SignOptions {
  /** 'none' builds an unsigned token; 'HS256' signs with `hsSecret` (default: our public key PEM, the alg-confusion attack). */
  alg?: 'RS256' | 'none' | 'HS256' | 'RS384';
  /** `null` leaves the kid out; a string overrides it. */
  kid?: string | null;
  /** Sign with this private key instead of the current one (a forged signature). */
  key?: KeyLike;
  hsSecret?: Uint8Array;
}

export interface LaunchOptions {
  /** The tool's app origin, e.g. http://localhost:41234. */
  toolUrl: string;
  messageType?: 'resource' | 'deep-linking';
  /** Sets target_link_uri to `${toolUrl}/lti/courses/${courseId}`. */
  courseId?: string;
  targetLinkUri?: string;
  /** Claims merged over the fixture (a value of `undefined` deletes the claim). */
  claims?: Record<string, unknown>;
  /** Claims set after iss/aud/nonce/times are filled in (override those). */
  finalClaims?: Record<string, unknown>;
  clientId?: string;
  /** Send client_id at login (default true). */
  sendClientId?: boolean;
  deploymentId?: string;
  /** Sent as lti_deployment_id at login when given. */
  loginDeploymentId?: string;
  loginMethod?: 'GET' | 'POST';
  /** Extra or overridden login parameters (`undefined` removes one). */
  loginParams?: Record<string, string | undefined>;
  storageTarget?: string;
  /** Send the state cookie back (default true). False models a browser blocking third-party cookies. */
  cookies?: boolean;
  /** With platform storage: the value get_data returns (default: what put_data stored). */
  storageValue?: string;
  /** `Origin` of the storage re-post (default: the tool's origin, as the tool's check page sends it). */
  storageOrigin?: string;
  sign?: SignOptions;
  /** Rewrites the signed id_token before it is posted. */
  tamper?: (idToken: string) => string;
  /** Replaces the state posted with the id_token. */
  state?: string;
  /** Runs between the tool's login answer and the platform's authorization (e.g. a test moving the tool's clock). */
  afterLogin?: () => void | Promise<void>;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  setCookies: string[];
}

export interface LaunchResult extends HttpResult {
  /** Where the flow stopped: 'login' if the login did not redirect, else 'launch'. */
  stage: 'login' | 'launch';
  login: HttpResult;
  idToken?: string;
  state?: string;
  claims?: Record<string, unknown>;
  /** The launch form, to post again (replay tests). */
  replay?: () => Promise<HttpResult>;
}

interface KeyEntry {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
  publicPem: string;
}

interface Client {
  clientId: string;
  deploymentId: string;
  redirectUris: string[];
  scopes: string[];
}

interface IssuedToken {
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

/** What the emulator checked on a Deep Linking response posted back to it. */
export interface DeepLinkReturn {
  ok: boolean;
  error?: string;
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
}

export class PlatformEmulator {
  url!: string;
  issuer!: string;
  clientId = 'emulator-client';
  deploymentId = 'emulator-deployment-1';
  readonly received: RecordedRequest[] = [];
  /** Keep `received` (turn off for benchmarks). */
  record = true;
  readonly deepLinkReturns: DeepLinkReturn[] = [];
  readonly registrations: Array<{ request: Record<string, unknown>; clientId: string; deploymentId: string }> = [];
  /** Registration token the DR endpoints require (set to null to require none). */
  registrationToken: string | null = 'reg-token-123';
  /** Scopes granted by Dynamic Registration (default: all requested). */
  grantScopes: string[] | null = null;
  /** Values the tool stored through lti.put_data (platform storage). */
  readonly platformStorage = new Map<string, string>();

  private server!: http.Server;
  private keys: KeyEntry[] = [];
  private readonly clients = new Map<string, Client>();
  private readonly pending = new Map<string, { opts: LaunchOptions }>();
  private readonly routes: Array<{ method: string; prefix: string; handler: RouteHandler }> = [];
  private readonly usedJti = new Set<string>();
  private readonly tokens = new Map<string, IssuedToken>();
  private failures: Array<{ status: number; prefix?: string }> = [];
  private toolJwks: { url: string; set: ReturnType<typeof createRemoteJWKSet> } | null = null;
  /** aud the token endpoint expects in client assertions (default: the token endpoint URL). */
  tokenAudience: string | null = null;

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
    return this.keys[this.keys.length - 1].kid;
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
  async rotateKeys(opts: { dropOld?: boolean } = {}): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const kid = `emu-${randomBytes(6).toString('hex')}`;
    const entry: KeyEntry = { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }, publicPem: await exportSPKI(publicKey) };
    this.keys = opts.dropOld ? [entry] : [...this.keys, entry];
    return kid;
  }

  /** A fresh key pair that is not published (to forge signatures). */
  static async strangerKey(): Promise<KeyLike> {
    return (await generateKeyPair('RS256', { modulusLength: 2048 })).privateKey;
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

  /** Signs an id_token (or any JWT) with the platform key; `opts` forges header/alg/key for negative tests. */
  async signIdToken(claims: Record<string, unknown>, opts: SignOptions = {}): Promise<string> {
    const alg = opts.alg ?? 'RS256';
    const key = this.keys[this.keys.length - 1];
    const header: Record<string, unknown> = { alg, typ: 'JWT' };
    if (opts.kid !== null) {
      header.kid = opts.kid ?? key.kid;
    }
    if (alg === 'none') {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      return `${b64(header)}.${b64(claims)}.`;
    }
    const jwt = new SignJWT(claims).setProtectedHeader(header as { alg: string });
    if (alg === 'HS256') {
      return jwt.sign(opts.hsSecret ?? new TextEncoder().encode(key.publicPem));
    }
    if (alg === 'RS384') {
      const other = await generateKeyPair('RS384');
      return jwt.sign(opts.key ?? other.privateKey);
    }
    return jwt.sign(opts.key ?? key.privateKey);
  }

  /**
   * A whole browser launch without a browser: login (GET or POST) → 302 to our authorization endpoint
   * → auto-post form → POST to the tool's redirect URI, with a cookie jar for the tool's origin.
   */
  async launch(opts: LaunchOptions): Promise<LaunchResult> {
    this.useTool(opts.toolUrl);
    const jar = new Map<string, string>();
    const hint = randomUUID();
    this.pending.set(hint, { opts });
    const clientId = opts.clientId ?? this.clientId;
    const target = opts.targetLinkUri ?? (opts.courseId ? `${opts.toolUrl}/lti/courses/${opts.courseId}` : opts.messageType === 'deep-linking' ? `${opts.toolUrl}/lti/deep-link` : `${opts.toolUrl}/lti/launch`);
    const params: Record<string, string | undefined> = {
      iss: this.issuer,
      login_hint: `user-${hint.slice(0, 8)}`,
      target_link_uri: target,
      lti_message_hint: hint,
      client_id: opts.sendClientId === false ? undefined : clientId,
      lti_deployment_id: opts.loginDeploymentId,
      lti_storage_target: opts.storageTarget,
      ...opts.loginParams,
    };
    const form = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    const useCookies = opts.cookies !== false;
    const login =
      opts.loginMethod === 'POST'
        ? await send(`${opts.toolUrl}/lti/login`, { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, jar, useCookies)
        : await send(`${opts.toolUrl}/lti/login?${form.toString()}`, { method: 'GET' }, jar, useCookies);
    let authUrl = login.status === 302 ? login.headers.get('location') : null;
    if (!authUrl && login.status === 200 && opts.storageTarget) {
      const cfg = readJsonScript(login.text, 'lti-storage-login') as { authUrl: string; state: string; binding: string } | null;
      if (cfg) {
        this.platformStorage.set(`state-${cfg.state}`, cfg.binding); // what lti.put_data would do
        authUrl = cfg.authUrl;
      }
    }
    if (!authUrl) {
      return { ...login, stage: 'login', login };
    }
    await opts.afterLogin?.();
    const auth = await send(authUrl, { method: 'GET' }, jar, false);
    const post = parseAutoPost(auth.text);
    if (auth.status !== 200 || !post) {
      return { ...auth, stage: 'login', login };
    }
    const idToken = opts.tamper ? opts.tamper(post.fields.id_token) : post.fields.id_token;
    const state = opts.state ?? post.fields.state;
    const body = new URLSearchParams({ id_token: idToken, state });
    const postLaunch = () => send(post.action, { method: 'POST', body: new URLSearchParams(body), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, jar, useCookies);
    let res = await postLaunch();
    if (res.status === 200 && opts.storageTarget) {
      const check = readJsonScript(res.text, 'lti-storage-launch') as { state: string } | null;
      if (check) {
        const value = opts.storageValue ?? this.platformStorage.get(`state-${check.state}`) ?? '';
        res = await send(
          post.action,
          {
            method: 'POST',
            body: new URLSearchParams({ id_token: idToken, state, lti_storage_binding: value }),
            headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: opts.storageOrigin ?? new URL(opts.toolUrl).origin },
          },
          jar,
          useCookies,
        );
      }
    }
    return { ...res, stage: 'launch', login, idToken, state, claims: decodePayload(post.fields.id_token), replay: postLaunch };
  }

  /** The claims of a launch as the authorization endpoint signs them. */
  buildClaims(opts: LaunchOptions, client: Client, nonce: string, targetLinkUri: string): Record<string, unknown> {
    const file = opts.messageType === 'deep-linking' ? 'deep-linking.json' : 'resource-link.json';
    const raw = fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('{platform}').join(this.url);
    const claims = JSON.parse(raw) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    Object.assign(claims, {
      iss: this.issuer,
      aud: client.clientId,
      iat: now,
      exp: now + 60,
      nonce,
      [`${LTI}deployment_id`]: opts.deploymentId ?? client.deploymentId,
      [`${LTI}target_link_uri`]: targetLinkUri,
    });
    if (opts.courseId && opts.messageType !== 'deep-linking') {
      (claims[`${LTI}custom`] as Record<string, string>).course_id = opts.courseId;
    }
    for (const patch of [opts.claims, opts.finalClaims]) {
      for (const [k, v] of Object.entries(patch ?? {})) {
        if (v === undefined) {
          delete claims[k];
        } else {
          claims[k] = v;
        }
      }
    }
    return claims;
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
        return json(res, 200, { keys: this.keys.map((k) => k.publicJwk) });
      case 'GET /authorize':
      case 'POST /authorize':
        return this.authorize(req.method === 'GET' ? url.searchParams : new URLSearchParams(body), res);
      case 'POST /token':
        return this.token(new URLSearchParams(body), res);
      case 'POST /deep-linking/return':
        return this.deepLinkReturn(new URLSearchParams(body), res);
      case 'GET /.well-known/openid-configuration':
        return this.openidConfiguration(req, res);
      case 'POST /register':
        return this.register(req, body, res);
      default:
        return json(res, 404, { error: 'not_found' });
    }
  }

  /** OIDC authorization endpoint (Sec §5.1.1.2–3): checks every parameter, then form-posts the id_token. */
  private async authorize(q: URLSearchParams, res: http.ServerResponse): Promise<void> {
    const fail = (m: string) => json(res, 400, { error: 'invalid_request', error_description: m });
    const expect: Record<string, string> = { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none' };
    for (const [k, v] of Object.entries(expect)) {
      if (q.get(k) !== v) {
        return fail(`${k} must be ${v}`);
      }
    }
    const client = this.clients.get(q.get('client_id') ?? '');
    if (!client) {
      return fail('unknown client_id');
    }
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!client.redirectUris.includes(redirectUri)) {
      return fail('redirect_uri is not registered for this client');
    }
    const nonce = q.get('nonce');
    const state = q.get('state');
    if (!nonce || !state) {
      return fail('nonce and state are required');
    }
    const hint = q.get('lti_message_hint') ?? '';
    const pending = this.pending.get(hint);
    if (!pending || q.get('login_hint') !== `user-${hint.slice(0, 8)}`) {
      return fail('login_hint / lti_message_hint not echoed unaltered');
    }
    this.pending.delete(hint);
    const opts = pending.opts;
    const target = opts.targetLinkUri ?? (opts.courseId ? `${opts.toolUrl}/lti/courses/${opts.courseId}` : opts.messageType === 'deep-linking' ? `${opts.toolUrl}/lti/deep-link` : `${opts.toolUrl}/lti/launch`);
    const claims = this.buildClaims(opts, client, nonce, target);
    const idToken = await this.signIdToken(claims, opts.sign);
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html><body><form method="post" action="${esc(redirectUri)}"><input type="hidden" name="id_token" value="${esc(idToken)}"><input type="hidden" name="state" value="${esc(state)}"></form><script>document.forms[0].submit()</script></body></html>`,
    );
  }

  /** Client credentials grant with an RS256 client assertion (Sec §4.1, Core §6.2), checked against the tool JWKS. */
  private async token(q: URLSearchParams, res: http.ServerResponse): Promise<void> {
    if (q.get('grant_type') !== 'client_credentials') {
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    if (q.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || !q.get('client_assertion')) {
      return json(res, 400, { error: 'invalid_request', error_description: 'client_assertion (jwt-bearer) required' });
    }
    if (!this.toolJwks) {
      return json(res, 500, { error: 'emulator_not_configured', error_description: 'call useTool(toolUrl) first' });
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(q.get('client_assertion') as string, this.toolJwks.set, {
        algorithms: ['RS256'],
        audience: this.tokenAudience ?? this.tokenEndpoint,
        requiredClaims: ['iss', 'sub', 'exp', 'iat', 'jti'],
      }));
    } catch (e) {
      return json(res, 401, { error: 'invalid_client', error_description: (e as Error).message });
    }
    const client = this.clients.get(String(payload.iss));
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

  /** Checks a Deep Linking response like a platform does (Sec §5.2.3, DL §4.5, Cert §6.2). */
  private async deepLinkReturn(q: URLSearchParams, res: http.ServerResponse): Promise<void> {
    const token = q.get('JWT') ?? '';
    const record: DeepLinkReturn = { ok: false };
    try {
      if (!this.toolJwks) {
        throw new Error('tool JWKS unknown');
      }
      const { payload, protectedHeader } = await jwtVerify(token, this.toolJwks.set, { algorithms: ['RS256'], audience: this.issuer, requiredClaims: ['iss', 'aud', 'exp', 'iat', 'nonce'] });
      record.header = protectedHeader;
      record.payload = payload;
      if (!this.clients.has(String(payload.iss))) {
        throw new Error('iss is not a client_id of this platform');
      }
      if (payload[`${LTI}message_type`] !== 'LtiDeepLinkingResponse' || payload[`${LTI}version`] !== '1.3.0') {
        throw new Error('message_type / version');
      }
      if (payload[`${LTI}deployment_id`] !== this.clients.get(String(payload.iss))?.deploymentId) {
        throw new Error('deployment_id');
      }
      record.ok = true;
    } catch (e) {
      record.error = (e as Error).message;
    }
    this.deepLinkReturns.push(record);
    res.writeHead(record.ok ? 200 : 400, { 'Content-Type': 'text/html' });
    res.end(record.ok ? '<p>Items received.</p>' : `<p>Refused: ${record.error ?? ''}</p>`);
  }

  private bearerOk(req: http.IncomingMessage): boolean {
    return this.registrationToken === null || req.headers.authorization === `Bearer ${this.registrationToken}`;
  }

  /** DR §3.4 discovery document. */
  private openidConfiguration(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.bearerOk(req)) {
      return json(res, 401, { error: 'invalid_token' });
    }
    json(res, 200, {
      issuer: this.issuer,
      authorization_endpoint: this.authorizationEndpoint,
      token_endpoint: this.tokenEndpoint,
      jwks_uri: this.jwksUri,
      registration_endpoint: `${this.url}/register`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['id_token'],
      scopes_supported: ['openid'],
      'https://purl.imsglobal.org/spec/lti-platform-configuration': {
        product_family_code: 'emulator',
        version: '1.0',
        messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }],
      },
    });
  }

  /** DR §3.5.2–3.6: stores the tool as a new client with its own deployment. */
  private register(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    if (!this.bearerOk(req)) {
      return json(res, 401, { error: 'invalid_token' });
    }
    let reg: Record<string, unknown>;
    try {
      reg = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return json(res, 400, { error: 'invalid_client_metadata' });
    }
    const redirectUris = reg.redirect_uris;
    if (!Array.isArray(redirectUris) || !redirectUris.length || typeof reg.jwks_uri !== 'string' || typeof reg.initiate_login_uri !== 'string' || reg.token_endpoint_auth_method !== 'private_key_jwt') {
      return json(res, 400, { error: 'invalid_client_metadata' });
    }
    const n = this.registrations.length + 1;
    const clientId = `dyn-client-${n}`;
    const deploymentId = `dyn-deployment-${n}`;
    const requested = String(reg.scope ?? '').split(/\s+/).filter(Boolean);
    const granted = this.grantScopes ? requested.filter((s) => this.grantScopes?.includes(s)) : requested;
    this.clients.set(clientId, { clientId, deploymentId, redirectUris: redirectUris as string[], scopes: granted });
    this.registrations.push({ request: reg, clientId, deploymentId });
    const toolCfg = (reg['https://purl.imsglobal.org/spec/lti-tool-configuration'] ?? {}) as Record<string, unknown>;
    json(res, 200, { ...reg, client_id: clientId, scope: granted.join(' '), 'https://purl.imsglobal.org/spec/lti-tool-configuration': { ...toolCfg, deployment_id: deploymentId } });
  }
}

/** One HTTP exchange with a per-browser cookie jar (Secure cookies are kept: localhost counts as secure). */
async function send(url: string, init: RequestInit, jar: Map<string, string>, useCookies: boolean): Promise<HttpResult> {
  const headers = new Headers(init.headers);
  if (useCookies && jar.size) {
    headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
  }
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  const setCookies = res.headers.getSetCookie();
  for (const c of setCookies) {
    const [pair, ...attrs] = c.split(';');
    const i = pair.indexOf('=');
    const name = pair.slice(0, i).trim();
    if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) {
      jar.delete(name);
    } else {
      jar.set(name, pair.slice(i + 1).trim());
    }
  }
  return { status: res.status, headers: res.headers, text: await res.text(), setCookies };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

const unescapeHtml = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Reads an auto-post form (action + hidden fields) out of an HTML page. */
export function parseAutoPost(html: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form[^>]*action="([^"]*)"/i.exec(html);
  if (!form) {
    return null;
  }
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) {
    fields[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  }
  return { action: unescapeHtml(form[1]), fields };
}

/** Reads `<script type="application/json" id="…">` data out of a page. */
export function readJsonScript(html: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  return m ? (JSON.parse(m[1]) as unknown) : null;
}

function decodePayload(jwt: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
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
export async function startLtiTestbed(opts: { fixture?: string; clock?: Clock } = {}): Promise<LtiTestbed> {
  const { createTestApp } = await import('./app');
  const { buildFixtureZip } = await import('./scorm-package.builder');
  const app = await createTestApp({}, { clock: opts.clock });
  const emu = await PlatformEmulator.start({ toolUrl: app.appUrl });
  const reg = await fetch(`${app.appUrl}/api/platforms`, { method: 'POST', headers: { ...app.auth, 'Content-Type': 'application/json' }, body: JSON.stringify(emu.registrationBody()) });
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
