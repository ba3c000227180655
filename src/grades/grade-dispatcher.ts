import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { ResourceLink } from '../attempts/resource-link.entity';
import { PlatformsService } from '../platforms/platforms.service';
import { SCOPES } from '../lti/protocol/claims';
import { AgsClient, summarize } from './ags.client';
import { AgsCredentials, AgsLineItem, AgsNetworkError, AgsScore, AgsTokenError, HttpAnswer } from './ags.types';
import { backoffDelay, retryAfterMs } from './backoff';
import { GradeDelivery } from './grade-delivery.entity';
import { GradesRepository } from './grades.repository';

/** How often the worker looks for due rows when nobody kicked it. */
const POLL_MS = 250;
/** Most sends in flight at once. */
const CONCURRENCY = 16;
/** Sends for one (line item, user) at least this far apart (Moodle compares whole seconds; LTI-CHECKLIST §2.3). */
const MIN_SPACING_MS = 1000;

type Outcome =
  | { kind: 'sent'; status: number }
  | { kind: 'superseded'; status: number; message: string }
  | { kind: 'failed'; status: number | null; message: string }
  | { kind: 'retry'; status: number | null; message: string; afterMs?: number }
  | { kind: 'wait'; until: number }
  | { kind: 'aborted' };

/**
 * The AGS timestamp for a new send: the result's commit time, but at least a second after the last
 * one put on the wire, so it is strictly increasing per (line item, user) even for Moodle's
 * whole-second comparison (AGS §3.4.9, LTI-CHECKLIST §2.3). The caller waits until it is not in the
 * future before sending.
 */
export function nextScoreTimestamp(resultAt: number, lastTimestamp: string | null): number {
  const last = lastTimestamp ? Date.parse(lastTimestamp) : -Infinity;
  return Math.max(resultAt, last + MIN_SPACING_MS);
}

/**
 * Decides what a score POST answer means (DESIGN §6, LTI-CHECKLIST §2.3, §2.4): 2xx sent;
 * Canvas 400 "timestamp … before …" and Moodle 409 superseded (the platform holds a newer score);
 * 5xx, 429 and 408 retried with backoff; any other 4xx failed with the platform's message.
 */
export function judgeScoreAnswer(answer: HttpAnswer, now: number): Outcome {
  const { status } = answer;
  if (status >= 200 && status < 300) {
    return { kind: 'sent', status };
  }
  const message = `The platform answered ${status}: ${summarize(answer.body)}`;
  if (status === 409 || (status === 400 && /timestamp/i.test(answer.body))) {
    return { kind: 'superseded', status, message };
  }
  if (status >= 500 || status === 429 || status === 408) {
    return { kind: 'retry', status, message, afterMs: retryAfterMs(answer.headers.get('retry-after'), now) };
  }
  return { kind: 'failed', status, message };
}

/**
 * The grade outbox worker (DESIGN §6; Vendure's SQL job queue as the model, STYLE §4.3). Polls for
 * due rows, claims each with a conditional UPDATE (state and time checked in the WHERE clause, the
 * affected-row count decides: works on SQLite, which has no row locks, and on Postgres with several
 * instances), sends it, and settles it only if its claim is still the current one. A row left
 * `sending` by a crashed or stopped process becomes claimable again when its lock expires.
 */
@Injectable()
export class GradeDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(GradeDispatcher.name);
  private timer: NodeJS.Timeout | null = null;
  private kickTimer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopSignal = new AbortController();
  private readonly lineItemFlights = new Map<string, Promise<string>>();

  constructor(
    private readonly repo: GradesRepository,
    private readonly platforms: PlatformsService,
    private readonly ags: AgsClient,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  /** Stops polling, cancels sends in flight (their rows stay claimable) and waits for them to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
    }
    if (this.kickTimer) {
      clearTimeout(this.kickTimer);
    }
    this.stopSignal.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Looks for due rows right away (a row was just written); coalesces bursts of kicks. */
  kick(): void {
    if (this.stopped || this.kickTimer) {
      return;
    }
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      void this.tick();
    }, 5);
  }

  /** One pass: find due rows, claim and start sending as many as the concurrency allows. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) {
      return;
    }
    this.ticking = true;
    try {
      const free = CONCURRENCY - this.inFlight.size;
      if (free <= 0) {
        return;
      }
      for (const id of await this.repo.listDeliveriesDue(Date.now(), free)) {
        const row = await this.claim(id, Date.now());
        if (row && !this.stopped) {
          const p: Promise<void> = this.deliver(row)
            .catch((err: Error) => this.logger.error(`Grade delivery ${id} crashed: ${err.message}`, err.stack))
            .finally(() => {
              this.inFlight.delete(p);
              if (!this.stopped) {
                this.kick();
              }
            });
          this.inFlight.add(p);
        }
      }
    } catch (err) {
      if (!this.stopped) {
        this.logger.error(`Grade outbox poll failed: ${(err as Error).message}`);
      }
    } finally {
      this.ticking = false;
    }
  }

  /** The lock of a claim: long enough for a token request, a line item look-up and the score POST. */
  private get lockMs(): number {
    return this.config.gradeHttpTimeoutMs * 4 + 1000;
  }

  /**
   * Claims one row by a conditional UPDATE and checks the affected-row count (STYLE §4.3): a due
   * pending/retry row, or a `sending` row whose lock expired (its worker died or was stopped).
   */
  async claim(id: string, now: number): Promise<GradeDelivery | null> {
    return this.repo.claimDelivery(id, now, now + this.lockMs, randomUUID());
  }

  private async deliver(row: GradeDelivery): Promise<void> {
    const outcome = await this.send(row);
    await this.settle(row, outcome);
  }

  private async send(row: GradeDelivery): Promise<Outcome> {
    const opts = { timeoutMs: this.config.gradeHttpTimeoutMs, signal: this.stopSignal.signal };
    try {
      const link = await this.repo.findResourceLink(row.resourceLinkId);
      if (!link) {
        return { kind: 'failed', status: null, message: 'The resource link of this grade no longer exists.' };
      }
      const platform = await this.platforms.get(row.platformId);
      const creds: AgsCredentials = {
        platformId: platform.id,
        clientId: platform.clientId,
        tokenEndpoint: platform.tokenEndpoint,
        tokenAudience: platform.tokenAudience,
        deploymentId: link.deploymentId,
      };
      const lineItemUrl = link.agsLineItemUrl || link.lineItemUrl || (await this.ensureLineItem(link, creds, opts));
      // The timestamp is fixed at the first send of a version and written before the POST, so a resend
      // after a crash carries the same one (the platform sees a duplicate, not a newer score).
      let timestamp = row.scoreTimestamp;
      if (!timestamp) {
        const at = nextScoreTimestamp(row.resultAt, row.lastTimestamp);
        if (at > Date.now()) {
          return { kind: 'wait', until: at };
        }
        timestamp = new Date(at).toISOString();
        if (!(await this.repo.updateClaimedDelivery({ id: row.id, claimToken: row.claimToken! }, { scoreTimestamp: timestamp, lastTimestamp: timestamp }))) {
          return { kind: 'aborted' };
        }
        row.scoreTimestamp = timestamp;
        row.lastTimestamp = timestamp;
      }
      const score: AgsScore = { userId: row.userId, timestamp, ...row.payload };
      let token = await this.ags.accessToken(creds, [SCOPES.score], opts);
      let answer = await this.ags.postScore(lineItemUrl, token, score, opts);
      if (answer.status === 401) {
        token = await this.ags.accessToken(creds, [SCOPES.score], { ...opts, refresh: true });
        answer = await this.ags.postScore(lineItemUrl, token, score, opts);
      }
      return judgeScoreAnswer(answer, Date.now());
    } catch (err) {
      if (err instanceof AgsNetworkError && err.aborted) {
        return { kind: 'aborted' };
      }
      if (err instanceof AgsNetworkError || err instanceof AgsTokenError) {
        return { kind: 'retry', status: err instanceof AgsTokenError ? (err.status ?? null) : null, message: err.message };
      }
      if (err instanceof LineItemError) {
        return err.retry ? { kind: 'retry', status: err.status, message: err.message } : { kind: 'failed', status: err.status, message: err.message };
      }
      throw err;
    }
  }

  /**
   * Settles a send, only if this worker's claim is still the row's claim. If a newer result arrived
   * while sending (`version` moved), the row goes back to pending for it, at least a second later.
   */
  private async settle(row: GradeDelivery, outcome: Outcome): Promise<void> {
    const now = Date.now();
    const mine = { id: row.id, claimToken: row.claimToken! };
    if (outcome.kind === 'aborted') {
      // Stopping: leave the row to the next process; release the claim so it need not wait for the lock.
      await this.repo.updateClaimedDelivery({ ...mine, version: row.version }, { state: 'retry', lockedUntil: null, claimToken: null, nextAttemptAt: now }).catch(() => undefined);
      return;
    }
    if (outcome.kind === 'wait') {
      await this.repo.updateClaimedDelivery(mine, { state: 'pending', lockedUntil: null, claimToken: null, nextAttemptAt: outcome.until });
      return;
    }
    const base: Partial<GradeDelivery> = { lockedUntil: null, claimToken: null, lastStatus: outcome.status };
    let patch: Partial<GradeDelivery>;
    switch (outcome.kind) {
      case 'sent':
        patch = { ...base, state: 'sent', sentAt: now, sentPayload: row.payload, lastError: null, tries: row.tries + 1 };
        break;
      case 'superseded':
        this.logger.warn(`Grade delivery ${row.id} superseded: ${outcome.message}`);
        patch = { ...base, state: 'superseded', lastError: outcome.message, tries: row.tries + 1 };
        break;
      case 'failed':
        this.logger.warn(`Grade delivery ${row.id} failed: ${outcome.message}`);
        patch = { ...base, state: 'failed', lastError: outcome.message, tries: row.tries + 1 };
        break;
      case 'retry': {
        const delay = Math.max(outcome.afterMs ?? 0, backoffDelay(row.tries + 1, this.config.gradeRetryBaseMs, this.config.gradeRetryMaxMs));
        this.logger.warn(`Grade delivery ${row.id} will be retried in ${delay} ms: ${outcome.message}`);
        patch = { ...base, state: 'retry', lastError: outcome.message, tries: row.tries + 1, nextAttemptAt: now + delay };
        break;
      }
    }
    if (await this.repo.updateClaimedDelivery({ ...mine, version: row.version }, patch)) {
      return;
    }
    // A newer result replaced the payload while this one was in flight: queue it.
    const accepted = outcome.kind === 'sent';
    await this.repo.updateClaimedDelivery(mine, {
      state: 'pending',
      lockedUntil: null,
      claimToken: null,
      tries: 0,
      lastStatus: outcome.status,
      lastError: accepted ? null : outcome.message,
      nextAttemptAt: accepted ? now + MIN_SPACING_MS : outcome.kind === 'retry' ? (patch.nextAttemptAt ?? now) : now,
      ...(accepted ? { sentAt: now, sentPayload: row.payload } : {}),
    });
  }

  /**
   * Finds or creates our own line item when the claim has only `lineitems` (AGS §4.3, LTI-CHECKLIST
   * §2.1: the certification launch carries only the container): GET by resource link first (Moodle
   * does not de-duplicate), else POST `{resourceLinkId, label, scoreMaximum: 100}`. One flight per
   * link, and the URL is kept on the ResourceLink so it is created once.
   */
  private ensureLineItem(link: ResourceLink, creds: AgsCredentials, opts: { timeoutMs: number; signal: AbortSignal }): Promise<string> {
    let flight = this.lineItemFlights.get(link.id);
    if (!flight) {
      flight = this.findOrCreateLineItem(link, creds, opts).finally(() => this.lineItemFlights.delete(link.id));
      this.lineItemFlights.set(link.id, flight);
    }
    return flight;
  }

  private async findOrCreateLineItem(link: ResourceLink, creds: AgsCredentials, opts: { timeoutMs: number; signal: AbortSignal }): Promise<string> {
    const fresh = await this.repo.findResourceLink(link.id);
    if (fresh?.lineItemUrl) {
      return fresh.lineItemUrl;
    }
    if (!link.agsLineItemsUrl) {
      throw new LineItemError('The launch sent no line item and no line items container: there is nowhere to post the score.', null, false);
    }
    const token = await this.ags.accessToken(creds, [SCOPES.lineItem, SCOPES.score], opts);
    const found = await this.ags.findLineItems(link.agsLineItemsUrl, token, link.resourceLinkId, opts);
    if (!Array.isArray(found)) {
      throw LineItemError.from('list the line items', found);
    }
    let url = found.find((i) => i.resourceLinkId === link.resourceLinkId)?.id;
    if (!url) {
      const item: Omit<AgsLineItem, 'id'> = { label: link.title?.trim() || 'SCORM course', scoreMaximum: 100, resourceLinkId: link.resourceLinkId, resourceId: link.courseId };
      const answer = await this.ags.createLineItem(link.agsLineItemsUrl, token, item, opts);
      if (answer.status < 200 || answer.status >= 300) {
        throw LineItemError.from('create a line item', answer);
      }
      url = (JSON.parse(answer.body) as AgsLineItem).id;
      if (!url) {
        throw new LineItemError('The platform created a line item but did not say its id (URL).', answer.status, false);
      }
      this.logger.log(`Created line item ${url} for resource link ${link.id}`);
    }
    await this.repo.setLineItemUrl(link.id, url);
    return url;
  }
}

class LineItemError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retry: boolean,
  ) {
    super(message);
  }

  static from(what: string, answer: HttpAnswer): LineItemError {
    const retry = answer.status >= 500 || answer.status === 429 || answer.status === 401;
    return new LineItemError(`Could not ${what}: the platform answered ${answer.status}: ${summarize(answer.body)}`, answer.status, retry);
  }
}
