/**
 * `npm run bench -- launch --instances N`: complete LTI launches (bench/launch.ts: login →
 * authorization → launch → player page) against one server process and then against N workers
 * (worker mode, src/cluster.ts), in the same run, each on a fresh PostgreSQL database
 * (BENCH_POSTGRES_URL, default the machine's postgres://postgres@127.0.0.1:5432) and the same
 * licence set-up as the launch bench. Target (issue 11): N = 2 reaches ≥ 1.7× one instance's
 * launches/s at 64 concurrent browsers.
 *
 * Layout: the servers run as `npm start` would (src/main.ts in a process of its own, logging at
 * error); the platform emulator and the browsers in the driver's child process
 * (bench/launch-driver.ts). The client side signs an RS256 id_token per launch and makes four HTTP
 * requests, so on a 2-core machine it takes a good share of a core: each row prints CPU per launch of
 * the servers (primary and workers), PostgreSQL's backends for the bench database and the driver, and
 * the cores the whole machine was busy. The last lines turn one instance's figures into the ceilings
 * of this machine: one event loop (1 s / the server's CPU per launch) and all of its cores (cores /
 * server + postgres + driver), so the reader sees whether N instances could reach the target here at all.
 *
 *   BENCH_SECONDS=5 BENCH_LEVELS=64 BENCH_WARMUP_SECONDS=3 npm run bench -- launch --instances 2
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { testDatabase } from '../test/support/app';
import { startCluster } from '../test/support/cluster';
import type { DriverMessage } from './launch-driver';
import { ADMIN_TOKEN, drive, Figure, prepareTool, TARGET_P99_MS } from './launch';
import { cpuMsByPid, cpuMsSince, machineBusyMs, postgresBackends, treeCpuMs } from './proc-cpu';
import { ceilingLine, CpuShares, TARGET_SPEEDUP, usePostgres } from './runtime-instances';

export async function runLaunchInstances(instances: number): Promise<boolean> {
  usePostgres();
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const levels = (process.env.BENCH_LEVELS ?? '64').split(',').map(Number);
  const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
  const learners = Number(process.env.BENCH_LEARNERS ?? 1000);
  const licence = process.env.BENCH_LICENCE ?? 'limited';
  if (process.env.BENCH_HANDOFF === 'minimal') {
    throw new Error('BENCH_HANDOFF=minimal swaps code inside the server process: not with --instances');
  }
  const child = fork(path.join(__dirname, 'launch-driver.ts'), [], { execArgv: ['-r', path.join(__dirname, 'register.js')], stdio: 'inherit' });
  let ok = true;
  try {
    const ready = await new Promise<Extract<DriverMessage, { type: 'ready' }>>((resolve, reject) => {
      child.once('message', (m: DriverMessage) => m.type === 'ready' && resolve(m));
      child.once('exit', (code) => reject(new Error(`driver exited early (${code})`)));
    });
    process.stdout.write(
      `launch benchmark, instances: one server process, then ${instances} workers (worker mode), each as npm start runs it, on a fresh PostgreSQL database; ` +
        `emulator + browsers in a child process; full launch with the player page; ${learners} learners in rotation, licence ${licence}; ${warmupSeconds} s warm-up then ${seconds} s per level; ${os.availableParallelism()} cores.\n` +
        `CPU per launch: servers = primary + workers, postgres = the backends of the bench database, driver = emulator + browsers; machine = cores busy over the level, everything on it.\n`,
    );
    process.stdout.write('instances  concurrency  launches  failures  launches/s   p50 ms   p99 ms  CPU ms/launch: servers  postgres  driver  machine cores\n');
    const figures = new Map<string, Figure>();
    /** One instance's CPU per launch by level: server, postgres, driver (ms). */
    const shares = new Map<number, CpuShares>();
    for (const count of [1, instances]) {
      const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-launch-instances-'));
      const database = (await testDatabase(storageDir))!;
      const server = await startCluster({ STORAGE_DIR: storageDir, DATABASE_URL: database.url, ADMIN_TOKEN, WORKERS: String(count), LOG_LEVEL: 'error' });
      try {
        if (count > 1) {
          await server.waitReady(count);
        }
        // A client id per server: the emulator keeps one redirect URI per client.
        const clientId = `bench-instances-${count}`;
        child.send({ type: 'add-client', clientId, redirectUri: `${server.appUrl}/lti/launch` });
        const registration = { ...ready.registration, clientId, deploymentIds: ['bench-ref-deployment'] };
        const courseId = await prepareTool(server.appUrl, registration, licence, learners);
        for (const c of levels) {
          // The warm-up runs on its own first: the pool opens its connections then, and postgres is
          // read from the backends open after it (listed before it, those opened during it went uncounted).
          const go = { type: 'go' as const, toolUrl: server.appUrl, clientId, courseId, levels: [c], followPlayer: true };
          await drive(child, { ...go, seconds: warmupSeconds, warmupSeconds: 0 }, () => treeCpuMs(server.primary.pid!));
          // drive() reads the server's CPU at the level's start and end marks; postgres and the machine are read with it.
          const pgPids = await postgresBackends(database.url);
          const marks: Array<{ pg: Map<number, number>; machine: number; at: number }> = [];
          const serverCpu = () => {
            marks.push({ pg: cpuMsByPid(pgPids), machine: machineBusyMs(), at: Date.now() });
            return treeCpuMs(server.primary.pid!);
          };
          const [f] = await drive(child, { ...go, seconds, warmupSeconds: 0 }, serverCpu);
          const [from, to] = marks.slice(-2);
          const machineCores = (to.machine - from.machine) / (to.at - from.at);
          const pgMs = cpuMsSince(from.pg, to.pg);
          figures.set(`${count}-${c}`, f);
          if (count === 1) {
            shares.set(c, { server: f.cpuMsPerLaunch, pg: pgMs / Math.max(1, f.launches), driver: f.driverCpuMs / Math.max(1, f.launches) });
          }
          process.stdout.write(
            `${String(count).padStart(9)}  ${String(c).padStart(11)}  ${String(f.launches).padStart(8)}  ${String(f.failures).padStart(8)}  ${f.perSecond.toFixed(1).padStart(10)}  ${f.p50.toFixed(1).padStart(7)}  ${f.p99.toFixed(1).padStart(7)}` +
              `  ${f.cpuMsPerLaunch.toFixed(2).padStart(22)}  ${(pgMs / Math.max(1, f.launches)).toFixed(2).padStart(8)}  ${(f.driverCpuMs / Math.max(1, f.launches)).toFixed(2).padStart(6)}  ${machineCores.toFixed(2).padStart(13)}\n`,
          );
          if (f.firstFailure) {
            process.stdout.write(`  first failure: ${f.firstFailure}\n`);
          }
          ok &&= f.failures === 0;
        }
      } finally {
        await server.stop();
        await database.drop();
        fs.rmSync(storageDir, { recursive: true, force: true });
      }
    }
    process.stdout.write("(each over the timed phase; postgres counts the backends open after the level's warm-up)\n");
    for (const c of levels) {
      const speedup = figures.get(`${instances}-${c}`)!.perSecond / figures.get(`1-${c}`)!.perSecond;
      const met = speedup >= TARGET_SPEEDUP;
      process.stdout.write(
        `${c} concurrent: ${instances} instances reach ${speedup.toFixed(2)}× one instance's launches/s (target ≥ ${TARGET_SPEEDUP}×; p99 ${figures.get(`${instances}-${c}`)!.p99.toFixed(0)} ms, the launch bench's bound ${TARGET_P99_MS} ms) → ${met ? 'met' : 'MISSED'}\n`,
      );
      ok &&= met;
      process.stdout.write(ceilingLine('launch', instances, shares.get(c)!));
    }
  } finally {
    child.kill();
  }
  return ok;
}
