import type { ValueTransformer } from 'typeorm';

/**
 * Every `bigint` column (epoch milliseconds, byte counts) as a JS number. Postgres returns bigint as a
 * string, hence `from`. Written as decimal strings because TypeORM's SQLite driver inlines number
 * parameters into the SQL text: every write would be a new statement to prepare, and each one would
 * push a hot statement out of the driver's statement cache. SQLite's INTEGER affinity stores (and
 * compares) the string as a number; Postgres casts it to bigint.
 */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => (typeof v === 'number' ? String(v) : v),
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};
