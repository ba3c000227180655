import { INestApplication, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { PlainSql, PlainSqlError } from '../../src/database/plain-sql';
import { LoginState } from '../../src/lti/login/login-state.entity';
import { testDatabase } from '../support/app';

/** A repository whose statement names a column the migrated table does not have. */
@Injectable()
class MisspeltColumnRepository {
  constructor(plain: PlainSql) {
    const s = plain.entity(LoginState);
    plain.statement('MisspeltColumnRepository.find', `SELECT ${s.col('state')}, "consumedAt" FROM ${s.table} WHERE ${s.col('state')} = ?`);
  }
}

/** The same statement, spelt right. */
@Injectable()
class SoundRepository {
  constructor(plain: PlainSql) {
    const s = plain.entity(LoginState);
    plain.statement('SoundRepository.find', `SELECT ${s.col('state')}, ${s.col('consumedAtMs')} FROM ${s.table} WHERE ${s.col('state')} = ?`);
  }
}

/** A misspelt property: the compiler refuses it, and so does the start-up when it is forced through. */
@Injectable()
class UnknownPropertyRepository {
  constructor(plain: PlainSql) {
    // @ts-expect-error 'consumedAt' is not a property of LoginState (npm run check fails if this compiles).
    plain.entity(LoginState).columns(['state', 'consumedAt']);
  }
}

// The database under test: the SQLite file by default, Postgres under `npm run test:postgres`.
describe(`plain SQL statements are checked at start-up (${process.env.TEST_POSTGRES_URL ? 'Postgres' : 'SQLite'})`, () => {
  const dirs: string[] = [];
  const drops: Array<() => Promise<void>> = [];

  afterAll(async () => {
    for (const drop of drops) {
      await drop();
    }
    for (const dir of dirs) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Boots a Nest app of the configuration and database modules and one repository; answers the boot's error, if any. */
  async function boot(repository: new (...args: never[]) => unknown): Promise<Error | undefined> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-sql-'));
    dirs.push(dir);
    const database = await testDatabase(dir);
    if (database) {
      drops.push(database.drop);
    }
    const config = loadConfig({ STORAGE_DIR: dir, ...(database ? { DATABASE_URL: database.url } : {}) });
    let app: INestApplication | undefined;
    try {
      // Providers are built in compile() (a statement's column list is resolved there); init() prepares the statements.
      const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config)], providers: [repository] }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      return undefined;
    } catch (e) {
      return e as Error;
    } finally {
      await app?.close();
    }
  }

  it('refuses to start when a statement names a column the table does not have, naming the statement', async () => {
    const error = await boot(MisspeltColumnRepository);
    expect(error).toBeInstanceOf(PlainSqlError);
    expect(error?.message).toMatch(/MisspeltColumnRepository\.find does not fit the database schema/);
    expect(error?.message).toMatch(/consumedAt/);
  });

  it('starts when every statement fits', async () => {
    expect(await boot(SoundRepository)).toBeUndefined();
  });

  it('refuses to start when a column list names a property that is no column of the entity', async () => {
    const error = await boot(UnknownPropertyRepository);
    expect(error?.message).toMatch(/LoginState has no column for the property "consumedAt"/);
  });
});
