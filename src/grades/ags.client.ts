import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setBounded } from '../common/bounded-map';
import { Clock } from '../common/clock';
import { CLAIM } from '../lti/protocol/claims';
import { AGS_MEDIA, nextLink, scoresUrl, withQuery } from './ags-urls';
import { AgsCredentials, AgsLineItem, AgsNetworkError, AgsScore, AgsTokenError, ClientAssertionSigner, HttpAnswer } from './ags.types';

const USER_AGENT = 'scorm-lti-bridge (LTI AGS client)';
/** Keep a token until this long before its expiry (src/grades/README.md: expires_in − 60 s). */
const TOKEN_MARGIN_MS = 60_000;
/**
 * Most access tokens kept (one per platform, token endpoint, client, deployment and scope set).
 * Expired ones are dropped from the oldest on as new ones are kept, and when asked for again.
 */
const TOKENS_MAX = 10_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface AgsCallOptions {
  timeoutMs: number;
  /** Aborted when the worker stops (shutdown): the call fails as a network error. */
  signal?: AbortSignal;
}

/**
 * Outbound LTI Advantage calls (AGS here, and the NRPS roster of src/roster through `accessToken` and `get`): access tokens (client-credentials grant with an RS256 client
 * assertion, cached per platform, deployment and scope set, single-flight), line items and scores
 * with the exact media types (src/grades/README.md). Knows nothing about the outbox: it reports what the
 * platform answered and the dispatcher decides.
 */
@Injectable()
export class AgsClient {
  private readonly logger = new Logger(AgsClient.name);
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly signer: ClientAssertionSigner,
    private readonly clock: Clock,
  ) {}

  /**
   * An access token for these scopes. Cached until shortly before expiry; `refresh` evicts the
   * cached one first (after a service 401, src/grades/README.md "evict and retry once").
   */
  async accessToken(creds: AgsCredentials, scopes: string[], opts: AgsCallOptions & { refresh?: boolean }): Promise<string> {
    const scope = [...new Set(scopes)].sort().join(' ');
    const key = `${creds.platformId}|${creds.tokenEndpoint}|${creds.clientId}|${creds.deploymentId}|${scope}`;
    const cached = opts.refresh ? undefined : this.tokens.get(key);
    if (cached && cached.expiresAt > this.clock.now()) {
      return cached.token;
    }
    this.tokens.delete(key); // evicted (refresh) or expired
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.requestToken(creds, scope, opts).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const fresh = await pending;
    const now = this.clock.now();
    setBounded(this.tokens, key, fresh, TOKENS_MAX, (t) => t.expiresAt <= now);
    return fresh.token;
  }


  private async requestToken(creds: AgsCredentials, scope: string, opts: AgsCallOptions): Promise<CachedToken> {
    // Core §6.2 / Sec §4.1.1: iss = sub = client_id, aud = the authorization server, unique jti,
    // and the deployment id (Core rev. 2023 §6.2.1) since some platforms scope tokens per deployment.
    const assertion = await this.signer.sign(
      {
        iss: creds.clientId,
        sub: creds.clientId,
        aud: creds.tokenAudience || creds.tokenEndpoint,
        jti: randomUUID(),
        [CLAIM.deploymentId]: creds.deploymentId,
      },
      300,
    );
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    });
    let answer: HttpAnswer;
    try {
      answer = await this.http(creds.tokenEndpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body: body.toString() }, opts);
    } catch (err) {
      throw new AgsTokenError(`The token endpoint could not be reached: ${(err as Error).message}`);
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw new AgsTokenError(`The token endpoint answered ${answer.status}: ${summarize(answer.body)}`, answer.status);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown; token_type?: unknown };
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
      throw new AgsTokenError('The token endpoint answered with something that is not JSON.', answer.status);
    }
    if (typeof parsed.access_token !== 'string' || !parsed.access_token) {
      throw new AgsTokenError('The token endpoint answer has no access_token.', answer.status);
    }
    const expiresIn = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 3600;
    this.logger.debug(`New AGS access token for platform ${creds.platformId} (${scope})`);
    return { token: parsed.access_token, expiresAt: this.clock.now() + Math.max(0, expiresIn * 1000 - TOKEN_MARGIN_MS) };
  }

  /** POSTs a score to `{lineitem}/scores` (AGS §3.4.1; the query string is kept). */
  postScore(lineItemUrl: string, token: string, score: AgsScore, opts: AgsCallOptions): Promise<HttpAnswer> {
    return this.http(
      scoresUrl(lineItemUrl),
      { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': AGS_MEDIA.score, Accept: 'application/json' }, body: JSON.stringify(score) },
      opts,
    );
  }

  /** Lists line items filtered by resource link, following `rel="next"` pages as given (AGS §3.2). */
  async findLineItems(lineItemsUrl: string, token: string, resourceLinkId: string, opts: AgsCallOptions): Promise<AgsLineItem[] | HttpAnswer> {
    const found: AgsLineItem[] = [];
    let url: string | undefined = withQuery(lineItemsUrl, { resource_link_id: resourceLinkId });
    for (let page = 0; url && page < 50; page++) {
      const answer = await this.get(url, token, AGS_MEDIA.lineItemContainer, opts);
      if (answer.status !== 200) {
        return answer;
      }
      const items = JSON.parse(answer.body || '[]') as AgsLineItem[];
      found.push(...(Array.isArray(items) ? items : []));
      url = nextLink(answer.headers.get('link'));
    }
    return found;
  }

  /**
   * A GET of an LTI Advantage service with a bearer token and the exact media type (AGS line items,
   * NRPS memberships: src/roster). The answer as the platform gave it; the caller judges the status.
   */
  get(url: string, token: string, accept: string, opts: AgsCallOptions): Promise<HttpAnswer> {
    return this.http(url, { method: 'GET', headers: { Authorization: `Bearer ${token}`, Accept: accept } }, opts);
  }

  /** Creates a line item in the container (AGS §3.2); the answer carries its `id` (its URL). */
  createLineItem(lineItemsUrl: string, token: string, item: Omit<AgsLineItem, 'id'>, opts: AgsCallOptions): Promise<HttpAnswer> {
    return this.http(
      lineItemsUrl,
      { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': AGS_MEDIA.lineItem, Accept: AGS_MEDIA.lineItem }, body: JSON.stringify(item) },
      opts,
    );
  }

  /** One request with the timeout, the stop signal and the network error mapping of every platform call (AGS, NRPS, Basic Outcomes). */
  async http(url: string, init: { method: string; headers: Record<string, string>; body?: string }, opts: AgsCallOptions): Promise<HttpAnswer> {
    const signals = [AbortSignal.timeout(opts.timeoutMs)];
    if (opts.signal) {
      signals.push(opts.signal);
    }
    try {
      const res = await fetch(url, { ...init, headers: { 'User-Agent': USER_AGENT, ...init.headers }, signal: AbortSignal.any(signals), redirect: 'manual' });
      return { status: res.status, body: await res.text(), headers: res.headers };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (opts.signal?.aborted) {
        throw new AgsNetworkError('the request was cancelled because the server is stopping', true);
      }
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new AgsNetworkError(`no answer within ${opts.timeoutMs} ms`);
      }
      throw new AgsNetworkError(e.cause?.code ? `${e.cause.code}` : e.message);
    }
  }
}

/** The first 300 characters of a platform's answer, on one line, for the console's "last error". */
export function summarize(body: string): string {
  const oneLine = body.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine || '(empty answer)';
}
