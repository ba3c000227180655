import { Injectable } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { ColumnList, EntitySql, PlainSql } from '../../database/plain-sql';
import { LOGIN_STATE_COLUMNS, LoginState } from './login-state.entity';

type LoginStateColumns = ColumnList<LoginState, (typeof LOGIN_STATE_COLUMNS)[number]>;

/**
 * The OIDC login records (`lti_login_states`): written at login, read and consumed at launch, in plain
 * SQL prepared at start-up (the launch path; see {@link PlainSql}).
 */
@Injectable()
export class LoginStatesRepository {
  private readonly states: EntitySql<LoginState>;
  private readonly all: LoginStateColumns;
  private readonly insertSql: string;
  private readonly selectSql: string;
  private readonly consumeSql: string;

  constructor(
    private readonly db: DataSource,
    private readonly plain: PlainSql,
  ) {
    const s = (this.states = plain.entity(LoginState));
    this.all = s.columns(LOGIN_STATE_COLUMNS);
    this.insertSql = plain.statement('LoginStatesRepository.insert', s.insert(this.all));
    this.selectSql = plain.statement('LoginStatesRepository.find', `SELECT ${this.all.select} FROM ${s.table} WHERE ${s.col('state')} = ?`);
    // UPDATE … WHERE state = ? AND consumedAtMs IS NULL: the database decides which of two
    // concurrent callers changes the row (single use, docs/lti-launch-checks.md, check 11).
    this.consumeSql = plain.statement(
      'LoginStatesRepository.consume',
      `UPDATE ${s.table} SET ${s.col('consumedAtMs')} = ? WHERE ${s.col('state')} = ? AND ${s.col('consumedAtMs')} IS NULL`,
    );
  }

  async insert(row: LoginState): Promise<void> {
    await this.plain.run(this.insertSql, this.all.values(row));
  }

  async find(state: string): Promise<LoginState | null> {
    const { records } = await this.plain.run(this.selectSql, [state]);
    return records.length ? this.all.hydrate(records[0]) : null;
  }

  /** Marks the record used; true only for the one caller whose UPDATE changed the row. */
  async consume(state: string, at: number): Promise<boolean> {
    const res = await this.plain.run(this.consumeSql, [this.states.value('consumedAtMs', at), state]);
    return res.affected === 1;
  }

  /** Deletes the records that expired before `before` (epoch ms). */
  async deleteExpiredBefore(before: number): Promise<void> {
    await this.db.getRepository(LoginState).delete({ expiresAtMs: LessThan(before) });
  }
}
