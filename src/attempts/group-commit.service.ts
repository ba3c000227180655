import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/errors';
import type { CourseVersion } from '../courses/course-version.entity';
import { findItem } from '../scorm/manifest-items';
import { Transactions } from '../database/transactions';
import { AttemptsRepository } from './attempts.repository';
import { itemRules } from '../scorm/result-rules';
import { allScosCompleted, APPLIED, STALE, attemptEnd, checkCommit, CommitInput, CommitOutcome, firstState, needsStoredSuspendData, PlanContext, planCommit } from './commit-plan';
import { CourseVersionCache } from './course-version-cache';
import { ResultListener } from './result-listener';
import type { RuntimeClaims } from './runtime-token.service';
import type { ScoState } from './sco-state.entity';
import { ScoStatesRepository } from './sco-states.repository';
import { checkScope, scoOf } from './sco-lookup';
import { checkSequencingState, type SerializedSequencingState } from '../sequencing/sequencing-state';
import { SequencingStateService } from './sequencing-state.service';

/** Commits applied in one transaction at most (group commit). */
const MAX_BATCH = 200;

interface PendingCommit {
  attemptId: string;
  itemId: string;
  version: CourseVersion;
  ctx: PlanContext;
  /** The player's sequencing state that came with the commit, checked and parsed. */
  sequencing?: SerializedSequencingState;
  resolve: (outcome: CommitOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * The runtime's writer: commits are queued and applied in batches (group commit), each batch in one
 * transaction, with the grade seam told in that transaction (src/grades/README.md).
 */
@Injectable()
export class GroupCommitService {
  private readonly pending: PendingCommit[] = [];
  private flushing = false;

  /** `ResultListener` is bound by the grades module (its outbox). */
  constructor(
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly attempts: AttemptsRepository,
    private readonly states: ScoStatesRepository,
    private readonly versions: CourseVersionCache,
    private readonly results: ResultListener,
    private readonly sequencing: SequencingStateService,
  ) {}

  /**
   * Applies one runtime commit (player/README.md): only if it is newer than the last applied one
   * for this (attempt, SCO) and never after the session's terminating commit; the LMS-side status rules
   * and the server-side total_time are applied here; the grade seam is told in the same transaction.
   */
  async commit(claims: RuntimeClaims, attemptId: string, itemId: string, input: CommitInput): Promise<CommitOutcome> {
    checkScope(claims, attemptId);
    checkCommit(input, this.config.maxSuspendDataChars);
    const version = await this.versions.versionOfAttempt(attemptId);
    scoOf(version, itemId);
    const sequencing = input.sequencingState !== undefined ? checkSequencingState(input.sequencingState, version.scormVersion) : undefined;
    const ctx: PlanContext = {
      v: version.scormVersion as '1.2' | '2004',
      rules: itemRules(findItem(version.manifest.items, itemId)),
      sessionKey: `${claims.launch}:${input.session}`,
      launch: claims.launch,
      input,
      sequenced: !!version.sequencing,
    };
    return new Promise<CommitOutcome>((resolve, reject) => {
      this.pending.push({ attemptId, itemId, version, ctx, sequencing, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Saves the player's sequencing state when no SCO commit carries it (src/player/bootstrap.types.ts):
   * `{ session, seq, sequencingState, navRequest? }`, ordered with the commits by (launch, seq); an
   * older state than the stored one is ignored (`stale`). `navRequest` names the learner's request
   * the state follows when no SCO was running to carry it in its terminating commit (e.g. Exit course
   * after a SCO ended itself): `exitAll` or `abandonAll` ends the course attempt as it does there.
   */
  async saveSequencing(claims: RuntimeClaims, attemptId: string, body: Record<string, unknown>): Promise<CommitOutcome> {
    checkScope(claims, attemptId);
    const seq = body.seq;
    if (!Number.isSafeInteger(seq) || (seq as number) < 1) {
      throw new AppError('sequencing_state_invalid', 'A sequencing state must carry the whole-number "seq" of the commit counter (from 1).');
    }
    const version = await this.versions.versionOfAttempt(attemptId);
    const parsed = checkSequencingState(body.sequencingState, version.scormVersion);
    const nav = body.navRequest;
    if (nav !== undefined && typeof nav !== 'string') {
      throw new AppError('sequencing_state_invalid', '"navRequest" must be the navigation request the state follows, as text.');
    }
    const saved = await this.transactions.run(async (m) => {
      const stored = await this.sequencing.save(m, attemptId, version, body.sequencingState as string, parsed, claims.launch, seq as number);
      if (stored && (nav === 'exitAll' || nav === 'abandonAll')) {
        await this.attempts.markAttemptCompleted(attemptId, new Date(), m);
      }
      return stored;
    });
    return saved ? APPLIED : STALE;
  }

  /**
   * Group commit: the commits that arrive while a batch is being written are applied together in the
   * next transaction (one read of their rows, one write of the rows they changed, the grade seam once
   * per changed attempt), in arrival order. Each answer is sent only after its transaction has committed. On
   * SQLite (one connection) this also keeps the runtime's transactions from overlapping.
   */
  private scheduleFlush(): void {
    if (this.flushing || !this.pending.length) {
      return;
    }
    this.flushing = true;
    setImmediate(() => {
      const batch = this.pending.splice(0, MAX_BATCH);
      void this.flush(batch).finally(() => {
        this.flushing = false;
        this.scheduleFlush();
      });
    });
  }

  private async flush(batch: PendingCommit[]): Promise<void> {
    try {
      const outcomes = await this.applyBatch(batch);
      batch.forEach((job, i) => job.resolve(outcomes[i]));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      // One bad commit must not fail its neighbours: apply them one by one.
      for (const job of batch) {
        await this.applyBatch([job]).then(
          ([outcome]) => job.resolve(outcome),
          (e: unknown) => job.reject(e),
        );
      }
    }
  }

  private async applyBatch(batch: PendingCommit[]): Promise<CommitOutcome[]> {
    return this.transactions.run(async (m) => {
      const ids = [...new Set(batch.map((j) => j.attemptId))];
      // Without suspend_data (up to 64 KB+ a row): nearly every commit replaces it, so it is read only
      // for a commit that does not carry it (below).
      const rows = new Map<string, Map<string, ScoState>>(ids.map((id) => [id, new Map()]));
      for (const state of await this.states.lockStatesOfAttempts(ids, m)) {
        rows.get(state.attemptId)!.set(state.itemId, state);
      }
      const changed = new Map<string, CourseVersion>();
      // The rows the batch's commits changed, written together after the loop (their last state: one
      // SCO may commit more than once in a batch), before anything reads them back (the grade).
      const updated = new Map<string, ScoState>();
      const outcomes: CommitOutcome[] = [];
      for (const job of batch) {
        const states = rows.get(job.attemptId)!;
        const existing = states.get(job.itemId);
        const { ctx } = job;
        if (existing && needsStoredSuspendData(existing, ctx.input)) {
          existing.suspendData = await this.states.readSuspendData(existing.id, m);
        }
        const plan = planCommit(existing ?? this.states.create(firstState(job.attemptId, job.itemId)), ctx, !existing);
        outcomes.push(plan.outcome);
        if (plan.write === 'none') {
          continue;
        }
        const state = plan.state;
        if (plan.write === 'update') {
          updated.set(state.id, state);
        } else {
          await this.states.insert(state, m);
        }
        states.set(job.itemId, state);
        if (job.sequencing && job.version.sequencing) {
          // Saved with the commit's CMI data, in its transaction (src/player/bootstrap.types.ts).
          await this.sequencing.save(m, job.attemptId, job.version, ctx.input.sequencingState!, job.sequencing, ctx.launch, ctx.input.seq);
        }
        if (plan.endsSco) {
          await this.maybeEndAttempt(m, job.attemptId, job.version, state, [...states.values()], ctx.input.navRequest);
        }
        if (plan.resultMayChange) {
          changed.set(job.attemptId, job.version);
        }
      }
      await this.states.updateAfterCommits([...updated.values()], m);
      for (const [attemptId, version] of changed) {
        if (version.sequencing) {
          // SCORM 2004 with sequencing: the root activity's result from the server's own engine run.
          await this.sequencing.rollUp(m, attemptId, version, [...rows.get(attemptId)!.values()]);
        }
        await this.results.onResultMaybeChanged(m, attemptId);
      }
      return outcomes;
    });
  }

  /**
   * SCORM 2004 Terminate: marks the course attempt completed when {@link attemptEnd} says it ends.
   * `states`: every SCO state of the attempt as this transaction holds them (read and locked at the
   * start of the batch, updated as its commits are applied): not read again.
   */
  private async maybeEndAttempt(m: EntityManager, attemptId: string, version: CourseVersion, state: ScoState, states: ScoState[], nav?: string): Promise<void> {
    const scos = version.manifest.scos;
    const end = attemptEnd(state.exit, nav, scos);
    if (end === 'yes' || (end === 'if-all-completed' && allScosCompleted(scos, states))) {
      await this.attempts.markAttemptCompleted(attemptId, new Date(), m);
    }
  }
}
