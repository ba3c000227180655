import type { QueryRunner, TableColumnOptions } from 'typeorm';

/** Column helpers so every migration declares ids and timestamps the same portable way. */
export function uuidColumn(name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions {
  return { name, type: 'varchar', length: '36', ...extra };
}

/** The date-time type TypeORM maps `Date` columns to on this driver (SQLite: datetime, Postgres: timestamp). */
export function dateType(q: QueryRunner): string {
  return q.connection.driver.options.type === 'postgres' ? 'timestamp' : 'datetime';
}

export function dateColumn(q: QueryRunner, name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions {
  return { name, type: dateType(q), ...extra };
}

export function createdUpdated(q: QueryRunner): TableColumnOptions[] {
  return [dateColumn(q, 'createdAt', { default: 'CURRENT_TIMESTAMP' }), dateColumn(q, 'updatedAt', { default: 'CURRENT_TIMESTAMP' })];
}
