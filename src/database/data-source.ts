import { DataSource, DataSourceOptions } from 'typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from './schema';

/** TypeORM options for the configured database; SQLite by default, Postgres for a shared database. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: false, synchronize: false, logging: false } as const;
  if (config.databaseUrl.startsWith('sqlite:')) {
    const file = config.databaseUrl.slice('sqlite:'.length);
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    }
    return {
      ...common,
      // better-sqlite3: a synchronous driver. Each statement runs in the calling tick instead of a
      // thread-pool round trip; bench/runtime measured it (README design notes).
      type: 'better-sqlite3',
      database: file,
      statementCacheSize: 200,
      prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
        // WAL lets other processes (the CLI) read beside the writer; busy_timeout waits on their locks.
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  return { ...common, type: 'postgres', url: config.databaseUrl, extra: { max: 20 } };
}

export async function openDataSource(config: AppConfig): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  if (ds.options.type === 'better-sqlite3') {
    lockSingleConnection(ds);
  }
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}

interface LockHolder {
  active: boolean;
}

/**
 * TypeORM's SQLite drivers have ONE connection and one shared QueryRunner. Without care, two
 * requests' transactions nest as savepoints of each other (an error in one rolls back the other's
 * acknowledged write), and a plain query of one request runs inside another request's open
 * transaction (a consumed nonce or a claimed outbox row rolled back with it).
 *
 * So the connection gets a lock, as a real database would give each request its own connection:
 * a transaction holds it from BEGIN to COMMIT/ROLLBACK; any query outside a transaction takes it for
 * that one statement. The transaction's own queries are recognised through AsyncLocalStorage. SQLite
 * allows one writer at a time anyway, so nothing that could run in parallel is lost.
 *
 * Rule that follows: never call `dataSource.transaction` from inside a transaction callback (it would
 * wait for itself); use the callback's manager.
 */
function lockSingleConnection(ds: DataSource): void {
  const holder = new AsyncLocalStorage<LockHolder>();
  let tail: Promise<void> = Promise.resolve();
  const acquire = (): Promise<() => void> => {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = tail.then(() => release);
    tail = tail.then(() => next);
    return ready;
  };

  const manager = ds.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = (async (...args: unknown[]) => {
    const release = await acquire();
    const lock: LockHolder = { active: true };
    try {
      return await holder.run(lock, () => transaction(...args));
    } finally {
      lock.active = false;
      release();
    }
  });

  const runner = ds.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = (async (...args: unknown[]) => {
    if (holder.getStore()?.active) {
      return query(...args);
    }
    const release = await acquire();
    try {
      return await query(...args);
    } finally {
      release();
    }
  }) as typeof runner.query;
}
