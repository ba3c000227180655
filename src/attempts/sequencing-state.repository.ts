import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PlainSql } from '../database/plain-sql';
import { Attempt } from './attempt.entity';
import { AttemptSequencing } from './attempt-sequencing.entity';
import { LearnerGlobal } from './learner-global.entity';

/** The learner-wide stores as the engine takes them (see {@link LearnerGlobal}). */
export interface LearnerStores {
  objectives: Record<string, unknown>;
  data: Record<string, string>;
}

/**
 * The server-side sequencing rows (docs/sequencing.md, "State on the server"): an attempt's saved
 * engine state (kept only when newer than the stored one, by launch and sequence number, in one
 * upsert that two instances cannot interleave), the learner-wide stores, and the root result on the
 * attempt row. Methods that take `m` run in the caller's transaction.
 */
@Injectable()
export class SequencingStateRepository {
  private readonly sql: Record<'saveState' | 'readState' | 'readGlobals' | 'upsertGlobal' | 'learnerOf' | 'root', string>;

  constructor(
    private readonly db: DataSource,
    private readonly plain: PlainSql,
  ) {
    const s = plain.entity(AttemptSequencing);
    const g = plain.entity(LearnerGlobal);
    const a = plain.entity(Attempt);
    const stateCols = s.columns(['id', 'attemptId', 'state', 'lastLaunch', 'lastSequence']);
    const globalCols = g.columns(['id', 'learnerId', 'kind', 'key', 'value']);
    const [launch, seq] = [s.col('lastLaunch'), s.col('lastSequence')];
    const statement = (name: string, text: string) => plain.statement(`SequencingStateRepository.${name}`, text);
    this.sql = {
      saveState: statement(
        'saveState',
        `${s.insert(stateCols)} ON CONFLICT (${s.col('attemptId')}) DO UPDATE SET ${s.col('state')} = excluded.${s.col('state')}, ${launch} = excluded.${launch}, ${seq} = excluded.${seq}, ${s.col('updatedAt')} = CURRENT_TIMESTAMP` +
          ` WHERE ${s.table}.${launch} < excluded.${launch} OR (${s.table}.${launch} = excluded.${launch} AND ${s.table}.${seq} < excluded.${seq}) RETURNING 1 AS ${plain.ds.driver.escape('saved')}`,
      ),
      readState: statement('readState', `SELECT ${s.columns(['state']).select} FROM ${s.table} WHERE ${s.col('attemptId')} = ?`),
      readGlobals: statement('readGlobals', `SELECT ${g.columns(['kind', 'key', 'value']).select} FROM ${g.table} WHERE ${g.col('learnerId')} = ?`),
      upsertGlobal: statement(
        'upsertGlobal',
        `${g.insert(globalCols)} ON CONFLICT (${g.col('learnerId')}, ${g.col('kind')}, ${g.col('key')}) DO UPDATE SET ${g.col('value')} = excluded.${g.col('value')}, ${g.col('updatedAt')} = CURRENT_TIMESTAMP`,
      ),
      learnerOf: statement('learnerOf', `SELECT ${a.columns(['learnerId']).select} FROM ${a.table} WHERE ${a.col('id')} = ?`),
      root: statement('root', `UPDATE ${a.table} SET ${a.columns(['rootCompletion', 'rootSuccess', 'rootMeasure']).assignments} WHERE ${a.col('id')} = ?`),
    };
    this.stateCols = stateCols;
  }

  private readonly stateCols;

  /** Stores the state unless a newer one (launch, seq) is stored; true when stored. */
  async saveState(attemptId: string, state: string, launch: number, seq: number, m: EntityManager = this.db.manager): Promise<boolean> {
    const row = Object.assign(new AttemptSequencing(), { attemptId, state, lastLaunch: launch, lastSequence: seq });
    return (await this.plain.run(this.sql.saveState, this.stateCols.values(row), m)).records.length > 0;
  }

  async readState(attemptId: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const [row] = (await this.plain.run(this.sql.readState, [attemptId], m)).records as Array<{ state: string }>;
    return row?.state ?? null;
  }

  async readStores(learnerId: string, m: EntityManager = this.db.manager): Promise<LearnerStores> {
    const out: LearnerStores = { objectives: {}, data: {} };
    for (const r of (await this.plain.run(this.sql.readGlobals, [learnerId], m)).records as Array<{ kind: string; key: string; value: string }>) {
      if (r.kind === 'objective') {
        out.objectives[r.key] = JSON.parse(r.value) as unknown;
      } else if (r.kind === 'data') {
        out.data[r.key] = r.value;
      }
    }
    return out;
  }

  async writeStore(learnerId: string, kind: 'objective' | 'data', key: string, value: string, m: EntityManager = this.db.manager): Promise<void> {
    const row = Object.assign(new LearnerGlobal(), { learnerId, kind, key, value });
    await this.plain.run(this.sql.upsertGlobal, [row.id, learnerId, kind, key, value], m);
  }

  async learnerOf(attemptId: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const [row] = (await this.plain.run(this.sql.learnerOf, [attemptId], m)).records as Array<{ learnerId: string }>;
    return row?.learnerId ?? null;
  }

  async writeRoot(attemptId: string, root: Pick<Attempt, 'rootCompletion' | 'rootSuccess' | 'rootMeasure'>, m: EntityManager): Promise<void> {
    await this.plain.run(this.sql.root, [root.rootCompletion, root.rootSuccess, root.rootMeasure, attemptId], m);
  }
}
