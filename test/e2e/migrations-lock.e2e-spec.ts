import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { testDatabase } from '../support/app';
import { MIGRATIONS } from '../../src/database/schema';

/**
 * Instances starting at the same moment on an empty PostgreSQL database (src/database/data-source.ts,
 * docs/deployment.md "Start-up"): each child process loads the code, then waits for the word to open
 * the database, so both migrate at once. With the advisory lock one migrates and the other finds
 * nothing left to do; without it the second fails on a table the first created.
 */
const pg = process.env.TEST_POSTGRES_URL;
const ROOT = path.resolve(__dirname, '../..');
const CHILD = `
const { loadConfig } = require('./src/config/app-config');
const { openDataSource } = require('./src/database/data-source');
process.stdin.once('data', async () => {
  try {
    const ds = await openDataSource(loadConfig());
    await ds.destroy();
    process.stdout.write('migrated\\n');
  } catch (err) {
    process.stdout.write('failed: ' + err.message + '\\n');
    process.exit(1);
  }
});
process.stdout.write('ready\\n');
`;

function child(env: Record<string, string>): { proc: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', CHILD], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { proc, output: () => out };
}

(pg ? describe : describe.skip)('migrations on PostgreSQL (skipped without TEST_POSTGRES_URL: npm run test:postgres)', () => {
  it('should migrate an empty database once when two instances start at the same moment', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-migrate-'));
    const database = (await testDatabase(dir))!;
    try {
      const env = { DATABASE_URL: database.url, STORAGE_DIR: dir, LOG_LEVEL: 'silent' };
      const both = [child(env), child(env)];
      const deadline = Date.now() + 120_000;
      while (!both.every((c) => c.output().includes('ready')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const exits = both.map((c) => new Promise<number | null>((resolve) => c.proc.once('exit', resolve)));
      both.forEach((c) => c.proc.stdin!.end('go\n'));
      const codes = await Promise.all(exits);
      expect(both.map((c) => c.output().trim())).toEqual(['ready\nmigrated', 'ready\nmigrated']);
      expect(codes).toEqual([0, 0]);
      const db = new Client({ connectionString: database.url });
      await db.connect();
      try {
        const names = (await db.query('SELECT name FROM migrations ORDER BY id')).rows.map((r: { name: string }) => r.name);
        expect(names).toEqual(MIGRATIONS.map((m) => m.name));
      } finally {
        await db.end();
      }
    } finally {
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
