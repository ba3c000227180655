import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface LockDb {
  pragma(sql: string): unknown;
  exec(sql: string): void;
  close(): void;
}
type OpenDb = new (file: string, opts: { timeout: number }) => LockDb;

/** A second server process on a SQLite database: its start stops with this (docs/deployment.md). */
export class SqliteInUseError extends Error {
  readonly code = 'sqlite_in_use';

  constructor(file: string) {
    super(
      `sqlite_in_use: another server process is using ${file}. A SQLite database belongs to one server process; stop the other one, give this one its own STORAGE_DIR, or use PostgreSQL (DATABASE_URL=postgres://…) for several instances.`,
    );
    this.name = 'SqliteInUseError';
  }
}

/**
 * Makes a SQLite database one server process's own: an exclusive SQLite lock on `<database>.server-lock`,
 * held for as long as the server runs. The operating system drops it when the process ends, however it
 * ends (kill -9 included), so there is no stale lock file to clean up. The CLI does not take it: an import
 * may run beside the server. Null for PostgreSQL and an in-memory database.
 */
export function lockSqliteServer(databaseUrl: string): { release(): void } | null {
  if (!databaseUrl.startsWith('sqlite:') || databaseUrl === 'sqlite::memory:') {
    return null;
  }
  const file = path.resolve(databaseUrl.slice('sqlite:'.length));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const Database = createRequire(__filename)('better-sqlite3') as OpenDb;
  const db = new Database(`${file}.server-lock`, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new SqliteInUseError(file);
    }
    throw err;
  }
  return { release: () => db.close() };
}
