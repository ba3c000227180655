import { spawn } from 'node:child_process';
import * as path from 'node:path';
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
});
