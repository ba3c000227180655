import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { Clock, ClockTimer } from '../common/clock';
import { ResourceLink } from '../attempts/resource-link.entity';
import { PlatformsService } from '../platforms/platforms.service';
import { SCOPES } from '../lti/protocol/claims';
import { AgsClient } from './ags.client';
import { AgsCredentials, AgsNetworkError, AgsScore, AgsTokenError } from './ags.types';
import { judgeScoreAnswer, MIN_SPACING_MS, nextScoreTimestamp, Outcome } from './send-outcome';
import { backoffDelay, retryAfterMs } from './backoff';
import { GradeDelivery } from './grade-delivery.entity';
import { GradesRepository } from './grades.repository';
import { Lti11CredentialsService } from '../lti11/lti11-credentials.service';
import { signedBodyAuthorization } from '../lti11/oauth1';
import { judgeOutcomeAnswer, outcomeScore, replaceResultXml } from './basic-outcomes';
import { LineItemBusy, LineItemError, LineItems } from './line-items';

/**
 * The longest the worker sleeps without a look at the table. It is woken when a row is written here
 * and when the next row falls due; this poll only catches rows written or released by another instance.
 */
const FALLBACK_POLL_MS = 5000;
/**
 * Kicks within this window make one pass: under a stream of commits the worker reads the outbox a
 * few hundred times a second at most, not once per commit (each pass is a query on the commit path's
 * connection).
 */
const KICK_COALESCE_MS = 5;
/** Most sends in flight at once. */
const CONCURRENCY = 16;
/**
 * The grade outbox worker (src/grades/README.md; Vendure's SQL job queue as the model). Woken when
 * a row is written (`kick`) and when the next row falls due (one Clock timer), with a slow fallback
 * poll; each pass claims due rows in one UPDATE (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
 * instances share the queue and never claim one row twice), sends them, and settles each only if its
 * claim is still the current one. A row left `sending` by a crashed or stopped process becomes
 * claimable again when its lease expires. All times come from the Clock, so tests move time instead
 * of waiting for it.
 */
@Injectable()
export class GradeDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(GradeDispatcher.name);
  private wakeTimer: ClockTimer | null = null;
  /** The pass running now, if any; passes never overlap. */
  private pass: Promise<void> | null = null;
  /** A pass is queued: kicks within one coalescing window make one pass. */
  private passQueued = false;
  /** Kicked while a pass ran: it goes round once more, as the rows it read may be stale. */
  private kickedDuringPass = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopSignal = new AbortController();

  constructor(
    private readonly repo: GradesRepository,
    private readonly platforms: PlatformsService,
    private readonly ags: AgsClient,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly lti11: Lti11CredentialsService,
    private readonly lineItems: LineItems,
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
    this.kick();
  }

  /** Stops the worker, cancels sends in flight (their rows stay claimable) and waits for them to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeTimer?.cancel();
    this.stopSignal.abort();
    await Promise.allSettled([this.pass, ...this.inFlight]);
  }

  /** Looks for due rows soon (a row was just written or a send ended); kicks within KICK_COALESCE_MS make one pass. */
  kick(): void {
    if (this.stopped) {
      return;
    }
    if (this.pass) {
      this.kickedDuringPass = true;
      return;
    }
    if (this.passQueued) {
      return;
    }
    this.passQueued = true;
    setTimeout(() => {
      this.passQueued = false;
      if (!this.stopped && !this.pass) {
        this.pass = this.passes().finally(() => (this.pass = null));
      }
    }, KICK_COALESCE_MS);
  }

  /**
   * Resolves once nothing is due now: no pass running or queued and no send in flight. Rows due later
   * wait for their timer; tests move their clock and then await this.
   */
  async idle(): Promise<void> {
    while (this.pass || this.passQueued || this.inFlight.size > 0) {
      await Promise.allSettled([this.pass, ...this.inFlight]);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Passes until no kick came in during one, then sets the timer for the next due row. */
  private async passes(): Promise<void> {
    do {
      this.kickedDuringPass = false;
      await this.tick();
      if (this.kickedDuringPass) {
        await new Promise((resolve) => setTimeout(resolve, KICK_COALESCE_MS));
      } else {
        await this.scheduleWake();
      }
    } while (this.kickedDuringPass && !this.stopped);
  }

  /** One pass: find due rows, claim and start sending as many as the concurrency allows. */
  private async tick(): Promise<void> {
    try {
      const free = CONCURRENCY - this.inFlight.size;
      if (free <= 0 || this.stopped) {
        return;
      }
      const now = this.clock.now();
      for (const row of await this.repo.claimDueDeliveries(now, free, now + this.leaseMs, randomUUID())) {
        if (this.stopped) {
          // Stopping while claiming: hand the row straight back instead of leaving it to its lease.
          await this.settle(row, { kind: 'aborted' });
          continue;
        }
        const p: Promise<void> = this.deliver(row)
          .catch((err: Error) => this.logger.error(`Grade delivery ${row.id} crashed: ${err.message}`, err.stack))
          .finally(() => {
            this.inFlight.delete(p);
            this.kick();
          });
        this.inFlight.add(p);
      }
    } catch (err) {
      if (!this.stopped) {
        this.logger.error(`Grade outbox poll failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * The one wake-up timer: when the next queued row falls due or the next claim's lock expires, and
   * no later than the fallback poll. While every send slot is taken, the end of a send wakes the worker.
   */
  private async scheduleWake(): Promise<void> {
    const now = this.clock.now();
    let at = now + FALLBACK_POLL_MS;
    if (this.inFlight.size < CONCURRENCY) {
      try {
        const next = await this.repo.nextDeliveryDueAt();
        if (next !== null) {
          at = Math.min(at, next);
        }
      } catch (err) {
        if (!this.stopped) {
          this.logger.error(`Grade outbox look-ahead failed: ${(err as Error).message}`);
        }
      }
    }
    this.wakeTimer?.cancel();
    if (!this.stopped) {
      this.wakeTimer = this.clock.timeout(at - now, () => this.kick());
    }
  }

  /**
   * The lease of a claim: long enough for a token request, a line item look-up and creation and the
   * score POST, each bounded by GRADE_HTTP_TIMEOUT_MS, with a second to spare; renewed right before
   * each POST (`holdClaim`), so from then on it covers one request four times over. A claim whose
   * instance died is claimed again when it ends.
   */
  private get leaseMs(): number {
    return this.config.gradeHttpTimeoutMs * 4 + 1000;
  }

  /**
   * Right before each POST: renews the claim for a full lease (and keeps `patch`, the timestamp of a
   * first send) only if it is still this worker's claim on this version of the row. A lease that ran
   * out while this send waited (a slow token, line item or database answer, a stalled event loop) and
   * was taken by another worker, or a newer result that arrived meanwhile (it must not inherit this
   * send's timestamp: sent later with it, the platform would keep the older score it holds for that
   * instant), therefore never leads to a POST here: false, and the send hands the row back (`wait`
   * until now, to be sent afresh; a no-op when the claim is another's). From here on the lease
   * outlasts the one request bounded by GRADE_HTTP_TIMEOUT_MS, so two workers never POST one row's
   * score at once (src/grades/README.md, "sent once").
   */
  private async holdClaim(row: GradeDelivery, patch: Partial<GradeDelivery> = {}): Promise<boolean> {
    const held = await this.repo.updateClaimedDelivery({ id: row.id, claimToken: row.claimToken!, version: row.version }, { ...patch, lockedUntil: this.clock.now() + this.leaseMs });
    if (held) {
      Object.assign(row, patch);
    }
    return held;
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
      if (row.kind === 'lti11') {
        return await this.sendOutcome(row, link, opts);
      }
      const platform = await this.platforms.get(row.platformId);
      const creds: AgsCredentials = {
        platformId: platform.id,
        clientId: platform.clientId,
        tokenEndpoint: platform.tokenEndpoint,
        tokenAudience: platform.tokenAudience,
        deploymentId: link.deploymentId,
      };
      const lineItemUrl = link.agsLineItemUrl || link.lineItemUrl || (await this.lineItems.ensure(link, creds, opts, this.leaseMs));
      // The timestamp is fixed at the first send of a version and kept with the claim, so a resend
      // after a timeout or a crash carries the same one (the platform sees a duplicate, not a newer score).
      let timestamp = row.scoreTimestamp;
      let stamp: Partial<GradeDelivery> = {};
      if (!timestamp) {
        const at = nextScoreTimestamp(row.resultAt, row.lastTimestamp);
        if (at > this.clock.now()) {
          return { kind: 'wait', until: at };
        }
        timestamp = new Date(at).toISOString();
        stamp = { scoreTimestamp: timestamp, lastTimestamp: timestamp };
      }
      const score: AgsScore = { userId: row.userId, timestamp, ...row.payload };
      let token = await this.ags.accessToken(creds, [SCOPES.score], opts);
      if (!(await this.holdClaim(row, stamp))) {
        return { kind: 'wait', until: this.clock.now() };
      }
      let answer = await this.ags.postScore(lineItemUrl, token, score, opts);
      if (answer.status === 401) {
        token = await this.ags.accessToken(creds, [SCOPES.score], { ...opts, refresh: true });
        if (!(await this.holdClaim(row))) {
          return { kind: 'wait', until: this.clock.now() };
        }
        answer = await this.ags.postScore(lineItemUrl, token, score, opts);
      }
      return judgeScoreAnswer(answer, this.clock.now());
    } catch (err) {
      if (err instanceof AgsNetworkError && err.aborted) {
        return { kind: 'aborted' };
      }
      if (err instanceof AgsNetworkError || err instanceof AgsTokenError) {
        return { kind: 'retry', status: err instanceof AgsTokenError ? (err.status ?? null) : null, message: err.message };
      }
      if (err instanceof LineItemBusy) {
        return { kind: 'wait', until: this.clock.now() + MIN_SPACING_MS };
      }
      if (err instanceof LineItemError) {
        return err.retry ? { kind: 'retry', status: err.status, message: err.message } : { kind: 'failed', status: err.status, message: err.message };
      }
      throw err;
    }
  }

  /**
   * An LTI 1.1 Basic Outcomes `replaceResult` (src/grades/README.md): the POX body signed with the
   * consumer key's secret and its `oauth_body_hash`. The same claim, spacing, retries and resend as AGS.
   */
  private async sendOutcome(row: GradeDelivery, link: ResourceLink, opts: { timeoutMs: number; signal: AbortSignal }): Promise<Outcome> {
    const [target, consumer] = await Promise.all([this.repo.findOutcomeTarget(row.resourceLinkId, row.learnerId), this.lti11.byPlatform(link.platformId)]);
    const score = outcomeScore(row.payload);
    if (!target || !consumer || score === null) {
      return { kind: 'failed', status: null, message: !score ? 'This result has no final score to send through Basic Outcomes.' : 'The LTI 1.1 outcome service or consumer key of this grade no longer exists.' };
    }
    const at = nextScoreTimestamp(row.resultAt, row.lastTimestamp);
    if (at > this.clock.now()) {
      return { kind: 'wait', until: at };
    }
    const body = replaceResultXml(target.sourcedId, score);
    const authorization = signedBodyAuthorization({
      url: target.serviceUrl,
      body,
      consumerKey: consumer.credential.consumerKey,
      secret: consumer.secret,
      nonce: randomUUID(),
      timestamp: Math.floor(this.clock.now() / 1000),
    });
    const stamp = new Date(this.clock.now()).toISOString();
    if (!(await this.holdClaim(row, { scoreTimestamp: stamp, lastTimestamp: stamp }))) {
      return { kind: 'wait', until: this.clock.now() };
    }
    const answer = await this.ags.http(target.serviceUrl, { method: 'POST', headers: { 'Content-Type': 'application/xml', Authorization: authorization }, body }, opts);
    const verdict = judgeOutcomeAnswer(answer);
    if (verdict.kind === 'sent') {
      return { kind: 'sent', status: answer.status };
    }
    return verdict.kind === 'retry'
      ? { kind: 'retry', status: answer.status, message: verdict.message, afterMs: retryAfterMs(answer.headers.get('retry-after'), this.clock.now()) }
      : { kind: 'failed', status: answer.status, message: verdict.message };
  }

  /**
   * Settles a send, only if this worker's claim is still the row's claim. If a newer result arrived
   * while sending (`version` moved), the row goes back to pending for it, at least a second later.
   */
  private async settle(row: GradeDelivery, outcome: Outcome): Promise<void> {
    const now = this.clock.now();
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
}
