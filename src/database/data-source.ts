import { DataSource, DataSourceOptions } from 'typeorm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from './schema';
import { guardTransactions } from './transactions';

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
  guardTransactions(ds);
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}
