import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { testDatabase, TEST_ADMIN_TOKEN } from '../support/app';
import { startCluster } from '../support/cluster';
import { runKillScenario } from '../support/kill-scenario';

const ROOT = path.resolve(__dirname, '../..');

describe('worker mode (src/cluster.ts)', () => {
  it('refuses WORKERS above 1 on SQLite, naming the variable and why, before starting anything', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, WORKERS: '2', DATABASE_URL: 'sqlite:/nonexistent/never-created.sqlite', PORT: '0', CONTENT_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('Invalid configuration: WORKERS=2 needs a PostgreSQL DATABASE_URL: a SQLite file belongs to one server process');
  }, 60_000);

  // Two workers on one PostgreSQL database; one killed with SIGKILL while learners commit and grades are pending.
  (process.env.TEST_POSTGRES_URL ? it : it.skip)(
    'loses no acknowledged commit, moves learners to the surviving worker and sends every pending grade once when a worker is killed',
    async () => {
      const counts = await runKillScenario({ learners: 12, warmMs: 1000, aroundKillMs: 2000, killAtMs: 500 });
      expect(counts).toMatchObject({
        learners: 12,
        acknowledgedLost: 0,
        commitsFailed: 0,
        gradesExpected: 12,
        gradesInGradebook: 12,
        gradesWrong: 0,
        scoresSentTwice: 0,
        deliveriesNotSent: 0,
      });
      // Node's cluster hands connections to the workers in turn: about half the learners were on the killed one.
      expect(counts.learnersMoved).toBeGreaterThanOrEqual(1);
      expect(counts.commitsAcknowledged).toBeGreaterThan(12 * 3);
    },
    240_000,
  );

  // The worker that replaces a dead one keeps the storage sweep going (every worker sweeps; the sweep
  // leaves anything younger than an hour, so no worker can remove another's import in progress).
  (process.env.TEST_POSTGRES_URL ? it : it.skip)(
    'keeps sweeping storage after the first worker died: its replacement removes what a crash left an hour ago',
    async () => {
      const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-sweep-'));
      const database = (await testDatabase(storageDir))!;
      const cluster = await startCluster({ STORAGE_DIR: storageDir, DATABASE_URL: database.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN, WORKERS: '2', LOG_LEVEL: 'warn' });
      try {
        await cluster.waitReady(2);
        // A crash two hours ago left a published version folder without a row and a working file,
        // planted after both workers' start-up sweeps.
        const hoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
        const orphan = path.join(storageDir, 'content', '11111111-1111-4111-8111-111111111111');
        const working = path.join(storageDir, 'tmp', 'upload-dead.zip');
        for (const file of [path.join(orphan, 'index.html'), working]) {
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, 'partial');
          fs.utimesSync(file, hoursAgo, hoursAgo);
        }
        fs.utimesSync(orphan, hoursAgo, hoursAgo);
        process.kill(cluster.readyPids[0], 'SIGKILL');
        await cluster.waitReady(3); // the replacement has swept before it reports ready
        expect(fs.existsSync(orphan)).toBe(false);
        expect(fs.existsSync(working)).toBe(false);
      } finally {
        await cluster.stop();
        await database.drop();
        fs.rmSync(storageDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
