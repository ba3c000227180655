import * as http from 'node:http';

/**
 * The AGS side of the platform emulator (src/grades/README.md): line item container and items, and the
 * score endpoint, recording every request with its headers. Behaves like the spec (a stale score is
 * silently ignored), like Canvas (400 when the stored result is newer) or like Moodle (409 when the
 * stored second is the same or newer; line item URLs `…/lineitem?type_id=N`), and fails on demand.
 *
 * It runs inside the PlatformEmulator (its `route` hook, `attachAgs`) or standalone with its own token
 * endpoint (`startAgsPlatform` in ags-platform.ts).
 */
export type AgsBehaviour = 'spec' | 'canvas' | 'moodle';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
  at: number;
}

export interface EmulatedLineItem {
  id: string;
  n: number;
  context: string;
  label: string;
  scoreMaximum: number;
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
}

export interface StoredResult {
  timestamp: number;
  score: Record<string, unknown>;
}

type Failure = { kind: 'status'; status: number; body: string; retryAfter?: string } | { kind: 'hang' };

const SCORE_TYPE = 'application/vnd.ims.lis.v1.score+json';
const SCOPE = {
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
};
const ACTIVITY = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
const GRADING = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];

export class AgsEmulator {
  behaviour: AgsBehaviour = 'spec';
  /** Every request to an AGS route, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  readonly lineItems: EmulatedLineItem[] = [];
  /** Gradebook: (line item id, userId) → newest accepted score. */
  readonly results = new Map<string, StoredResult>();
  /** Added to every AGS answer (ms). */
  latencyMs = 0;
  private failures: Failure[] = [];
  private unauthorizedOnce = 0;
  private readonly hung = new Set<http.ServerResponse>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly checkAccessToken: (authorization: string | undefined, scope: string) => boolean,
  ) {}

  /** Creates a line item the platform "already has" (declarative route) and returns its URL. */
  addLineItem(opts: { context?: string; label?: string; scoreMaximum?: number; resourceLinkId?: string; tag?: string } = {}): string {
    return this.insertLineItem({ context: opts.context ?? 'ctx1', label: opts.label ?? 'Course', scoreMaximum: opts.scoreMaximum ?? 100, resourceLinkId: opts.resourceLinkId, tag: opts.tag }).id;
  }

  lineItemsUrl(context = 'ctx1'): string {
    return `${this.baseUrl()}/ags/${context}/lineitems${this.behaviour === 'moodle' ? '?type_id=0' : ''}`;
  }

  /** The next `n` score/line item calls answer `status` (5xx, 429, 4xx). */
  failNext(n: number, status: number, body = 'Service unavailable', retryAfter?: string): void {
    for (let i = 0; i < n; i++) {
      this.failures.push({ kind: 'status', status, body, retryAfter });
    }
  }

  /** The next `n` calls never get an answer (and are not applied): a timeout for the tool. */
  hangNext(n: number): void {
    for (let i = 0; i < n; i++) {
      this.failures.push({ kind: 'hang' });
    }
  }

  /** Drops the failures still queued and ends the hung calls: the platform answers normally again. */
  recover(): void {
    this.failures = [];
    this.releaseHung();
  }

  /** The next score POST answers 401 whatever its token (a token revoked by the platform). */
  unauthorizedNext(n = 1): void {
    this.unauthorizedOnce += n;
  }

  /** Score POSTs received (accepted or not). */
  scoreRequests(): Array<RecordedRequest & { score: Record<string, unknown> }> {
    return this.requests.filter((r) => r.method === 'POST' && /\/scores$/.test(new URL(r.url).pathname)).map((r) => ({ ...r, score: JSON.parse(r.body) as Record<string, unknown> }));
  }

  grade(lineItemUrl: string, userId: string): StoredResult | undefined {
    return this.results.get(`${this.itemFromUrl(lineItemUrl)?.id}|${userId}`);
  }

  reset(): void {
    this.requests.length = 0;
    this.lineItems.length = 0;
    this.results.clear();
    this.failures = [];
    this.unauthorizedOnce = 0;
    this.latencyMs = 0;
    this.behaviour = 'spec';
    this.releaseHung();
  }

  /** Ends connections left hanging (call before stopping the server). */
  releaseHung(): void {
    for (const res of this.hung) {
      res.destroy();
    }
    this.hung.clear();
  }

  /** Handles an AGS request; false when the path is not an AGS route. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<boolean> {
    const url = new URL(req.url ?? '/', this.baseUrl());
    const m = /^\/ags\/([^/]+)\/lineitems(?:\/(\d+)(\/lineitem)?(\/scores)?)?\/?$/.exec(url.pathname);
    if (!m) {
      return false;
    }
    const rec: RecordedRequest = { method: req.method ?? 'GET', url: url.toString(), headers: req.headers, body, status: 0, at: Date.now() };
    this.requests.push(rec);
    const send = async (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      if (this.latencyMs) {
        await new Promise((r) => setTimeout(r, this.latencyMs));
      }
      const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'Content-Type': typeof payload === 'string' ? 'text/plain' : 'application/json', ...headers });
      res.end(text);
    };
    const failure = this.failures.shift();
    if (failure?.kind === 'hang') {
      rec.status = -1;
      this.hung.add(res);
      return true;
    }
    if (failure) {
      await send(failure.status, failure.body, failure.retryAfter ? { 'Retry-After': failure.retryAfter } : {});
      return true;
    }
    const [, context, n, , scores] = m;
    if (!n) {
      return this.container(req, res, url, context, body, send);
    }
    const item = this.lineItems.find((i) => i.n === Number(n) && i.context === context);
    if (!item) {
      await send(404, 'Line item does not exist');
      return true;
    }
    if (!scores) {
      if (!this.checkAccessToken(req.headers.authorization, SCOPE.lineItem) && !this.checkAccessToken(req.headers.authorization, SCOPE.lineItemReadonly)) {
        await send(401, 'Unauthorized');
        return true;
      }
      await send(200, this.itemJson(item));
      return true;
    }
    if (req.method !== 'POST') {
      await send(405, 'Scores are write-only');
      return true;
    }
    if (this.unauthorizedOnce > 0) {
      this.unauthorizedOnce--;
      await send(401, 'Invalid access token');
      return true;
    }
    if (!this.checkAccessToken(req.headers.authorization, SCOPE.score)) {
      await send(401, 'This resource does not support POST requests');
      return true;
    }
    if ((req.headers['content-type'] ?? '').split(';')[0].trim() !== SCORE_TYPE) {
      await send(415, `Content-Type must be ${SCORE_TYPE}`);
      return true;
    }
    await this.score(item, body, send);
    return true;
  }

  private async container(req: http.IncomingMessage, res: http.ServerResponse, url: URL, context: string, body: string, send: (s: number, p: unknown, h?: Record<string, string>) => Promise<void>): Promise<boolean> {
    if (req.method === 'GET') {
      if (!this.checkAccessToken(req.headers.authorization, SCOPE.lineItem) && !this.checkAccessToken(req.headers.authorization, SCOPE.lineItemReadonly)) {
        await send(401, 'Unauthorized');
        return true;
      }
      const rl = url.searchParams.get('resource_link_id');
      const tag = url.searchParams.get('tag');
      const items = this.lineItems.filter((i) => i.context === context && (!rl || i.resourceLinkId === rl) && (!tag || i.tag === tag));
      await send(200, items.map((i) => this.itemJson(i)));
      return true;
    }
    if (req.method === 'POST') {
      if (!this.checkAccessToken(req.headers.authorization, SCOPE.lineItem)) {
        await send(401, 'Unauthorized');
        return true;
      }
      const input = JSON.parse(body || '{}') as Partial<EmulatedLineItem>;
      if (!input.label || typeof input.scoreMaximum !== 'number' || input.scoreMaximum <= 0) {
        await send(400, 'label and a positive scoreMaximum are required');
        return true;
      }
      const item = this.insertLineItem({ context, label: input.label, scoreMaximum: input.scoreMaximum, resourceLinkId: input.resourceLinkId, resourceId: input.resourceId, tag: input.tag });
      await send(201, this.itemJson(item));
      return true;
    }
    await send(405, 'Method not allowed');
    return true;
  }

  private async score(item: EmulatedLineItem, body: string, send: (s: number, p: unknown) => Promise<void>): Promise<void> {
    let score: Record<string, unknown>;
    try {
      score = JSON.parse(body) as Record<string, unknown>;
    } catch {
      await send(400, 'Malformed JSON');
      return;
    }
    const ts = typeof score.timestamp === 'string' && /T.*(Z|[+-]\d\d:?\d\d)$/.test(score.timestamp) ? Date.parse(score.timestamp) : NaN;
    if (typeof score.userId !== 'string' || !score.userId || Number.isNaN(ts)) {
      await send(400, 'userId and an ISO 8601 timestamp with a zone are required');
      return;
    }
    if (!ACTIVITY.includes(score.activityProgress as string) || !GRADING.includes(score.gradingProgress as string)) {
      await send(400, 'Invalid activityProgress or gradingProgress');
      return;
    }
    if (score.scoreGiven !== undefined && score.scoreGiven !== null && typeof score.scoreMaximum !== 'number') {
      await send(422, 'ScoreMaximum not supplied when ScoreGiven present');
      return;
    }
    const key = `${item.id}|${score.userId}`;
    const stored = this.results.get(key);
    if (stored) {
      if (this.behaviour === 'canvas' && stored.timestamp > ts) {
        await send(400, { errors: { type: 'bad_request', message: `Provided timestamp of ${score.timestamp} before last updated timestamp of ${new Date(stored.timestamp).toISOString()}` } });
        return;
      }
      if (this.behaviour === 'moodle' && Math.floor(stored.timestamp / 1000) >= Math.floor(ts / 1000)) {
        await send(409, 'Refusing score with an earlier timestamp for item');
        return;
      }
      if (this.behaviour === 'spec' && stored.timestamp >= ts) {
        await send(200, undefined); // AGS §3.4.9: the platform may just ignore an older score
        return;
      }
    }
    this.results.set(key, { timestamp: ts, score });
    await send(this.behaviour === 'canvas' ? 200 : 200, this.behaviour === 'canvas' ? { resultUrl: `${item.id}/results/${encodeURIComponent(score.userId)}` } : undefined);
  }

  private insertLineItem(i: Omit<EmulatedLineItem, 'id' | 'n'>): EmulatedLineItem {
    const n = this.lineItems.length + 1;
    const base = `${this.baseUrl()}/ags/${i.context}/lineitems/${n}`;
    const item = { ...i, n, id: this.behaviour === 'moodle' ? `${base}/lineitem?type_id=${n}` : base };
    this.lineItems.push(item);
    return item;
  }

  private itemFromUrl(url: string): EmulatedLineItem | undefined {
    return this.lineItems.find((i) => i.id === url);
  }

  private itemJson(i: EmulatedLineItem): Record<string, unknown> {
    return { id: i.id, label: i.label, scoreMaximum: i.scoreMaximum, resourceLinkId: i.resourceLinkId, resourceId: i.resourceId, tag: i.tag };
  }
}

/** The subset of PlatformEmulator the AGS routes need (its `route` hook and token check). */
export interface RouteHost {
  url: string;
  route(method: string, pathPrefix: string, handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void | Promise<void>): void;
  checkAccessToken(header: string | string[] | undefined, scope: string): { ok: boolean };
}

/**
 * Serves the AGS routes from the full PlatformEmulator (`emulator.route`), so a launch from the
 * emulator carries line item URLs that it answers itself, with tokens from its own token endpoint.
 */
export function attachAgs(emulator: RouteHost): AgsEmulator {
  const ags = new AgsEmulator(
    () => emulator.url,
    (header, scope) => emulator.checkAccessToken(header, scope).ok,
  );
  for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
    emulator.route(method, '/ags/', async (req, res, body) => {
      if (!(await ags.handle(req, res, body))) {
        res.writeHead(404).end();
      }
    });
  }
  return ags;
}
