import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ColumnList, EntitySql, PlainSql } from '../database/plain-sql';
import { ScoState } from './sco-state.entity';

/** The columns a commit may change (see planCommit), but suspendData. */
const PLANNED_COLUMNS = [
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

/** What the commit path reads: suspendData only when needed (see lockStatesOfAttempts), no timestamps. */
const READ_COLUMNS = ['id', 'attemptId', 'itemId', ...PLANNED_COLUMNS] as const;

/** What a commit writes. */
const WRITE_COLUMNS = [...PLANNED_COLUMNS, 'suspendData'] as const;

/** What the player page and pickStartItem read of the SCO states. */
const PLAYER_COLUMNS = ['itemId', 'completionStatus', 'successStatus', 'scoreScaled', 'scoreRaw', 'scoreMin', 'scoreMax', 'exit', 'updatedAt'] as const;

/** SQLite: how many IN-list sizes of the commit read keep their statement text (one prepared statement each). */
const MAX_CACHED_SELECTS = 256;

/**
 * Postgres: the most rows one UPDATE of {@link ScoStatesRepository.updateAfterCommits} writes (a larger
 * batch takes several). Its statement has a power-of-two number of rows, the unused ones null (they
 * match no row): 8 prepared statements, each parsed once and planned a few times per connection,
 * instead of one per batch size (with its first executions planned again: that cost more than it saved).
 */
const MAX_ROWS_PER_UPDATE = 128;

/**
 * The per-SCO runtime state (`sco_states`). The commit path's read and UPDATE and the player page's
 * read are plain SQL prepared at start-up (see {@link PlainSql}): TypeORM's query builder re-parses
 * the query and, on SQLite, inlines numbers into the SQL text (a new prepared statement for every
 * sequence number), which cost more than the database work itself (bench/runtime profile).
 *
 * On Postgres a group commit's batch costs two statements whatever its size (besides BEGIN and
 * COMMIT): the read of its attempts' rows (`= ANY(array)`: one prepared statement for every batch
 * size) and one UPDATE of all the rows it changed (see {@link EntitySql.updateRows}). Each statement
 * is a round trip and an execution for PostgreSQL: per row, they were most of its CPU per commit.
 * SQLite runs in-process, where a prepared statement per row costs no round trip.
 */
@Injectable()
export class ScoStatesRepository {
  private readonly read: ColumnList<ScoState, (typeof READ_COLUMNS)[number]>;
  private readonly write: ColumnList<ScoState, (typeof WRITE_COLUMNS)[number]>;
  private readonly player: ColumnList<ScoState, (typeof PLAYER_COLUMNS)[number]>;
  private readonly updateSql: string;
  private readonly suspendSql: string;
  private readonly playerSql: string;
  private readonly selectHead: string;
  private readonly selectTail: string;
  private readonly selects = new Map<number, string>();
  private readonly updates = new Map<number, string>();
  private readonly entity: EntitySql<ScoState>;

  constructor(
    private readonly db: DataSource,
    private readonly plain: PlainSql,
  ) {
    const s = (this.entity = plain.entity(ScoState));
    this.read = s.columns(READ_COLUMNS);
    this.write = s.columns(WRITE_COLUMNS);
    this.player = s.columns(PLAYER_COLUMNS);
    // Postgres: one array parameter (`= ANY(?)`), and the rows stay locked until the batch commits
    // (several instances on one database); SQLite: an IN list, a statement text per length.
    this.selectHead = `SELECT ${this.read.select} FROM ${s.table} WHERE ${s.col('attemptId')} ${plain.postgres ? '= ANY(' : 'IN ('}`;
    this.selectTail = `) ORDER BY ${s.col('id')}${plain.postgres ? ' FOR UPDATE' : ''}`;
    this.suspendSql = plain.statement('ScoStatesRepository.suspendData', `SELECT ${s.columns(['suspendData']).select} FROM ${s.table} WHERE ${s.col('id')} = ?`);
    this.updateSql = plain.statement(
      'ScoStatesRepository.update',
      `UPDATE ${s.table} SET ${this.write.assignments}, ${s.col('updatedAt')} = CURRENT_TIMESTAMP WHERE ${s.col('id')} = ?`,
    );
    this.playerSql = plain.statement('ScoStatesRepository.player', `SELECT ${this.player.select} FROM ${s.table} WHERE ${s.col('attemptId')} = ?`);
    this.selectFor(1);
    if (plain.postgres) {
      this.updateFor(1);
    }
  }

  /**
   * Every state of these attempts, without suspendData (up to 64 KB+ a row, and nearly every commit
   * replaces it: see {@link readSuspendData}); on Postgres locked until the transaction ends.
   */
  async lockStatesOfAttempts(attemptIds: string[], m: EntityManager = this.db.manager): Promise<ScoState[]> {
    const { records } = this.plain.postgres
      ? await this.plain.run(this.selectFor(1), [attemptIds], m)
      : await this.plain.run(this.selectFor(attemptIds.length), attemptIds, m);
    return records.map((r) => this.read.hydrate(r));
  }

  async readSuspendData(id: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const [row] = (await this.plain.run(this.suspendSql, [id], m)).records as Array<{ suspendData: string | null }>;
    return row?.suspendData ?? null;
  }

  /** Writes what commits may change (and updatedAt) to these rows (distinct rows): on Postgres in one statement. */
  async updateAfterCommits(states: ScoState[], m: EntityManager = this.db.manager): Promise<void> {
    if (!this.plain.postgres) {
      for (const state of states) {
        await this.plain.run(this.updateSql, [...this.write.values(state), state.id], m);
      }
      return;
    }
    for (let i = 0; i < states.length; i += MAX_ROWS_PER_UPDATE) {
      const chunk = states.slice(i, i + MAX_ROWS_PER_UPDATE);
      const rows = 2 ** Math.ceil(Math.log2(chunk.length));
      const params = chunk.flatMap((state) => [...this.write.values(state), state.id]);
      params.length = rows * (WRITE_COLUMNS.length + 1);
      await this.plain.run(this.updateFor(rows), params.fill(null, chunk.length * (WRITE_COLUMNS.length + 1)), m);
    }
  }

  async insert(state: ScoState, m: EntityManager = this.db.manager): Promise<void> {
    await m.insert(ScoState, state as never);
  }

  /** A new state row object (not stored) with the entity's defaults and these values. */
  create(values: Partial<ScoState>): ScoState {
    return this.db.manager.create(ScoState, values);
  }

  /** The status and score columns of an attempt's states (the player page, the attempt's course result). */
  async listPlayerStates(attemptId: string): Promise<ScoState[]> {
    const { records } = await this.plain.run(this.playerSql, [attemptId]);
    return records.map((r) => this.player.hydrate(r));
  }

  findState(attemptId: string, itemId: string): Promise<ScoState | null> {
    return this.db.getRepository(ScoState).findOne({ where: { attemptId, itemId } });
  }

  /** Stores the first state of a SCO unless a parallel launch did, then answers the stored row. */
  async insertFirstState(values: Partial<ScoState>): Promise<ScoState> {
    const repo = this.db.getRepository(ScoState);
    await repo
      .createQueryBuilder()
      .insert()
      .values(repo.create(values) as never)
      .orIgnore()
      .execute();
    return repo.findOneOrFail({ where: { attemptId: values.attemptId, itemId: values.itemId } });
  }

  async markVisited(id: string, at: Date): Promise<void> {
    await this.db.getRepository(ScoState).update({ id }, { visitedAt: at });
  }

  /** Postgres: the UPDATE of `n` rows, n a power of two (a prepared statement each, registered when first used). */
  private updateFor(n: number): string {
    let sql = this.updates.get(n);
    if (!sql) {
      const text = this.entity.updateRows(this.write, 'id', n, `, ${this.entity.col('updatedAt')} = CURRENT_TIMESTAMP`);
      sql = this.plain.statement(`ScoStatesRepository.update${n}`, text);
      this.updates.set(n, sql);
    }
    return sql;
  }

  /** The read of every state of `n` attempts (SQLite: text kept per n, one prepared statement each; Postgres: n is 1, an array). */
  private selectFor(n: number): string {
    let sql = this.selects.get(n);
    if (!sql) {
      const text = `${this.selectHead}${Array.from({ length: n }, () => '?').join(', ')}${this.selectTail}`;
      // Only n = 1 is registered (at construction) for the start-up check; the others differ only in the IN list.
      sql = n === 1 ? this.plain.statement('ScoStatesRepository.lockStatesOfAttempts', text) : this.plain.placeholders(text);
      if (this.selects.size < MAX_CACHED_SELECTS) {
        this.selects.set(n, sql);
      }
    }
    return sql;
  }
}
