import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { adminQuery, testDatabase, TEST_ADMIN_TOKEN } from '../support/app';
import { RunningCluster, startCluster } from '../support/cluster';
import { waitFor } from '../support/wait-for';
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
      const cluster = await startCluster({
        STORAGE_DIR: storageDir,
        DATABASE_URL: database.url,
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        WORKERS: '2',
        LOG_LEVEL: 'warn',
      });
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

  // SIGHUP to the primary: a deploy on one box without downtime (src/cluster.ts).
  (process.env.TEST_POSTGRES_URL ? it : it.skip)(
    "replaces every worker one at a time on SIGHUP, with no request failed meanwhile; every worker runs with the server's Node flags, the primary's or not",
    async () => {
      // the primary started as `node dist/main.js` would be, without npm start's flags
      await withWorkers(async (cluster) => {
        const before = [...cluster.readyPids];
        expect(before.map((pid) => nodeArgs(pid).includes('--no-memory-reducer'))).toEqual([true, true]);
        const load = steadyLoad([cluster.appUrl, cluster.contentUrl]);
        await new Promise((r) => setTimeout(r, 500));
        cluster.primary.kill('SIGHUP');
        await cluster.waitReady(4, 90_000);
        await waitFor(() => before.every((pid) => !alive(pid)), 30_000, 'the old workers to exit');
        await waitFor(() => cluster.output().includes('reloaded: every worker runs the code now on disk'), 10_000, 'the reload to end');
        const { answered, failures } = await load.stop();
        expect(failures).toEqual([]);
        expect(answered).toBeGreaterThan(20);
        expect(cluster.readyPids.slice(2).every((pid) => alive(pid) && !before.includes(pid))).toBe(true);
        expect(nodeArgs(cluster.primary.pid!)).not.toContain('--no-memory-reducer');
        for (const pid of cluster.readyPids.slice(2)) {
          expect(nodeArgs(pid)).toContain('--no-memory-reducer');
        }
      }, []);
    },
    180_000,
  );

  (process.env.TEST_POSTGRES_URL ? it : it.skip)(
    'keeps the running workers when a new one cannot start, and says why',
    async () => {
      await withWorkers(async (cluster, database) => {
        const before = [...cluster.readyPids];
        // the database takes no new connection: a new worker cannot start, the running ones keep theirs
        await adminQuery(process.env.TEST_POSTGRES_URL!, `ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
        try {
          cluster.primary.kill('SIGHUP');
          await waitFor(() => cluster.output().includes('reload stopped: worker'), 60_000, 'the reload to stop');
        } finally {
          await adminQuery(process.env.TEST_POSTGRES_URL!, `ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
        }
        expect(cluster.output()).toMatch(/reload stopped: worker \d+ exited before it listened \(code 1\); the workers running keep serving/);
        await new Promise((r) => setTimeout(r, 1500)); // no replacement is started for the failed one
        expect(before.every(alive)).toBe(true);
        expect(cluster.readyPids).toEqual(before);
        const { answered, failures } = await steadyLoad([cluster.appUrl]).stop(1000);
        expect(failures).toEqual([]);
        expect(answered).toBeGreaterThan(0);
      });
    },
    180_000,
  );
});

/** Two workers on a fresh PostgreSQL database for `run`, stopped and dropped after. */
async function withWorkers(run: (cluster: RunningCluster, database: string) => Promise<void>, nodeFlags?: string[]): Promise<void> {
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-reload-'));
  const database = (await testDatabase(storageDir))!;
  const env = { STORAGE_DIR: storageDir, DATABASE_URL: database.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN, WORKERS: '2', LOG_LEVEL: 'log' };
  const cluster = await startCluster(env, undefined, nodeFlags);
  try {
    await cluster.waitReady(2);
    await run(cluster, new URL(database.url).pathname.slice(1));
  } finally {
    await cluster.stop();
    await database.drop();
    fs.rmSync(storageDir, { recursive: true, force: true });
  }
}

/** A process's command line, argument by argument (Linux). */
function nodeArgs(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
}

/**
 * GET /health on each origin over and over, each on a new connection (as a load balancer's requests
 * reach a box), until `stop` (after `ms` more): how many were answered 200, and what failed.
 */
function steadyLoad(origins: string[]): { stop(ms?: number): Promise<{ answered: number; failures: string[] }> } {
  let running = true;
  let answered = 0;
  const failures: string[] = [];
  const once = (url: string) =>
    new Promise<void>((resolve) => {
      http
        .get(url + '/health', { agent: false }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) {
              answered++;
            } else {
              failures.push(`${url}: ${res.statusCode}`);
            }
            resolve();
          });
        })
        .on('error', (err) => {
          failures.push(`${url}: ${err.message}`);
          resolve();
        });
    });
  const loops = origins.map(async (url) => {
    while (running) {
      await once(url);
    }
  });
  return {
    async stop(ms = 0) {
      await new Promise((r) => setTimeout(r, ms));
      running = false;
      await Promise.all(loops);
      return { answered, failures };
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
