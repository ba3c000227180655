/**
 * Where a commit's latency goes, measured in the server's process while a level runs (the runtime
 * and content benches print it under the driver's figures):
 * - server time: from the request's headers parsed on the content listener to its answer written
 *   (`finish`), i.e. body read, framework, group commit, answer — the part the server can be blamed for;
 * - event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution): how late the loop turns, so
 *   how long a request that has arrived waits before the server even reads it;
 * - event-loop utilization: the share of the level the loop was busy (near 1, every stall queues requests
 *   that take long to drain);
 * - GC: count, total and longest pause (PerformanceObserver 'gc' entries);
 * - SQLite on the loop (better-sqlite3 is synchronous): each COMMIT's time (an automatic WAL checkpoint
 *   runs inside the COMMIT that crosses its threshold) and the statements that took 5 ms or more
 *   (TypeORM's afterQuery, whole milliseconds).
 * The client-measured latency minus the server time is the time outside the handler: waiting for
 * the loop, the kernel, and the driver's own loop.
 */
import type * as http from 'node:http';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';

export interface ProbeFigures {
  requests: number;
  serverP50: number;
  serverP99: number;
  serverMax: number;
  loopP50: number;
  loopP99: number;
  loopMax: number;
  loopUtilization: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Mark-sweep-compact pauses (the rest are scavenges of the young generation). */
  gcMajorCount: number;
  gcMajorMaxMs: number;
  /** V8 heap in use at the end (MB). */
  heapUsedMb: number;
  commitCount: number;
  commitP99: number;
  commitMax: number;
  /** Statements of 5 ms or more, and their total (ms). */
  slowStatements: number;
  slowTotalMs: number;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

/**
 * Starts measuring the requests of `server` whose path matches `only` (default: runtime commits), the
 * loop and GC; `stop()` ends it and returns the figures.
 */
export function startProbe(server: http.Server, ds?: DataSource, only: RegExp = /\/commit$/): { stop(): ProbeFigures } {
  const times: number[] = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!only.test(req.url ?? '')) {
      return;
    }
    const at = performance.now();
    res.once('finish', () => times.push(performance.now() - at));
  };
  server.prependListener('request', onRequest);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const gc: number[] = [];
  const major: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.push(e.duration);
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        major.push(e.duration);
      }
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const elu = performance.eventLoopUtilization();
  const commits: number[] = [];
  const slow: number[] = [];
  const sql: EntitySubscriberInterface = {
    afterQuery(e) {
      if (e.query === 'COMMIT') {
        commits.push(e.executionTime ?? 0);
      }
      if ((e.executionTime ?? 0) >= 5) {
        slow.push(e.executionTime!);
      }
    },
  };
  ds?.subscribers.push(sql);
  return {
    stop() {
      server.off('request', onRequest);
      ds?.subscribers.splice(ds.subscribers.indexOf(sql), 1);
      commits.sort((a, b) => a - b);
      loop.disable();
      obs.disconnect();
      times.sort((a, b) => a - b);
      const ms = (ns: number) => ns / 1e6;
      return {
        requests: times.length,
        serverP50: pct(times, 50),
        serverP99: pct(times, 99),
        serverMax: times.length ? times[times.length - 1] : NaN,
        loopP50: ms(loop.percentile(50)),
        loopP99: ms(loop.percentile(99)),
        loopMax: ms(loop.max),
        loopUtilization: performance.eventLoopUtilization(elu).utilization,
        gcCount: gc.length,
        gcTotalMs: gc.reduce((a, b) => a + b, 0),
        gcMaxMs: gc.length ? Math.max(...gc) : 0,
        gcMajorCount: major.length,
        gcMajorMaxMs: major.length ? Math.max(...major) : 0,
        heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20,
        commitCount: commits.length,
        commitP99: pct(commits, 99),
        commitMax: commits.length ? commits[commits.length - 1] : NaN,
        slowStatements: slow.length,
        slowTotalMs: slow.reduce((a, b) => a + b, 0),
      };
    },
  };
}

/** One line: "server time p50 … p99 … max …; event-loop delay p50 … p99 … max …; GC n pauses, … ms total, longest …". */
export function fmtProbe(p: ProbeFigures): string {
  const f = (x: number) => x.toFixed(1);
  return (
    `server time p50 ${f(p.serverP50)} ms, p99 ${f(p.serverP99)} ms, max ${p.serverMax.toFixed(0)} ms (${p.requests} commits); ` +
    `event-loop delay p50 ${f(p.loopP50)} ms, p99 ${f(p.loopP99)} ms, max ${p.loopMax.toFixed(0)} ms, busy ${(100 * p.loopUtilization).toFixed(0)} %; ` +
    `SQLite COMMIT p99 ${p.commitP99.toFixed(0)} ms, max ${p.commitMax.toFixed(0)} ms (${p.commitCount}), statements ≥ 5 ms ${p.slowStatements} (${p.slowTotalMs.toFixed(0)} ms); ` +
    `GC ${p.gcCount} pauses (${p.gcMajorCount} major, longest ${f(p.gcMajorMaxMs)} ms), ${p.gcTotalMs.toFixed(0)} ms total, longest ${f(p.gcMaxMs)} ms, heap ${p.heapUsedMb.toFixed(0)} MB`
  );
}
