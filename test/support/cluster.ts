import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { freePort } from './nginx';
import { SERVER_NODE_FLAGS } from '../../src/node-flags';

const ROOT = path.resolve(__dirname, '../..');

export interface RunningCluster {
  primary: ChildProcess;
  appUrl: string;
  contentUrl: string;
  /** Pids of the workers that reported ready, in that order (a replacement is added when it is ready). */
  readyPids: number[];
  /** Everything the primary and its workers printed so far. */
  output(): string;
  /** Resolves once `n` workers have reported ready in all (replacements included). */
  waitReady(n: number, timeoutMs?: number): Promise<void>;
  /** SIGTERM to the primary (it stops every worker), resolved with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `npm start`'s entry (src/main.ts, transpiled on load) as its own process with `env` added to
 * this process's environment — in worker mode (src/cluster.ts) when WORKERS > 1, else one process — and
 * resolves once it (the first worker) answers on free ports of its own; with `nodeFlags` (npm start's by default). A primary's lifecycle lines (worker started, ready,
 * died) are read from its output.
 */
export async function startCluster(env: Record<string, string>, timeoutMs = 120_000, nodeFlags = SERVER_NODE_FLAGS): Promise<RunningCluster> {
  const [port, contentPort] = [await freePort(), await freePort()];
  const appUrl = `http://localhost:${port}`;
  const contentUrl = `http://localhost:${contentPort}`;
  const primary = spawn(process.execPath, [...nodeFlags, '-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env, PORT: String(port), CONTENT_PORT: String(contentPort), PUBLIC_URL: appUrl, CONTENT_URL: contentUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const readyPids: number[] = [];
  const waiters: Array<() => void> = [];
  const onData = (c: Buffer) => {
    out += c.toString();
    // Keep the log bounded under load: the lines of interest are kept, request lines dropped.
    if (out.length > 1_000_000) {
      out = out.slice(-500_000);
    }
    for (const m of c.toString().matchAll(/\[Cluster\] worker \d+ ready, pid (\d+)/g)) {
      readyPids.push(Number(m[1]));
    }
    waiters.forEach((w) => w());
  };
  primary.stdout.on('data', onData);
  primary.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
  const until = (test: () => boolean, ms: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (test()) {
          cleanup();
          resolve();
        } else if (primary.exitCode !== null) {
          cleanup();
          reject(new Error(`the server exited (${primary.exitCode}) before ${what}:\n${out.slice(-4000)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}:\n${out.slice(-4000)}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(check), 1);
      };
      waiters.push(check);
      void exited.then(check);
      check();
    });
  let listening = false;
  const poll = setInterval(() => {
    void fetch(`${contentUrl}/health`).then(
      (r) => {
        listening ||= r.ok;
        waiters.forEach((w) => w());
      },
      () => undefined,
    );
  }, 250);
  try {
    await until(() => listening, timeoutMs, 'the server listened');
  } finally {
    clearInterval(poll);
  }
  return {
    primary,
    appUrl,
    contentUrl,
    readyPids,
    output: () => out,
    waitReady: (n, ms = timeoutMs) => until(() => readyPids.length >= n, ms, `${n} workers were ready`),
    async stop() {
      if (primary.exitCode === null) {
        primary.kill('SIGTERM');
      }
      return exited;
    },
  };
}
