import { Injectable } from '@nestjs/common';
import { EntitySql, PlainSql } from '../database/plain-sql';
import { RateLimit } from './rate-limit.entity';
import { RateCounters } from './rate-counters';

/**
 * The rate-limit counters (`rate_limits`), one row per key, shared by every instance on the database
 * (PostgreSQL; rate-limits.module.ts). Each take is one statement, so two instances counting the same
 * key at once cannot both spend the last unit.
 */
@Injectable()
export class RateLimitsRepository extends RateCounters {
  private readonly t: EntitySql<RateLimit>;
  private readonly takeSql: string;
  private readonly readSql: string;
  private readonly pruneSql: string;

  constructor(private readonly plain: PlainSql) {
    super();
    const t = (this.t = plain.entity(RateLimit));
    const tat = `${t.table}.${t.col('tatMs')}`;
    // GCRA: the row keeps the key's "theoretical arrival time"; a take moves it one interval on from
    // max(tat, now) unless that would put it more than the burst window ahead of now. The conditional
    // upsert decides in one statement: a row back means allowed, none means refused.
    const moved = `(CASE WHEN ${tat} > ? THEN ${tat} ELSE ? END) + ?`;
    this.takeSql = plain.statement(
      'RateLimitsRepository.take',
      `INSERT INTO ${t.table} (${t.col('key')}, ${t.col('tatMs')}) VALUES (?, ?) ON CONFLICT (${t.col('key')}) DO UPDATE SET ${t.col('tatMs')} = ${moved} WHERE ${moved} - ? <= ? RETURNING ${t.col('tatMs')}`,
    );
    this.readSql = plain.statement('RateLimitsRepository.read', `SELECT ${t.col('tatMs')} AS tat FROM ${t.table} WHERE ${t.col('key')} = ?`);
    this.pruneSql = plain.statement('RateLimitsRepository.prune', `DELETE FROM ${t.table} WHERE ${t.col('tatMs')} < ?`);
  }

  async take(key: string, now: number, intervalMs: number, windowMs: number): Promise<number> {
    const { records } = await this.plain.run(this.takeSql, [key, now + intervalMs, now, now, intervalMs, now, now, intervalMs, now, windowMs]);
    if (records.length) {
      return 0;
    }
    const row = (await this.plain.run(this.readSql, [key])).records[0];
    return Math.max(1, Math.max(Number(row?.tat ?? now), now) + intervalMs - now - windowMs);
  }

  async prune(now: number): Promise<void> {
    await this.plain.run(this.pruneSql, [now]);
  }
}
