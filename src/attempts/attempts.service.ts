import { HttpStatus, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { Course } from '../courses/course.entity';
import { CourseVersion } from '../courses/course-version.entity';
import type { LtiLaunchContext } from '../lti/protocol/launch-context';
import { EntitySql, runSql } from '../database/plain-sql';
import { findItem } from '../scorm/manifest-items';
import type { ScoSummary } from '../scorm/manifest.types';
import { Attempt } from './attempt.entity';
import { evaluateCmi, initialCmi, itemRules, learnerDisplayName, mergeCmi, parseDuration } from './cmi-rules';
import { LaunchCode } from './launch-code.entity';
import { Learner } from './learner.entity';
import { ResourceLink } from './resource-link.entity';
import { NoopResultListener, ResultListener } from './result-listener';
import { RuntimeClaims } from './runtime-token.service';
import { ScoState } from './sco-state.entity';

/** One runtime commit as the player sends it (player/src/transport.ts). */
export interface CommitInput {
  /** The SCO session within this launch (the player counts SCO loads). */
  session: number;
  /** Increasing within a launch, across all SCO sessions (SCORM-CHECKLIST §5.3). */
  seq: number;
  /** LMSFinish/Terminate was called: the last commit of the session. */
  terminate?: boolean;
  /** Sent from pagehide/visibilitychange: the learner may be leaving (finish-time rules apply, the session stays open). */
  unload?: boolean;
  /** scorm-again's JSON form of the data model (`cmi` object), full or only the changed values. */
  cmi: Record<string, unknown>;
  /** 2004 adl.nav.request at Terminate, if any. */
  navRequest?: string;
}

export interface CommitOutcome {
  result: true;
  errorCode: 0;
  applied: boolean;
  reason?: 'stale' | 'session_terminated';
}

export interface ScoLaunchState {
  itemId: string;
  entry: string;
  cmi: Record<string, unknown>;
}

const LAUNCH_CODE_TTL_MS = 60_000;

export function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}

/** True when any of `next` differs from `row` (JSON for the simple-json columns). */
function changedFields(row: object, next: Record<string, unknown>): boolean {
  const r = row as Record<string, unknown>;
  return Object.entries(next).some(([k, v]) => (Array.isArray(v) || Array.isArray(r[k]) ? JSON.stringify(v) !== JSON.stringify(r[k]) : v !== r[k]));
}

/**
 * Learners, resource links, attempts and per-SCO runtime state: the server half of the SCORM runtime
 * (DESIGN §1.3–§1.5; SCORM-CHECKLIST §2–§5).
 */
@Injectable()
export class AttemptsService {
  private readonly logger = new Logger(AttemptsService.name);
  private readonly results: ResultListener;
  private readonly versions = new Map<string, CourseVersion>();
  private readonly pending: PendingCommit[] = [];
  private flushing = false;

  /** `ResultListener` is provided (globally) by the grades module; without it, results go nowhere. */
  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    @Optional() results?: ResultListener,
  ) {
    this.results = results ?? new NoopResultListener();
  }

  /**
   * Resolves a validated launch to the learner's open attempt on that resource link, creating the
   * learner, link and attempt as needed. An open attempt stays on its course version; a new one uses
   * the course's current version (DESIGN §1.2). Instructors get a separate preview attempt.
   */
  async resolveLaunch(ctx: LtiLaunchContext): Promise<Attempt> {
    const sql = this.launchSql();
    return this.db.transaction(async (m) => {
      const [course] = (await runSql(this.db, m, sql.course, [ctx.courseId])).records as Array<{ id: string; currentVersionId: string | null }>;
      if (!course || !course.currentVersionId) {
        throw new AppError(
          'course_not_found',
          'The course of this link no longer exists on the tool; ask the course owner to link it again.',
          HttpStatus.NOT_FOUND,
        );
      }
      // Written only when new or changed: a returning learner costs one SELECT, and a new row is not
      // read back after its INSERT (plain SQL: TypeORM's query building was most of this path's CPU).
      const [foundRow] = (await runSql(this.db, m, sql.learner, [ctx.platformId, ctx.sub])).records;
      const found = foundRow ? sql.learners.hydrate(foundRow, LEARNER_READ, Object.create(Learner.prototype) as Learner) : null;
      const learner = found ?? m.create(Learner, { platformId: ctx.platformId, sub: ctx.sub, name: null, givenName: null, familyName: null, email: null });
      const names = {
        name: ctx.name ?? learner.name,
        givenName: ctx.givenName ?? learner.givenName,
        familyName: ctx.familyName ?? learner.familyName,
        email: ctx.email ?? learner.email,
      };
      if (!found) {
        Object.assign(learner, names);
        await runSql(this.db, m, sql.insertLearner, sql.learners.values(learner, LEARNER_INSERT));
      } else if (changedFields(learner, names)) {
        Object.assign(learner, names);
        await m.update(Learner, { id: learner.id }, names);
      }

      const [linkRow] = (await runSql(this.db, m, sql.link, [ctx.platformId, ctx.deploymentId, ctx.resourceLinkId])).records;
      const foundLink = linkRow ? sql.links.hydrate(linkRow, LINK_READ, Object.create(ResourceLink.prototype) as ResourceLink) : null;
      const link =
        foundLink ??
        m.create(ResourceLink, {
          platformId: ctx.platformId,
          deploymentId: ctx.deploymentId,
          resourceLinkId: ctx.resourceLinkId,
          courseId: ctx.courseId,
          title: null,
          lineItemUrl: null,
        });
      const claims = {
        courseId: ctx.courseId,
        title: ctx.resourceLinkTitle ?? link.title ?? null,
        agsLineItemUrl: ctx.ags?.lineitem ?? null,
        agsLineItemsUrl: ctx.ags?.lineitems ?? null,
        agsScopes: ctx.ags?.scope ?? null,
        nrpsMembershipsUrl: ctx.nrps?.contextMembershipsUrl ?? null,
      };
      if (!foundLink) {
        Object.assign(link, claims);
        await runSql(this.db, m, sql.insertLink, sql.links.values(link, LINK_INSERT));
      } else if (changedFields(link, claims)) {
        Object.assign(link, claims);
        await m.update(ResourceLink, { id: link.id }, claims);
      }

      const preview = ctx.isInstructor;
      const [attemptRow] = (await runSql(this.db, m, sql.openAttempt, [learner.id, link.id, sql.attempts.value('preview', preview)])).records;
      let attempt = attemptRow ? sql.attempts.hydrate(attemptRow, ATTEMPT_READ, Object.create(Attempt.prototype) as Attempt) : null;
      if (attempt) {
        // Course versions are immutable: the commit path's cache answers most launches.
        const version =
          this.versions.get(attempt.courseVersionId) ??
          (await m.findOne(CourseVersion, { where: { id: attempt.courseVersionId }, select: { id: true, courseId: true } }));
        if (!version || version.courseId !== ctx.courseId) {
          attempt = null; // the link now points at another course: start afresh
        }
      }
      if (!attempt) {
        const last = await m.findOne(Attempt, { where: { learnerId: learner.id, resourceLinkId: link.id }, order: { number: 'DESC' } });
        attempt = m.create(Attempt, {
          learnerId: learner.id,
          resourceLinkId: link.id,
          courseVersionId: course.currentVersionId,
          number: (last?.number ?? 0) + 1,
          preview,
          completedAt: null,
          lastLaunchedAt: null,
          launchCount: 0,
        });
        await runSql(this.db, m, sql.insertAttempt, sql.attempts.values(attempt, ATTEMPT_INSERT));
      }
      return attempt;
    });
  }

  private launchSqlCache?: LaunchSql;

  /** The launch path's statements for the configured driver, built once (see {@link EntitySql}). */
  private launchSql(): LaunchSql {
    return (this.launchSqlCache ??= new LaunchSql(this.db));
  }

  /** A one-time launch code (random, stored hashed, single use, ~60 s) that carries the launch to the content origin. */
  async createLaunchCode(attemptId: string, returnUrl?: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const sql = this.launchSql();
    const row = Object.assign(new LaunchCode(), {
      codeHash: hashCode(code),
      attemptId,
      expiresAt: new Date(Date.now() + LAUNCH_CODE_TTL_MS),
      usedAt: null,
      returnUrl: returnUrl ?? null,
    });
    await runSql(this.db, undefined, sql.insertCode, sql.codes.values(row, CODE_INSERT));
    return code;
  }

  /**
   * Redeems a launch code once (a conditional update, safe with several instances) and counts the
   * launch on the attempt. A used, expired or unknown code is `launch_code_invalid`.
   */
  async redeemLaunchCode(code: string): Promise<{ attempt: Attempt; returnUrl: string | null }> {
    const hash = hashCode(code);
    const now = new Date();
    const sql = this.launchSql();
    return this.db.transaction(async (m) => {
      // One conditional UPDATE claims the code (unused and unexpired) and returns what it carries.
      const [row] = (await runSql(this.db, m, sql.redeem, [sql.codes.value('usedAt', now), hash, sql.codes.value('expiresAt', now)])).records as Array<{
        attemptId: string;
        returnUrl: string | null;
      }>;
      if (!row) {
        throw new AppError('launch_code_invalid', 'This player link has already been used or has expired. Relaunch the course from your LMS.', HttpStatus.GONE);
      }
      const [counted] = (await runSql(this.db, m, sql.countLaunch, [sql.attempts.value('lastLaunchedAt', now), row.attemptId])).records;
      if (!counted) {
        throw new AppError('attempt_not_found', 'This attempt no longer exists; relaunch the course from your LMS.', HttpStatus.NOT_FOUND);
      }
      return { attempt: sql.attempts.hydrate(counted, ATTEMPT_READ, Object.create(Attempt.prototype) as Attempt), returnUrl: row.returnUrl ?? null };
    });
  }

  /**
   * The player page's data (DESIGN §2): redeems the code, then the attempt's course version (cached,
   * immutable) and the status columns of its SCO states (what the page and the start item need).
   */
  async redeemForPlayer(code: string): Promise<{ attempt: Attempt; returnUrl: string | null; version: CourseVersion; states: ScoState[] }> {
    const { attempt, returnUrl } = await this.redeemLaunchCode(code);
    const version = await this.version(attempt.courseVersionId);
    const sql = this.launchSql();
    const { records } = await runSql(this.db, undefined, sql.playerStates, [attempt.id]);
    const states = records.map((r) => sql.states.hydrate(r, PLAYER_STATE_READ, Object.create(ScoState.prototype) as ScoState));
    return { attempt, returnUrl, version, states };
  }

  async loadAttempt(attemptId: string): Promise<{ attempt: Attempt; version: CourseVersion; learner: Learner }> {
    const { attempt, version } = await this.attemptAndVersion(attemptId);
    const learner = await this.db.getRepository(Learner).findOneOrFail({ where: { id: attempt.learnerId } });
    return { attempt, version, learner };
  }

  /** Attempt → course version id, which never changes: lets a commit skip the attempt read. */
  private readonly attemptVersions = new Map<string, string>();

  private async versionOfAttempt(attemptId: string): Promise<CourseVersion> {
    let versionId = this.attemptVersions.get(attemptId);
    if (!versionId) {
      versionId = (await this.attemptAndVersion(attemptId)).attempt.courseVersionId;
      if (this.attemptVersions.size >= 10_000) {
        this.attemptVersions.clear();
      }
      this.attemptVersions.set(attemptId, versionId);
    }
    return this.version(versionId);
  }

  private async attemptAndVersion(attemptId: string): Promise<{ attempt: Attempt; version: CourseVersion }> {
    const attempt = await this.db.getRepository(Attempt).findOne({ where: { id: attemptId } });
    if (!attempt) {
      throw new AppError('attempt_not_found', 'This attempt no longer exists; relaunch the course from your LMS.', HttpStatus.NOT_FOUND);
    }
    return { attempt, version: await this.version(attempt.courseVersionId) };
  }

  /** Course versions are immutable (DESIGN §1.2), so their parsed manifests are cached for the hot commit path. */
  private async version(id: string): Promise<CourseVersion> {
    const hit = this.versions.get(id);
    if (hit) {
      return hit;
    }
    const version = await this.db.getRepository(CourseVersion).findOneOrFail({ where: { id } });
    if (this.versions.size >= 200) {
      this.versions.delete(this.versions.keys().next().value as string);
    }
    this.versions.set(id, version);
    return version;
  }

  /** Which SCO a launch opens: the one left suspended most recently, else the first not completed, else the first. */
  pickStartItem(scos: ScoSummary[], states: ScoState[]): string {
    const byItem = new Map(states.map((s) => [s.itemId, s]));
    const suspended = states
      .filter((s) => s.exit === 'suspend' && scos.some((c) => c.itemId === s.itemId))
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
    if (suspended.length) {
      return suspended[0].itemId;
    }
    const open = scos.find((c) => c.isVisible && byItem.get(c.itemId)?.completionStatus !== 'completed');
    return (open ?? scos.find((c) => c.isVisible) ?? scos[0]).itemId;
  }

  /** The token's attempt must be the URL's attempt: a SCO can reach only the current learner's own attempt (DESIGN §2). */
  private checkScope(claims: RuntimeClaims, attemptId: string): void {
    if (claims.attemptId !== attemptId) {
      throw new AppError('attempt_mismatch', 'This player session may not read or write another attempt.', HttpStatus.FORBIDDEN);
    }
  }

  private sco(version: CourseVersion, itemId: string): ScoSummary {
    const sco = version.manifest.scos.find((s) => s.itemId === itemId);
    if (!sco) {
      throw new AppError('sco_not_found', `The course has no launchable item "${itemId}".`, HttpStatus.NOT_FOUND);
    }
    return sco;
  }

  /**
   * The data a SCO starts with (SCORM-CHECKLIST §2, §4.1): entry `ab-initio` the first time, `resume`
   * after exit=suspend, else ''; in 2004 a non-suspend Terminate ended the SCO attempt, so it starts
   * afresh. Records the visit (an asset counts as completed once opened).
   */
  async launchSco(claims: RuntimeClaims, attemptId: string, itemId: string): Promise<ScoLaunchState> {
    this.checkScope(claims, attemptId);
    const { attempt, version, learner } = await this.loadAttempt(attemptId);
    const sco = this.sco(version, itemId);
    const repo = this.db.getRepository(ScoState);
    let state = await repo.findOne({ where: { attemptId, itemId } });
    const now = new Date();
    if (!state) {
      state = repo.create({
        attemptId,
        itemId,
        completionStatus: sco.scormType === 'asset' ? 'completed' : 'not attempted',
        successStatus: 'unknown',
        visitedAt: now,
        cmi: null,
      });
      await repo
        .createQueryBuilder()
        .insert()
        .values(state as never)
        .orIgnore()
        .execute();
      state = await repo.findOneOrFail({ where: { attemptId, itemId } });
    } else if (!state.visitedAt) {
      await repo.update({ id: state.id }, { visitedAt: now });
    }
    const v = version.scormVersion as '1.2' | '2004';
    let saved: Record<string, unknown> | null = fullCmi(state);
    let entry: 'ab-initio' | 'resume' | '' = 'ab-initio';
    let total = state.totalTimeSeconds;
    if (saved) {
      if (state.exit === 'suspend') {
        entry = 'resume';
      } else if (v === '2004' && state.terminated) {
        saved = null;
        total = 0;
      } else {
        entry = '';
      }
      if (!state.terminated && saved) {
        total += sessionSeconds(v, saved);
      }
    }
    const cmi = initialCmi({
      version: v,
      item: findItem(version.manifest.items, itemId),
      learnerId: learner.sub,
      learnerName: learnerDisplayName(learner),
      credit: attempt.preview ? 'no-credit' : 'credit',
      mode: 'normal',
      saved,
      entry,
      totalTimeSeconds: total,
    });
    return { itemId, entry, cmi };
  }

  /**
   * Applies one runtime commit (SCORM-CHECKLIST §5.3): only if it is newer than the last applied one
   * for this (attempt, SCO) and never after the session's terminating commit; the LMS-side status rules
   * and the server-side total_time are applied here; the grade seam is told in the same transaction.
   */
  async commit(claims: RuntimeClaims, attemptId: string, itemId: string, input: CommitInput): Promise<CommitOutcome> {
    this.checkScope(claims, attemptId);
    this.validate(input);
    const version = await this.versionOfAttempt(attemptId);
    this.sco(version, itemId);
    const ctx: PlanContext = {
      v: version.scormVersion as '1.2' | '2004',
      rules: itemRules(findItem(version.manifest.items, itemId)),
      sessionKey: `${claims.launch}:${input.session}`,
      launch: claims.launch,
      input,
    };
    return new Promise<CommitOutcome>((resolve, reject) => {
      this.pending.push({ attemptId, itemId, version, ctx, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Group commit: the commits that arrive while a batch is being written are applied together in the
   * next transaction (one read of their rows, one UPDATE per commit, the grade seam once per changed
   * attempt), in arrival order. Each answer is sent only after its transaction has committed. On
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
    return this.db.transaction(async (m) => {
      const sql = this.stateSql(m);
      const ids = [...new Set(batch.map((j) => j.attemptId))];
      // Without suspend_data (up to 64 KB+ a row): nearly every commit replaces it, so it is read only
      // for a commit that does not carry it (below).
      const raw: Array<Record<string, unknown>> = await m.query(sql.select(ids.length), ids);
      const rows = new Map<string, ScoState>();
      for (const r of raw) {
        const state = sql.hydrate(r);
        rows.set(`${state.attemptId}\n${state.itemId}`, state);
      }
      const changed = new Set<string>();
      const outcomes: CommitOutcome[] = [];
      for (const job of batch) {
        const key = `${job.attemptId}\n${job.itemId}`;
        const existing = rows.get(key);
        const { ctx } = job;
        if (existing && existing.suspendData === undefined && typeof ctx.input.cmi.suspend_data !== 'string') {
          const [row]: Array<{ suspendData: string | null }> = await m.query(sql.selectSuspend, [existing.id]);
          existing.suspendData = row?.suspendData ?? null;
        }
        const plan = planCommit(
          existing ??
            m.create(ScoState, {
              attemptId: job.attemptId,
              itemId: job.itemId,
              cmi: null,
              totalTimeSeconds: 0,
              lastLaunch: 0,
              lastSequence: 0,
              terminated: false,
              scoAttempt: 1,
              visitedAt: null,
            }),
          ctx,
        );
        if ('ignored' in plan) {
          outcomes.push(plan.ignored);
          continue;
        }
        const state = plan.state;
        if (existing) {
          await m.query(sql.update, sql.updateParams(state));
        } else {
          await m.insert(ScoState, state as never);
        }
        rows.set(key, state);
        const endsSco = !!ctx.input.terminate && ctx.v === '2004';
        if (endsSco) {
          await this.maybeEndAttempt(m, job.attemptId, job.version, state, ctx.input.navRequest);
        }
        // Most commits only move suspend data, location or time: the course result cannot have changed.
        if (!existing || plan.resultChanged || endsSco) {
          changed.add(job.attemptId);
        }
        outcomes.push({ result: true, errorCode: 0, applied: true });
      }
      for (const attemptId of changed) {
        await this.results.onResultMaybeChanged(m, attemptId);
      }
      return outcomes;
    });
  }

  private stateSqlCache?: StateSql;

  /** The hot path's SQL for the configured driver, built once (see {@link StateSql}). */
  private stateSql(m: EntityManager): StateSql {
    return (this.stateSqlCache ??= new StateSql(m.connection));
  }

  /**
   * SCORM 2004: a non-suspend exit ends the attempt (checklist §4.2). For a multi-SCO course the course
   * attempt ends when every SCO is completed (or on exitAll); one SCO's normal exit only restarts that SCO.
   */
  private async maybeEndAttempt(m: EntityManager, attemptId: string, version: CourseVersion, state: ScoState, nav?: string): Promise<void> {
    if (state.exit === 'suspend' || nav === 'suspendAll') {
      return;
    }
    const scos = version.manifest.scos.filter((s) => s.scormType === 'sco');
    let end = nav === 'exitAll' || nav === 'abandonAll' || state.exit === 'logout' || scos.length <= 1;
    if (!end) {
      const states = await m.find(ScoState, { where: { attemptId } });
      const done = new Set(states.filter((s) => s.completionStatus === 'completed').map((s) => s.itemId));
      end = scos.every((s) => done.has(s.itemId));
    }
    if (end) {
      await m.update(Attempt, { id: attemptId }, { completedAt: new Date() });
    }
  }

  private validate(input: CommitInput): void {
    if (!input || typeof input !== 'object' || !input.cmi || typeof input.cmi !== 'object' || Array.isArray(input.cmi)) {
      throw new AppError('commit_invalid', 'A commit must carry a "cmi" object.');
    }
    if (!Number.isSafeInteger(input.seq) || input.seq < 1 || !Number.isSafeInteger(input.session) || input.session < 0) {
      throw new AppError('commit_invalid', 'A commit must carry whole-number "session" and "seq" (seq from 1).');
    }
    const suspend = input.cmi.suspend_data;
    if (typeof suspend === 'string' && suspend.length > this.config.maxSuspendDataChars) {
      throw new AppError(
        'suspend_data_too_large',
        `suspend_data has ${suspend.length} characters; this server stores at most ${this.config.maxSuspendDataChars} (MAX_SUSPEND_DATA_CHARS).`,
        HttpStatus.PAYLOAD_TOO_LARGE,
      );
    }
    const core = input.cmi.core as Record<string, unknown> | undefined;
    const location = input.cmi.location ?? core?.lesson_location;
    if (typeof location === 'string' && location.length > 64_000) {
      throw new AppError('location_too_large', 'The location value is longer than 64,000 characters.', HttpStatus.PAYLOAD_TOO_LARGE);
    }
  }
}

const LEARNER_READ = ['id', 'platformId', 'sub', 'name', 'givenName', 'familyName', 'email'] as const;
const LEARNER_INSERT = LEARNER_READ;
const LINK_READ = [
  'id',
  'platformId',
  'deploymentId',
  'resourceLinkId',
  'courseId',
  'title',
  'agsLineItemUrl',
  'agsLineItemsUrl',
  'agsScopes',
  'lineItemUrl',
  'nrpsMembershipsUrl',
] as const;
const LINK_INSERT = LINK_READ;
const ATTEMPT_READ = ['id', 'learnerId', 'resourceLinkId', 'courseVersionId', 'number', 'preview', 'completedAt', 'lastLaunchedAt', 'launchCount'] as const;
const ATTEMPT_INSERT = ATTEMPT_READ;
const CODE_INSERT = ['id', 'codeHash', 'attemptId', 'expiresAt', 'usedAt', 'returnUrl'] as const;
/** What the player page and pickStartItem read of the SCO states. */
const PLAYER_STATE_READ = ['itemId', 'completionStatus', 'successStatus', 'exit', 'updatedAt'] as const;

/**
 * The launch path's SQL (resolveLaunch, launch codes, player page reads), built once per driver with
 * the driver's value conversion (see {@link EntitySql}): TypeORM's query building was 25–35 % of the
 * server CPU of a launch (bench/launch profile, issue 3).
 */
class LaunchSql {
  readonly learners: EntitySql;
  readonly links: EntitySql;
  readonly attempts: EntitySql;
  readonly codes: EntitySql;
  readonly states: EntitySql;
  readonly course: string;
  readonly learner: string;
  readonly insertLearner: string;
  readonly link: string;
  readonly insertLink: string;
  readonly openAttempt: string;
  readonly insertAttempt: string;
  readonly insertCode: string;
  readonly redeem: string;
  readonly countLaunch: string;
  readonly playerStates: string;

  constructor(ds: DataSource) {
    const c = new EntitySql(ds, Course);
    this.course = c.sql(`SELECT ${c.selectList(['id', 'currentVersionId'])} FROM ${c.table} WHERE ${c.col('id')} = ?`);
    const l = (this.learners = new EntitySql(ds, Learner));
    this.learner = l.sql(`SELECT ${l.selectList(LEARNER_READ)} FROM ${l.table} WHERE ${l.col('platformId')} = ? AND ${l.col('sub')} = ?`);
    this.insertLearner = l.insert(LEARNER_INSERT);
    const r = (this.links = new EntitySql(ds, ResourceLink));
    this.link = r.sql(
      `SELECT ${r.selectList(LINK_READ)} FROM ${r.table} WHERE ${r.col('platformId')} = ? AND ${r.col('deploymentId')} = ? AND ${r.col('resourceLinkId')} = ?`,
    );
    this.insertLink = r.insert(LINK_INSERT);
    const a = (this.attempts = new EntitySql(ds, Attempt));
    this.openAttempt = a.sql(
      `SELECT ${a.selectList(ATTEMPT_READ)} FROM ${a.table} WHERE ${a.col('learnerId')} = ? AND ${a.col('resourceLinkId')} = ? AND ${a.col('preview')} = ? AND ${a.col('completedAt')} IS NULL ORDER BY ${a.col('number')} DESC LIMIT 1`,
    );
    this.insertAttempt = a.insert(ATTEMPT_INSERT);
    this.countLaunch = a.sql(
      `UPDATE ${a.table} SET ${a.col('launchCount')} = ${a.col('launchCount')} + 1, ${a.col('lastLaunchedAt')} = ?, ${a.col('updatedAt')} = CURRENT_TIMESTAMP WHERE ${a.col('id')} = ? RETURNING ${a.selectList(ATTEMPT_READ)}`,
    );
    const k = (this.codes = new EntitySql(ds, LaunchCode));
    this.insertCode = k.insert(CODE_INSERT);
    this.redeem = k.sql(
      `UPDATE ${k.table} SET ${k.col('usedAt')} = ?, ${k.col('updatedAt')} = CURRENT_TIMESTAMP WHERE ${k.col('codeHash')} = ? AND ${k.col('usedAt')} IS NULL AND ${k.col('expiresAt')} > ? RETURNING ${k.selectList(['attemptId', 'returnUrl'])}`,
    );
    const s = (this.states = new EntitySql(ds, ScoState));
    this.playerStates = s.sql(`SELECT ${s.selectList(PLAYER_STATE_READ)} FROM ${s.table} WHERE ${s.col('attemptId')} = ?`);
  }
}

/** Commits applied in one transaction at most (group commit). */
const MAX_BATCH = 200;

interface PendingCommit {
  attemptId: string;
  itemId: string;
  version: CourseVersion;
  ctx: PlanContext;
  resolve: (outcome: CommitOutcome) => void;
  reject: (err: unknown) => void;
}

interface PlanContext {
  v: '1.2' | '2004';
  rules: ReturnType<typeof itemRules>;
  sessionKey: string;
  launch: number;
  input: CommitInput;
}

/**
 * What a commit does to a SCO's state (pure): ignored when not newer than the last applied commit or
 * after the session's terminating one (SCORM-CHECKLIST §5.3); else the new state, with the LMS-side
 * status rules and the server-side total time applied.
 */
function planCommit(current: ScoState, c: PlanContext): { ignored: CommitOutcome } | { state: ScoState; resultChanged: boolean } {
  const { v, input, sessionKey } = c;
  if (current.sessionKey === sessionKey && current.terminated) {
    return { ignored: { result: true, errorCode: 0, applied: false, reason: 'session_terminated' } };
  }
  if (c.launch < current.lastLaunch || (c.launch === current.lastLaunch && input.seq <= current.lastSequence)) {
    return { ignored: { result: true, errorCode: 0, applied: false, reason: 'stale' } };
  }
  const state = Object.assign(Object.create(Object.getPrototypeOf(current)) as ScoState, current);
  let stored = fullCmi(state);
  if (state.sessionKey !== sessionKey && stored) {
    if (!state.terminated) {
      // The previous session ended without Finish: count its time now (checklist §5.2 item 4).
      state.totalTimeSeconds += sessionSeconds(v, stored);
    } else if (v === '2004' && state.exit !== 'suspend') {
      // A non-suspend Terminate ended the SCO attempt: a new one starts with fresh data (RTE cmi.exit).
      state.scoAttempt += 1;
      state.totalTimeSeconds = 0;
      stored = null;
    }
    stored = stored ? withoutSessionValues(v, stored) : null;
  }
  const cmi = mergeCmi(stored, input.cmi);
  const r = evaluateCmi(v, cmi, c.rules, !!input.terminate || !!input.unload);
  if (input.terminate) {
    state.totalTimeSeconds += r.sessionTimeSeconds;
  }
  Object.assign(state, {
    completionStatus: r.completionStatus,
    successStatus: r.successStatus,
    scoreScaled: r.scoreScaled,
    scoreRaw: r.scoreRaw,
    scoreMin: r.scoreMin,
    scoreMax: r.scoreMax,
    progressMeasure: r.progressMeasure,
    location: r.location,
    suspendData: r.suspendData,
    exit: r.exit,
    cmi: withoutSuspendData(cmi),
    lastLaunch: c.launch,
    lastSequence: input.seq,
    sessionKey,
    terminated: !!input.terminate,
    visitedAt: state.visitedAt ?? new Date(),
  });
  return { state, resultChanged: resultKey(current) !== resultKey(state) };
}

/**
 * suspend_data is stored once, in its own column (it can be 64 KB+ and is written on most commits);
 * the `cmi` column holds the rest of the data model.
 */
function withoutSuspendData(cmi: Record<string, unknown>): Record<string, unknown> {
  const { suspend_data, ...rest } = cmi;
  void suspend_data;
  return rest;
}

/** The stored data model with suspend_data put back (null when nothing was committed yet). */
export function fullCmi(state: Pick<ScoState, 'cmi' | 'suspendData'>): Record<string, unknown> | null {
  return state.cmi ? { ...state.cmi, suspend_data: state.suspendData ?? '' } : null;
}

/** The ScoState fields a course result is computed from (src/grades reads these). */
function resultKey(s: ScoState): string {
  return JSON.stringify([s.completionStatus, s.successStatus, s.scoreScaled, s.scoreRaw, s.scoreMin, s.scoreMax, s.progressMeasure, s.terminated]);
}

function sessionSeconds(v: '1.2' | '2004', cmi: Record<string, unknown>): number {
  const raw = v === '1.2' ? (cmi.core as Record<string, unknown> | undefined)?.session_time : cmi.session_time;
  return typeof raw === 'string' ? parseDuration(raw) : 0;
}

/** Session-scoped values (exit, session_time) do not carry over into the next session's merge. */
function withoutSessionValues(v: '1.2' | '2004', cmi: Record<string, unknown>): Record<string, unknown> {
  const out = { ...cmi };
  if (v === '1.2') {
    const core = { ...((out.core as Record<string, unknown>) ?? {}) };
    delete core.session_time;
    delete core.exit;
    out.core = core;
  } else {
    delete out.session_time;
    delete out.exit;
  }
  return out;
}

/** The ScoState columns the commit path reads (all but suspendData and the timestamps). */
const READ_COLUMNS = [
  'id',
  'attemptId',
  'itemId',
  'completionStatus',
  'successStatus',
  'scoreScaled',
  'scoreRaw',
  'scoreMin',
  'scoreMax',
  'progressMeasure',
  'location',
  'exit',
  'totalTimeSeconds',
  'cmi',
  'lastLaunch',
  'lastSequence',
  'sessionKey',
  'terminated',
  'scoAttempt',
  'visitedAt',
] as const;

/** The ScoState columns a commit writes (everything planCommit may change). */
const WRITE_COLUMNS = [
  'completionStatus',
  'successStatus',
  'scoreScaled',
  'scoreRaw',
  'scoreMin',
  'scoreMax',
  'progressMeasure',
  'location',
  'suspendData',
  'exit',
  'totalTimeSeconds',
  'cmi',
  'lastLaunch',
  'lastSequence',
  'sessionKey',
  'terminated',
  'scoAttempt',
  'visitedAt',
] as const;

/**
 * Plain parameterised SQL for the commit path's read and UPDATE of sco_states, built once per driver:
 * TypeORM's query builder re-parses the query and, on SQLite, inlines numbers into the SQL text (a new
 * prepared statement for every sequence number), which cost more than the database work itself
 * (bench/runtime profile). Values go through the driver's own conversion (`preparePersistentValue` /
 * `prepareHydratedValue`: booleans, dates, simple-json, transformers), so the stored form is exactly
 * what the repository would write, on SQLite and on Postgres (`$n` placeholders there).
 */
class StateSql {
  readonly update: string;
  readonly selectSuspend: string;
  private readonly selectHead: string;
  private readonly selectTail: string;
  private readonly postgres: boolean;
  private readonly read: ColumnMetadata[];
  private readonly write: ColumnMetadata[];
  private readonly selects = new Map<number, string>();

  constructor(private readonly ds: DataSource) {
    const meta = ds.getMetadata(ScoState);
    const col = (name: string) => {
      const c = meta.findColumnWithPropertyName(name);
      if (!c) {
        throw new Error(`ScoState has no column ${name}`);
      }
      return c;
    };
    const q = (c: ColumnMetadata) => ds.driver.escape(c.databaseName);
    const table = ds.driver.escape(meta.tablePath);
    this.postgres = ds.options.type === 'postgres';
    this.read = READ_COLUMNS.map(col);
    this.write = WRITE_COLUMNS.map(col);
    this.selectHead = `SELECT ${this.read.map((c) => `${q(c)} AS ${ds.driver.escape(c.propertyName)}`).join(', ')} FROM ${table} WHERE ${q(col('attemptId'))} IN (`;
    // Postgres: the rows stay locked until the batch commits (several instances on one database).
    this.selectTail = `) ORDER BY ${q(col('id'))}${this.postgres ? ' FOR UPDATE' : ''}`;
    this.selectSuspend = this.placeholders(`SELECT ${q(col('suspendData'))} AS ${ds.driver.escape('suspendData')} FROM ${table} WHERE ${q(col('id'))} = ?`);
    this.update = this.placeholders(
      `UPDATE ${table} SET ${this.write.map((c) => `${q(c)} = ?`).join(', ')}, ${q(col('updatedAt'))} = CURRENT_TIMESTAMP WHERE ${q(col('id'))} = ?`,
    );
  }

  /** The read of every state of `n` attempts (cached per n: one prepared statement each). */
  select(n: number): string {
    let sql = this.selects.get(n);
    if (!sql) {
      sql = this.placeholders(`${this.selectHead}${Array.from({ length: n }, () => '?').join(', ')}${this.selectTail}`);
      if (this.selects.size < 256) {
        this.selects.set(n, sql);
      }
    }
    return sql;
  }

  /** A row of {@link select} as a ScoState; suspendData is left undefined (not read). */
  hydrate(row: Record<string, unknown>): ScoState {
    const state = Object.create(ScoState.prototype) as Record<string, unknown>;
    for (const c of this.read) {
      state[c.propertyName] = this.ds.driver.prepareHydratedValue(row[c.propertyName], c);
    }
    return state as unknown as ScoState;
  }

  updateParams(state: ScoState): unknown[] {
    const values = this.write.map((c) => this.ds.driver.preparePersistentValue((state as unknown as Record<string, unknown>)[c.propertyName], c));
    values.push(state.id);
    return values.map((v) => (v === undefined ? null : !this.postgres && typeof v === 'boolean' ? (v ? 1 : 0) : v));
  }

  /** `?` → `$1, $2, …` on Postgres (the SQL above has no other question marks). */
  private placeholders(sql: string): string {
    let i = 0;
    return this.postgres ? sql.replace(/\?/g, () => `$${++i}`) : sql;
  }
}
