import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { openDataSource } from '../../src/database/data-source';
import { afterCommit, NestedTransactionError } from '../../src/database/transactions';
import { AppSecret } from '../../src/secrets/app-secret.entity';
import { testDatabase } from '../support/app';

/** Fails when `p` has not settled within `ms`: a deadlock shows up as this, not as a jest timeout. */
async function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms (deadlock)`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

const names = (ds: DataSource) => ds.getRepository(AppSecret).find({ order: { name: 'ASC' } }).then((rows) => rows.map((r) => r.name));

// The database under test: the SQLite file by default, Postgres under `npm run test:postgres`.
describe(`transactions on ${process.env.TEST_POSTGRES_URL ? 'Postgres' : 'SQLite'}`, () => {
  let dir: string;
  let drop: (() => Promise<void>) | undefined;
  let ds: DataSource;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-tx-'));
    const database = await testDatabase(dir);
    drop = database?.drop;
    ds = await openDataSource(loadConfig({ STORAGE_DIR: dir, ...(database ? { DATABASE_URL: database.url } : {}) }));
  });

  afterAll(async () => {
    await ds?.destroy();
    await drop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => ds.getRepository(AppSecret).clear());

  it('refuses a transaction started inside a transaction, at once, and rolls the outer one back', async () => {
    const outer = ds.transaction(async (m) => {
      await m.insert(AppSecret, { name: 'outer', value: 'x' });
      await ds.transaction((inner) => inner.insert(AppSecret, { name: 'inner', value: 'x' }));
    });
    await expect(within(outer)).rejects.toBeInstanceOf(NestedTransactionError);
    await expect(outer).rejects.toThrow(/inside another transaction/);
    expect(await names(ds)).toEqual([]);
    // The connection is free again afterwards.
    await within(ds.transaction((m) => m.insert(AppSecret, { name: 'after', value: 'x' })));
    expect(await names(ds)).toEqual(['after']);
  });

  it('still runs transactions of separate callers side by side', async () => {
    await within(
      Promise.all(
        ['a', 'b', 'c'].map((name) =>
          ds.transaction(async (m) => {
            await m.insert(AppSecret, { name, value: 'x' });
            await new Promise((resolve) => setTimeout(resolve, 20));
          }),
        ),
      ),
    );
    expect(await names(ds)).toEqual(['a', 'b', 'c']);
  });

  it('lets work started inside a transaction start its own once that transaction has ended', async () => {
    let later!: Promise<unknown>;
    await ds.transaction(async (m) => {
      await m.insert(AppSecret, { name: 'first', value: 'x' });
      later = new Promise((resolve) => setTimeout(resolve, 50)).then(() => ds.transaction((m2) => m2.insert(AppSecret, { name: 'second', value: 'x' })));
    });
    await within(later);
    expect(await names(ds)).toEqual(['first', 'second']);
  });

  it('runs afterCommit work after COMMIT (it sees the row), never after a rollback', async () => {
    const seen: string[][] = [];
    const hooks: Array<Promise<void>> = [];
    const hook = () => hooks.push(names(ds).then((n) => void seen.push(n)));
    await ds.transaction(async (m) => {
      await m.insert(AppSecret, { name: 'committed', value: 'x' });
      afterCommit(m, hook);
      expect(hooks).toHaveLength(0);
    });
    expect(hooks).toHaveLength(1);
    await ds
      .transaction(async (m) => {
        await m.insert(AppSecret, { name: 'rolled-back', value: 'x' });
        afterCommit(m, hook);
        throw new Error('abort');
      })
      .catch(() => undefined);
    await within(Promise.all(hooks));
    expect(seen).toEqual([['committed']]);
    // Outside a transaction the work runs at once.
    afterCommit(ds.manager, hook);
    expect(hooks).toHaveLength(2);
    await within(Promise.all(hooks));
  });
});
