import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { Course } from '../courses/course.entity';
import { EntitySql } from '../database/plain-sql';
import { Attempt } from './attempt.entity';
import { LaunchCode } from './launch-code.entity';
import { Learner } from './learner.entity';
import { ResourceLink } from './resource-link.entity';
import { ScoState } from './sco-state.entity';

/** The attempts module's statements for the configured driver, each set built once, on first use. */
@Injectable()
export class AttemptsSql {
  private launchCache?: LaunchSql;
  private stateCache?: StateSql;

  constructor(private readonly db: DataSource) {}

  /** The launch path's statements (see {@link LaunchSql}). */
  get launch(): LaunchSql {
    return (this.launchCache ??= new LaunchSql(this.db));
  }

  /** The commit path's statements (see {@link StateSql}). */
  get state(): StateSql {
    return (this.stateCache ??= new StateSql(this.db));
  }
}

export const LEARNER_READ = ['id', 'platformId', 'sub', 'name', 'givenName', 'familyName', 'email'] as const;
export const LEARNER_INSERT = LEARNER_READ;
export const LINK_READ = [
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
export const LINK_INSERT = LINK_READ;
export const ATTEMPT_READ = ['id', 'learnerId', 'resourceLinkId', 'courseVersionId', 'number', 'preview', 'completedAt', 'lastLaunchedAt', 'launchCount'] as const;
export const ATTEMPT_INSERT = ATTEMPT_READ;
export const CODE_INSERT = ['id', 'codeHash', 'attemptId', 'expiresAt', 'usedAt', 'returnUrl'] as const;
/** What the player page and pickStartItem read of the SCO states. */
export const PLAYER_STATE_READ = ['itemId', 'completionStatus', 'successStatus', 'exit', 'updatedAt'] as const;

/**
 * The launch path's SQL (resolveLaunch, launch codes, player page reads), built once per driver with
 * the driver's value conversion (see {@link EntitySql}): TypeORM's query building was 25–35 % of the
 * server CPU of a launch (bench/launch profile, issue 3).
 */
export class LaunchSql {
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
export class StateSql {
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
