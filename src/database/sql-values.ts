/**
 * Values of raw query rows (`getRawMany`), which the two drivers answer differently: SQLite gives a
 * datetime as "YYYY-MM-DD HH:MM:SS.sss" in UTC without a zone and Postgres a Date; Postgres gives a
 * COUNT as a numeric string.
 */
export function dateFromSql(v: string | Date): Date {
  return v instanceof Date ? v : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
}

/** A raw date column that may be NULL, as epoch milliseconds (0 when NULL). */
export function msFromSql(v: string | Date | null | undefined): number {
  return v === null || v === undefined ? 0 : dateFromSql(v).getTime();
}
