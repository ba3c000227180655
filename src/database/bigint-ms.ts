import type { ValueTransformer } from 'typeorm';

/**
 * Epoch-millisecond columns: `bigint` on both drivers; Postgres returns them as strings. Written as
 * decimal strings because TypeORM's SQLite driver inlines number parameters into the SQL text: every
 * write would be a new statement to prepare, and each one would push a hot statement out of the
 * driver's statement cache. SQLite's INTEGER affinity stores (and compares) the string as a number.
 */
export const msTransformer: ValueTransformer = {
  to: (v: number | null | undefined) => (typeof v === 'number' ? String(v) : v),
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};
