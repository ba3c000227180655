import { DataSource, DataSourceOptions } from 'typeorm';
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
      type: 'sqlite',
      database: file,
      // TypeORM calls sqlite3.verbose(), which builds an Error and util.inspect()s every argument
      // (64 KB suspend data included) on each query; hand it the plain module instead.
      driver: { verbose: () => require('sqlite3') },
      // WAL lets readers run beside the single writer; busy_timeout waits instead of failing on a lock.
      enableWAL: true,
      busyErrorRetry: 50,
      prepareDatabase: (db: { run: (sql: string) => void }) => {
        db.run('PRAGMA busy_timeout = 5000');
        db.run('PRAGMA foreign_keys = ON');
        db.run('PRAGMA synchronous = NORMAL');
      },
    } as DataSourceOptions;
  }
  return { ...common, type: 'postgres', url: config.databaseUrl };
}

export async function openDataSource(config: AppConfig): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  if (ds.options.type === 'sqlite') {
    serializeTransactions(ds);
  }
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}

/**
 * SQLite has one connection here, and TypeORM opens every transaction on it: two concurrent
 * `transaction()` calls fail with "cannot start a transaction within a transaction" or "no such
 * savepoint". Queue them (one writer at a time is all SQLite allows anyway). Do not call
 * `dataSource.transaction` from inside a transaction callback; use the callback's manager.
 */
function serializeTransactions(ds: DataSource): void {
  const manager = ds.manager;
  const original = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  manager.transaction = ((...args: unknown[]) => {
    const run = tail.then(() => original(...args));
    tail = run.catch(() => undefined);
    return run;
  }) as typeof manager.transaction;
}
