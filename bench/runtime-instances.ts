/**
 * `npm run bench -- runtime --instances N`: the runtime bench's closed-loop load against one server
 * process and then against N workers (worker mode, src/cluster.ts), in the same run, both on a fresh
 * PostgreSQL database (BENCH_POSTGRES_URL, default the machine's postgres://postgres@127.0.0.1:5432).
 * Target (issue 11): N = 2 reaches ≥ 1.7× one instance's commits/s at 100 learners.
 *
 * Layout: the servers run as `npm start` would (src/main.ts in a process of its own, logging at
 * error); the load generator in its child process (bench/runtime-driver.ts); the AGS emulator in this
 * process. On a 2-core machine the driver, PostgreSQL and the AGS emulator take CPU from the two
 * workers, so each row also prints CPU per commit — the servers' (primary and workers), PostgreSQL's
 * backends for the bench database, the driver's — and how many cores the whole machine was busy: if
 * the CPU per commit stays the same from one instance to two, the ceiling is the machine's cores,
 * not the design.
 *
 * `--kill`: the instance-loss scenario instead (test/support/kill-scenario.ts, the e2e test's, with
 * BENCH_KILL_LEARNERS learners, default 100): two workers, one killed with SIGKILL under load while
 * grades are pending; prints what was acknowledged, lost, moved, graded and sent twice.
 *
 * BENCH_LAYOUT=nginx: the N instances as N single server processes behind nginx
 * (deploy/nginx/load-balancer.conf) instead of worker mode, nginx's CPU counted with the servers'.
 *
 *   BENCH_SECONDS=5 BENCH_LEVELS=100 BENCH_WARMUP_SECONDS=3 [BENCH_LAYOUT=cluster|nginx] npm run bench -- runtime --instances 2 [--kill]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startAgsPlatform } from '../test/support/ags-platform';
import { createTestApp, testDatabase, TEST_ADMIN_TOKEN } from '../test/support/app';
import { RunningCluster, startCluster } from '../test/support/cluster';
import { freePort, NGINX_CONF_DIR, renderTemplate, startNginx } from '../test/support/nginx';
import { formatKillCounts, runKillScenario } from '../test/support/kill-scenario';
import { importFixture } from '../test/support/player-entry';
import type { DriverLearner } from './runtime-driver';
import { cpuMsByPid, cpuMsSince, machineBusyMs, postgresBackends, treeCpuMs } from './proc-cpu';
import { benchLearners, fmt, Measured, runLevel, startDriver, timesToScore } from './runtime-load';

export const TARGET_SPEEDUP = 1.7;

/** One instance's CPU per operation (ms): the servers', PostgreSQL's backends' and the load generator's. */
export interface CpuShares {
  server: number;
  pg: number;
  driver: number;
}

/**
 * Where the ratio can go on this machine (docs/performance.md, "Workers on one 2-core box"), from one
 * instance's CPU per operation: one instance is held by its event loop (1 s / server CPU), the machine
 * by every process on it (cores / server + postgres + driver); N instances reach the lower of N event
 * loops and the machine. When that is below the target, what postgres + driver would have to come
 * down to: on C cores the ratio is C·S / (S + P + D), so the target T needs P + D ≤ (C / T − 1)·S.
 */
export function ceilingLine(unit: string, instances: number, { server, pg, driver }: CpuShares): string {
  const cores = os.availableParallelism();
  const loop = 1000 / server;
  const machine = (1000 * cores) / (server + pg + driver);
  const most = Math.min(instances * loop, machine) / Math.min(loop, machine);
  const µs = (ms: number) => `${(1000 * ms).toFixed(0)} µs`;
  return (
    `  ceilings from one instance's CPU per ${unit} (server ${µs(server)}, postgres ${µs(pg)}, driver ${µs(driver)}): its event loop ${loop.toFixed(0)}/s, ` +
    `the machine ${machine.toFixed(0)}/s (${cores} cores / ${µs(server + pg + driver)}): ${instances} instances can reach at most ${most.toFixed(2)}× here` +
    (most < TARGET_SPEEDUP
      ? `; ${TARGET_SPEEDUP}× would need postgres + driver ≤ ${µs(Math.max(0, (cores / TARGET_SPEEDUP - 1) * server))} per ${unit} (now ${µs(pg + driver)})\n`
      : '\n')
  );
}

/** `--instances N` on the command line (runtime and launch benches), or null. */
export function instancesOption(): number | null {
  const i = process.argv.indexOf('--instances');
  if (i < 0) {
    return null;
  }
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 2) {
    throw new Error('--instances needs a whole number of at least 2 (the bench prints one instance beside it)');
  }
  return n;
}

/** The instance benches run on PostgreSQL: BENCH_POSTGRES_URL (or TEST_POSTGRES_URL), else the machine's; test/support/app.ts makes each database. */
export function usePostgres(): void {
  process.env.TEST_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export async function runInstances(instances: number): Promise<boolean> {
  usePostgres();
  if (process.argv.includes('--kill')) {
    return killMode();
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const levels = (process.env.BENCH_LEVELS ?? '100').split(',').map(Number);
  // A server just started is cold (JIT): a longer warm-up than the in-process bench's.
  const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
  const layout = process.env.BENCH_LAYOUT ?? 'cluster';
  if (layout !== 'cluster' && layout !== 'nginx') {
    throw new Error(`BENCH_LAYOUT must be cluster or nginx, not "${layout}"`);
  }
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-instances-'));
  const database = (await testDatabase(storageDir))!;
  let appUrl = '';
  const lms = await startAgsPlatform({ toolJwksUrl: () => `${appUrl}/.well-known/jwks.json`, clientId: 'bench-client' });
  const env = { STORAGE_DIR: storageDir, DATABASE_URL: database.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN, GRADE_RETRY_BASE_MS: '200', GRADE_RETRY_MAX_MS: '2000' };
  const child = await startDriver();
  let ok = true;
  try {
    // Learners (a fresh set per run: the driver numbers commits from 1) opened through an instance in
    // this process, closed before any load so that it sends no grade and takes no CPU.
    const counts = [1, instances];
    const learnersFor = new Map<string, DriverLearner[]>();
    const setup = await createTestApp({ ...env, KEEP_STORAGE: '1', LOG_LEVEL: 'silent' });
    try {
      const open = await benchLearners(setup, lms, await importFixture(setup, 'scorm12-single-sco'), true);
      for (const count of counts) {
        for (const n of levels) {
          learnersFor.set(`${count}-${n}`, await open(n));
        }
      }
    } finally {
      await setup.close();
    }
    process.stdout.write(
      `runtime benchmark, instances: one server process, then ${layout === 'nginx' ? `${instances} server processes behind nginx (deploy/nginx/load-balancer.conf, one nginx worker)` : `${instances} workers (worker mode)`}, each as npm start runs it, on PostgreSQL; ` +
        `load generator in a child process, AGS emulator in this one; closed loop, ${warmupSeconds} s warm-up then ${seconds} s per level; ${os.availableParallelism()} cores.\n` +
        `CPU per commit (warm-up and completing commits included): servers = primary + workers${layout === 'nginx' ? ' + nginx' : ''}, postgres = the backends of the bench database, driver = the load generator; machine = cores busy over the level, everything on it.\n`,
    );
    const figures = new Map<string, Measured>();
    const shares = new Map<number, CpuShares>();
    for (const count of counts) {
      const server = await startLayout(count, layout, { ...env, LOG_LEVEL: 'error' });
      try {
        appUrl = server.appUrl;
        for (const n of levels) {
          const learners = learnersFor.get(`${count}-${n}`)!.map((l) => ({ ...l, url: server.contentUrl + new URL(l.url).pathname, base: server.contentUrl + new URL(l.base).pathname }));
          const pgBefore = cpuMsByPid(await postgresBackends(database.url));
          const machineBefore = machineBusyMs();
          const started = Date.now();
          const r = await runLevel(child, { type: 'level', label: `instances-${count}-${n}`, learners, seconds, warmupSeconds, complete: true }, server.cpuMs);
          const machineCores = (machineBusyMs() - machineBefore) / (Date.now() - started);
          const pgMs = cpuMsSince(pgBefore, cpuMsByPid(await postgresBackends(database.url)));
          const toScore = await timesToScore(lms, r);
          figures.set(`${count}-${n}`, r);
          if (count === 1) {
            shares.set(n, { server: r.serverCpuMs / r.requests, pg: pgMs / r.requests, driver: r.driverCpuMs / r.requests });
          }
          const per = (ms: number) => `${((1000 * ms) / r.requests).toFixed(0)} µs`;
          process.stdout.write(
            `${String(n).padStart(4)} learners, ${count} instance${count > 1 ? 's' : ' '}: ${fmt(r)}; scores at LMS ${toScore.length}/${n}\n` +
              `${' '.repeat(27)}CPU per commit: servers ${per(r.serverCpuMs)}, postgres ${per(pgMs)}, driver ${per(r.driverCpuMs)}; machine ${machineCores.toFixed(2)} of ${os.availableParallelism()} cores busy\n`,
          );
          if (r.firstError) {
            process.stdout.write(`  first error: ${r.firstError}\n`);
          }
          ok &&= r.errors === 0 && toScore.length === n;
        }
      } finally {
        await server.stop();
      }
    }
    for (const n of levels) {
      const one = figures.get(`1-${n}`)!;
      const many = figures.get(`${instances}-${n}`)!;
      const speedup = many.perSecond / one.perSecond;
      const met = speedup >= TARGET_SPEEDUP;
      process.stdout.write(
        `${n} learners: ${instances} instances reach ${speedup.toFixed(2)}× one instance's commits/s (target ≥ ${TARGET_SPEEDUP}×) → ${met ? 'met' : 'MISSED'}\n`,
      );
      ok &&= met;
      process.stdout.write(ceilingLine('commit', instances, shares.get(n)!));
    }
  } finally {
    child.send({ type: 'exit' });
    await lms.stop();
    await database.drop();
    fs.rmSync(storageDir, { recursive: true, force: true });
  }
  return ok;
}

async function killMode(): Promise<boolean> {
  const learners = Number(process.env.BENCH_KILL_LEARNERS ?? 100);
  process.stdout.write(
    `instance loss: two workers on PostgreSQL, ${learners} learners committing in a closed loop with the player's retries, one worker killed with SIGKILL\n`,
  );
  const c = await runKillScenario({ learners, warmMs: 3000, aroundKillMs: 5000, killAtMs: 2000 }, (line) => process.stdout.write(`  ${line}\n`));
  process.stdout.write(`${formatKillCounts(c)}\n`);
  const ok =
    c.acknowledgedLost === 0 &&
    c.commitsFailed === 0 &&
    c.gradesInGradebook === c.gradesExpected &&
    c.gradesWrong === 0 &&
    c.scoresSentTwice === 0 &&
    c.deliveriesNotSent === 0;
  process.stdout.write(`nothing acknowledged lost, no grade doubled: ${ok ? 'met' : 'MISSED'}; the same score sent again ${c.scoresResent} times (a POST whose answer was lost, repeated with its timestamp: an AGS gradebook keeps one score)\n`);
  return ok;
}

interface Layout {
  appUrl: string;
  contentUrl: string;
  /** CPU time (ms) of every process of the layout so far. */
  cpuMs: () => number;
  stop(): Promise<void>;
}

/**
 * `count` server processes: worker mode (one primary, `count` workers), or with BENCH_LAYOUT=nginx
 * `count` single processes behind nginx (deploy/nginx/load-balancer.conf, one nginx worker), the
 * alternative docs/deployment.md compares worker mode with.
 */
async function startLayout(count: number, layout: string, env: Record<string, string>): Promise<Layout> {
  if (layout === 'cluster' || count === 1) {
    const server = await startCluster({ ...env, WORKERS: String(count) });
    if (count > 1) {
      await server.waitReady(count);
    }
    return { appUrl: server.appUrl, contentUrl: server.contentUrl, cpuMs: () => treeCpuMs(server.primary.pid!), stop: async () => void (await server.stop()) };
  }
  const servers: RunningCluster[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lb-'));
  for (let i = 0; i < count; i++) {
    servers.push(await startCluster({ ...env, WORKERS: '1' }));
  }
  const [appPort, contentPort] = [await freePort(), await freePort()];
  const port = (url: string) => `server 127.0.0.1:${new URL(url).port};`;
  const conf = renderTemplate(path.join(NGINX_CONF_DIR, 'load-balancer.conf'), {
    BRIDGE_APP_LISTEN: `127.0.0.1:${appPort}`,
    BRIDGE_CONTENT_LISTEN: `127.0.0.1:${contentPort}`,
    BRIDGE_APP_SERVERS: servers.map((s) => port(s.appUrl)).join(' '),
    BRIDGE_CONTENT_SERVERS: servers.map((s) => port(s.contentUrl)).join(' '),
  });
  const nginx = await startNginx(dir, appPort, conf);
  return {
    appUrl: servers[0].appUrl,
    contentUrl: `http://127.0.0.1:${contentPort}`,
    cpuMs: () => servers.reduce((ms, s) => ms + treeCpuMs(s.primary.pid!), treeCpuMs(nginx.process.pid!)),
    async stop() {
      await nginx.stop();
      await Promise.all(servers.map((s) => s.stop()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
