import { DataSource, DataSourceOptions } from 'typeorm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from './schema';
import { guardTransactions } from './transactions';
import { startCheckpointer, WAL_AUTOCHECKPOINT_PAGES } from './sqlite-checkpointer';

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
        // Checkpoints are the worker's (startCheckpointer); this connection's are the backstop.
        db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      },
    };
  }
  return { ...common, type: 'postgres', url: config.databaseUrl, extra: { max: 20 } };
}

/**
 * The key of the PostgreSQL advisory lock held while migrating: one value for the whole cluster
 * (advisory locks are per database server, keys are the application's own; this one spells "brm").
 */
export const MIGRATION_LOCK_KEY = 0x6272_6d;

export async function openDataSource(config: AppConfig): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  guardTransactions(ds);
  await migrate(ds);
  if (ds.options.type === 'better-sqlite3' && ds.options.database !== ':memory:') {
    const checkpointer = startCheckpointer(ds.options.database);
    const destroy = ds.destroy.bind(ds);
    ds.destroy = async () => {
      await checkpointer.stop();
      return destroy();
    };
  }
  return ds;
}

/**
 * Runs the pending migrations, each in its own transaction. On PostgreSQL under a session advisory
 * lock (`pg_advisory_lock`) held on a connection of its own: instances starting at the same moment
 * (boxes, workers, a CLI import) migrate one after the other, and the ones that waited find nothing
 * left to run — never two instances creating the same table (docs/deployment.md, "Start-up"). The
 * lock goes with the connection, so an instance killed while migrating does not hold it. SQLite is one
 * process, and its writer lock already serializes.
 */
async function migrate(ds: DataSource): Promise<void> {
  if (ds.options.type !== 'postgres') {
    await ds.runMigrations({ transaction: 'each' });
    return;
  }
  const lock = ds.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}
