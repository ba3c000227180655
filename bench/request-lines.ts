/**
 * `npm run bench -- request-lines`: what the request line costs a course file. At LOG_LEVEL=log, the
 * default, every request is a line (src/logging/request-logger.ts); a course page is hundreds of
 * files, so the line is written as often as a file is served.
 *
 * The test app with a 2 KB page runs in a process of its own (bench/content-server.ts) with its
 * stdout going to a file, as under a process manager; once at LOG_LEVEL=error (no request line: the
 * reference) and once at `log` (BENCH_LOG_FORMAT: `text`, the default, or `json`), alternately,
 * BENCH_PAIRS times (default 5), `wrk -t1 -c64` for BENCH_SECONDS (default 5) after 2 s of warm-up.
 * Where `taskset` works the server is pinned to core 0 and wrk to core 1: on these shared machines
 * that kept such figures within about 5 % where unpinned runs swung 2×.
 *
 * Printed: req/s and the server's CPU per request of each, the line's cost in each pair (the
 * difference in CPU per request, and the ratio of req/s), and the median of those over the pairs: a
 * host's speed can change between one pair and the next. Not judged: there is no target; the figure is for
 * docs/performance.md ("Request lines") and for anyone changing the logger.
 */
import { ChildProcess, fork, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SERVER_NODE_FLAGS } from '../src/node-flags';
import { wrk, WrkResult } from './content';
import { cpuMsByPid } from './proc-cpu';
import { median } from './stats';

const PINNED = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && os.cpus().length >= 2;

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const pairs = Number(process.env.BENCH_PAIRS ?? 5);
  const format = process.env.BENCH_LOG_FORMAT ?? 'text';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lines-'));
  process.stdout.write(
    `request lines: a 2 KB course file, the server in a process of its own with stdout to a file, LOG_LEVEL=error (no line) and LOG_LEVEL=log (LOG_FORMAT=${format}) alternately, ` +
      `wrk -t1 -c64 ${seconds} s per run, ${pairs} pair(s), ${PINNED ? 'server pinned to core 0 and wrk to core 1' : 'not pinned (taskset or a second core missing)'}.\n`,
  );
  try {
    const rows: Record<'error' | 'log', WrkResult[]> = { error: [], log: [] };
    for (let i = 0; i < pairs; i++) {
      for (const level of ['error', 'log'] as const) {
        const result = await measure(level, format, seconds, path.join(tmp, `${level}-${i}.log`));
        rows[level].push(result);
        process.stdout.write(
          `LOG_LEVEL=${level.padEnd(5)} ${result.perSecond.toFixed(0).padStart(7)} req/s, server CPU ${result.cpuPerRequestUs!.toFixed(1).padStart(5)} µs/req${result.errors ? `, errors ${result.errors}` : ''}\n`,
        );
      }
      const [ref, line] = [rows.error[i], rows.log[i]];
      process.stdout.write(
        `  a request line costs ${(line.cpuPerRequestUs! - ref.cpuPerRequestUs!).toFixed(1)} µs of CPU per request; LOG_LEVEL=log serves ${(line.perSecond / ref.perSecond).toFixed(2)}× the req/s of LOG_LEVEL=error\n`,
      );
    }
    const costs = rows.log.map((line, i) => line.cpuPerRequestUs! - rows.error[i].cpuPerRequestUs!);
    const ratios = rows.log.map((line, i) => line.perSecond / rows.error[i].perSecond);
    process.stdout.write(
      `median of ${pairs} pair(s): a request line costs ${median(costs).toFixed(1)} µs of CPU per request; LOG_LEVEL=log serves ${median(ratios).toFixed(2)}× the req/s of LOG_LEVEL=error\n`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function measure(level: string, format: string, seconds: number, logFile: string): Promise<WrkResult> {
  const out = fs.openSync(logFile, 'w');
  const child = fork(path.join(__dirname, 'content-server.ts'), [], {
    execArgv: [...SERVER_NODE_FLAGS, '-r', path.join(__dirname, 'register.js')],
    env: { ...process.env, LOG_LEVEL: level, LOG_FORMAT: format, NO_COLOR: '' },
    stdio: ['ignore', out, 'inherit', 'ipc'],
  });
  fs.closeSync(out);
  try {
    const { url, pid } = await ready(child);
    if (PINNED) {
      spawnSync('taskset', ['-a', '-p', '-c', '0', String(pid)]);
    }
    const core = PINNED ? 1 : undefined;
    await wrk(url, 2, core);
    const before = cpuMsByPid([pid]).get(pid)!;
    const result = await wrk(url, seconds, core);
    const used = cpuMsByPid([pid]).get(pid)! - before;
    return { ...result, cpuPerRequestUs: (used * 1000) / result.requests };
  } finally {
    child.kill();
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
  }
}

function ready(child: ChildProcess): Promise<{ url: string; pid: number }> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; pid: number }));
    child.once('exit', (code) => reject(new Error(`the content server exited (${code}) before it was ready`)));
  });
}
