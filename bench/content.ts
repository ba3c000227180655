/**
 * `npm run bench -- content`: course files from the content origin beside Debian's nginx serving
 * the same files, in the same run (issue 11).
 *
 * The server runs in this process (SQLite in a temp dir, logging at error) with one fixture course
 * that carries a 2 KB html page and a 2.4 MB png (incompressible bytes). nginx (`/usr/sbin/nginx`,
 * one worker, as the current user, a config generated into a temp dir: Debian's defaults —
 * sendfile, tcp_nopush — no access log) serves the same version folder. Load: `wrk -t1 -c64
 * --latency` for BENCH_SECONDS (default 10) per run, nginx and the bridge alternately, each pair
 * BENCH_PAIRS times (default 1), so a burst of load from elsewhere on the machine hits both sides.
 * Printed: req/s, p99 and the ratio of req/s (bridge / nginx), and, as a figure less sensitive to
 * other load on a shared machine, the server's CPU time per request (this process; nginx's master and
 * worker from /proc) and the ratio of those.
 *
 * Targets: ≥ 0.4× nginx for the 2 KB file and ≥ 0.6× for the 2 MB+ file.
 *
 * After each nginx row, a bare `node:http` server in a process of its own serves the same files
 * (bench/bare-node-server.ts: a small file from memory, a large one streamed in 256 KB reads; no
 * grant, no framework), not judged: what Node itself reaches on this machine, so that a ratio to
 * nginx can be read as Node's share and the bridge's own (the bridge's rows also print their ratio to it).
 *
 * Each pair is followed by runs of the offload mode: deploy/nginx/content-offload.conf (in the same
 * nginx: nginx serves the files itself, the grant checked by the bridge once and remembered) and
 * deploy/nginx/content-offload-link.conf (a second nginx, one worker: the grant checked by nginx's
 * secure_link, the bridge never asked); their CPU figure is nginx's plus this process's.
 *
 * `npm run bench -- content --beside-runtime`: the same runs while the runtime bench's paced load
 * (100 learners, 2,000 commits/s offered, bench/runtime-load.ts) commits to the same server, to show
 * that file traffic does not starve SCORM commits: commit p99 must stay under 50 ms. Printed first:
 * the paced load alone; each bridge row's verdict also gives the commit p99 of the nginx row before
 * it, since on a slow machine commits can miss 50 ms beside any file server (the files' load
 * generator and server take the cores the commits' would have).
 *
 * Large files are sent by the bridge's file sender, a helper process (CONTENT_SENDER=process, the
 * default; src/content/file-sender.ts); CONTENT_SENDER=server streams them on the server's own event
 * loop, and BENCH_SENDER=process,server runs the bridge once per value instead, each beside the same
 * nginx row: the A/B of the sender in one run. CONTENT_STREAMS=8 runs the bridge with that limit on
 * large files streamed at once (docs/deployment.md; none by default).
 *
 * BENCH_STORAGE=s3 imports the course into an S3 bucket instead (STORAGE=s3; s3rver, an S3 server
 * written in JavaScript, in a process of its own: bench/s3-server.ts) while nginx serves the same
 * files from a folder. s3rver, on the same cores, bounds the bridge's large-file rows, so their
 * ratios to nginx are printed but not judged (small files are held in memory and judged as usual):
 * what those rows show is the sender A/B and, beside the runtime, the commits. No offload rows (they
 * read the local disk). s3rver's CPU is not counted.
 *
 *   BENCH_SECONDS=10 BENCH_PAIRS=2 BENCH_FILES=small,large [CONTENT_SENDER=server | BENCH_SENDER=process,server] [CONTENT_STREAMS=8] [BENCH_STORAGE=s3] npm run bench -- content [--beside-runtime]
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { createTestApp, TestApp } from '../test/support/app';
import { startAgsPlatform } from '../test/support/ags-platform';
import { noise } from '../test/support/hostile-zips';
import { freePort, NGINX_CONF_DIR, nginxVersion, renderTemplate, RunningNginx, startNginx } from '../test/support/nginx';
import { importFixture } from '../test/support/player-entry';
import { s3rverEnv } from '../test/support/s3';
import { buildFixtureZip } from '../test/support/scorm-package.builder';
import { FileSender } from '../src/content/file-sender';
import { SERVER_NODE_FLAGS } from '../src/node-flags';
import { cpuMsByPid, cpuMsSince, treeCpuMs } from './proc-cpu';
import { benchLearners, fmt, fmtWhere, Measured, runLevel, startDriver } from './runtime-load';

const WRK = process.env.WRK ?? '/usr/bin/wrk';
/** The secret the bridge and the secure_link nginx share in the bench (CONTENT_LINK_SECRET). */
const LINK_SECRET = 'bench-link-secret-0123456789abcdefghij';

const FILES = [
  { name: 'small', label: '2 KB html', path: 'bench/page.html', bytes: htmlPage(2048), target: 0.4 },
  { name: 'large', label: '2.4 MB png', path: 'bench/photo.png', bytes: noise(2_400_000, 5), target: 0.6 },
];

export interface WrkResult {
  perSecond: number;
  p99Ms: number;
  requests: number;
  /** CPU time the server (this process, or nginx's worker) used over the run, per request (µs). */
  cpuPerRequestUs?: number;
  /** Non-2xx answers and socket errors (connect, read, write, timeout). */
  errors: number;
}

export async function run(): Promise<boolean> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const pairs = Number(process.env.BENCH_PAIRS ?? 1);
  const beside = process.argv.includes('--beside-runtime');
  const storage = process.env.BENCH_STORAGE ?? 'local';
  if (storage !== 'local' && storage !== 's3') {
    throw new Error(`BENCH_STORAGE is local or s3, not "${storage}"`);
  }
  const s3 = storage === 's3' ? await startS3() : null;
  let appUrl = '';
  const lms = beside ? await startAgsPlatform({ toolJwksUrl: () => `${appUrl}/.well-known/jwks.json`, clientId: 'bench-client' }) : null;
  const t = await createTestApp({
    LOG_LEVEL: 'error',
    CONTENT_LINK_SECRET: LINK_SECRET,
    CONTENT_STREAMS: process.env.CONTENT_STREAMS ?? '0',
    CONTENT_SENDER: process.env.CONTENT_SENDER ?? 'process',
    ...(s3 && s3rverEnv(s3.endpoint)),
  });
  appUrl = t.appUrl;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-'));
  let nginx: RunningNginx | null = null;
  let linkNginx: RunningNginx | null = null;
  let bare: { port: number; pid: number; stop: () => void } | null = null;
  let driver: ChildProcess | null = null;
  let ok = true;
  try {
    const { versionId, prefix } = await importContent(t);
    // nginx's root: the version's folder, or with S3 the same files written out here
    let root = path.join(t.config.contentDir, versionId);
    if (s3) {
      root = path.join(tmp, 'files');
      for (const file of FILES) {
        fs.mkdirSync(path.dirname(path.join(root, file.path)), { recursive: true });
        fs.writeFileSync(path.join(root, file.path), file.bytes);
      }
    }
    // a first request of each file, outside the timed runs: starts the file sender (CONTENT_SENDER=process)
    for (const file of FILES) {
      await request(t.contentUrl).get(`${prefix}${file.path}`).expect(200);
    }
    const contentPort = new URL(t.contentUrl).port;
    const bridgeBase = `http://127.0.0.1:${contentPort}${prefix}`;
    const nginxPort = await freePort();
    const offloadPort = await freePort();
    const offloadConf = renderTemplate(path.join(NGINX_CONF_DIR, 'content-offload.conf'), {
      BRIDGE_CONTENT_LISTEN: `127.0.0.1:${offloadPort}`,
      BRIDGE_CONTENT_UPSTREAM: `127.0.0.1:${contentPort}`,
      BRIDGE_STORAGE_DIR: t.storageDir,
      BRIDGE_NGINX_CACHE_DIR: path.join(tmp, 'grants'),
      BRIDGE_NGINX_CONF_DIR: NGINX_CONF_DIR,
    });
    nginx = await startNginx(tmp, nginxPort, `  server {\n    listen 127.0.0.1:${nginxPort};\n    root ${root};\n  }\n${offloadConf}`);
    const linkPort = await freePort();
    fs.mkdirSync(path.join(tmp, 'link'));
    linkNginx = await startNginx(
      path.join(tmp, 'link'),
      linkPort,
      renderTemplate(path.join(NGINX_CONF_DIR, 'content-offload-link.conf'), {
        BRIDGE_CONTENT_LISTEN: `127.0.0.1:${linkPort}`,
        BRIDGE_CONTENT_UPSTREAM: `127.0.0.1:${contentPort}`,
        BRIDGE_STORAGE_DIR: t.storageDir,
        BRIDGE_LINK_SECRET: LINK_SECRET,
        BRIDGE_NGINX_CONF_DIR: NGINX_CONF_DIR,
      }),
    );
    // the bridge's CPU: this process and its file sender (CONTENT_SENDER=process)
    const sender = t.server.app.get(FileSender);
    const senderCpu = () => cpuMsByPid(sender.pid ? [sender.pid] : []);
    bare = await startBareNode(root);
    const barePid = bare.pid;
    const bareBase = `http://127.0.0.1:${bare.port}/`;
    const nginxBase = `http://127.0.0.1:${nginxPort}/`;
    const offloadBase = `http://127.0.0.1:${offloadPort}${prefix}`;
    const linkBase = `http://127.0.0.1:${linkPort}${prefix}`;
    const nginxPid = nginx.process.pid!;
    const linkPid = linkNginx.process.pid!;
    process.stdout.write(
      `content benchmark: wrk -t1 -c64 --latency, ${seconds} s per run, nginx and the bridge alternately, ${pairs} pair(s) per file.\n` +
        `bridge: the content origin in this process (SQLite, logging at error), the lean course-file path; nginx ${nginxVersion()}: one worker, sendfile, same files.\n` +
        `node:http: a bare Node server in a process of its own (bench/bare-node-server.ts), same files, not judged: what Node itself reaches here.\n` +
        (s3
          ? `storage: S3 (s3rver in a process of its own, its CPU not counted); the large file's ratios to nginx (local files) are printed, not judged.\n`
          : ''),
    );
    let paced: ((label: string) => Promise<Measured>) | null = null;
    if (beside && lms) {
      driver = await startDriver();
      const child = driver;
      const courseId = await importFixture(t, 'scorm12-single-sco');
      const learners = await (await benchLearners(t, lms, courseId, true))(100);
      paced = (label) =>
        runLevel(
          child,
          { type: 'level', label, learners, seconds: seconds + 1, warmupSeconds: 1, complete: false, model: 'paced', intervalMs: 50 },
          undefined,
          t.server,
        );
      const alone = await paced('paced-alone');
      process.stdout.write(
        `beside the runtime bench's paced load (100 learners, 2,000 commits/s offered, AGS on), started 1 s before each wrk run and ending with it.\n`,
      );
      process.stdout.write(`commits alone:              ${fmt(alone)}\n${fmtWhere(alone)}\n`);
    }
    const only = process.env.BENCH_FILES?.split(',');
    const senders = (process.env.BENCH_SENDER?.split(',') ?? [undefined]).map((sender) => {
      if (sender !== undefined && sender !== 'process' && sender !== 'server') {
        throw new Error(`BENCH_SENDER lists process and/or server, not "${sender}"`);
      }
      return sender;
    });
    for (const file of FILES.filter((f) => !only || only.includes(f.name))) {
      for (let i = 0; i < pairs; i++) {
        // commit p99 while nginx served this file: what the machine allows beside file traffic at all
        let besideNginx: number | undefined;
        const run = async (who: string, url: string, label = who): Promise<WrkResult> => {
          const commits = paced?.(`${label}-${file.label}-${i}`);
          if (commits) {
            await new Promise((r) => setTimeout(r, 1000)); // the driver's warm-up
          }
          // the CPU of the process that answers (nginx's, the bare server's), and the bridge's behind the offload modes
          const pid = who === 'link' ? linkPid : who === 'node:http' ? barePid : nginxPid;
          const otherBefore = treeCpuMs(pid);
          const bridgeBefore = process.cpuUsage();
          const senderBefore = senderCpu();
          const result = await wrk(url, seconds);
          const bridgeUsed = process.cpuUsage(bridgeBefore);
          const otherMs = treeCpuMs(pid) - otherBefore;
          const bridgeMs = (bridgeUsed.user + bridgeUsed.system) / 1000 + cpuMsSince(senderBefore, senderCpu());
          const cpuMs = who === 'bridge' ? bridgeMs : who === 'nginx' || who === 'node:http' ? otherMs : otherMs + bridgeMs;
          result.cpuPerRequestUs = (1000 * cpuMs) / Math.max(1, result.requests);
          process.stdout.write(`${file.label.padEnd(11)} ${label.padEnd(9)} ${fmtWrk(result)}\n`);
          if (commits) {
            const c = await commits;
            const met = c.p99 < 50 && !c.errors && !c.unanswered;
            besideNginx = who === 'nginx' ? c.p99 : besideNginx;
            const reference = who === 'bridge' && besideNginx !== undefined ? ` (beside nginx serving this file: ${besideNginx.toFixed(1)} ms)` : '';
            process.stdout.write(`  commits meanwhile:        ${fmt(c)} → commit p99 < 50 ms ${met ? 'met' : 'MISSED'}${reference}\n${fmtWhere(c)}\n`);
            ok &&= met || who !== 'bridge';
          }
          return result;
        };
        const ref = await run('nginx', nginxBase + file.path);
        const node = await run('node:http', bareBase + file.path);
        process.stdout.write(
          `${file.label.padEnd(11)} node:http ${(node.perSecond / ref.perSecond).toFixed(2)}× nginx's req/s (a bare node:http server, ${file.name === 'small' ? 'the file held in memory' : 'the file streamed in 256 KB reads'}; not judged)\n`,
        );
        const configured = t.config.contentSender;
        for (const sender of senders) {
          // CONTENT_SENDER unless BENCH_SENDER names others (A/B rows against the same nginx row)
          const label = sender ?? 'bridge';
          t.config.contentSender = sender ?? configured;
          const ours = await run('bridge', bridgeBase + file.path, label);
          const ratio = ours.perSecond / ref.perSecond;
          // from S3 a large file is read from s3rver, which bounds the row; a small one is held in memory
          const judged = !s3 || file.name === 'small';
          const met = (!judged || ratio >= file.target) && ours.errors === 0;
          const cpuRatio = (ref.cpuPerRequestUs ?? NaN) / (ours.cpuPerRequestUs ?? NaN);
          process.stdout.write(
            `${file.label.padEnd(11)} ${label === 'bridge' ? 'ratio    ' : `${label} ratio`.padEnd(9)} ${ratio.toFixed(2)}× nginx's req/s (target ≥ ${file.target}×) → ${met ? (judged ? 'met' : 'not judged (S3)') : 'MISSED'}; by CPU per request ${cpuRatio.toFixed(2)}×; ${(ours.perSecond / node.perSecond).toFixed(2)}× the bare node:http server's req/s\n`,
          );
          ok &&= met;
        }
        t.config.contentSender = configured;
        if (s3) {
          continue;
        }
        const offload = await run('offload', offloadBase + file.path);
        process.stdout.write(
          `${file.label.padEnd(11)} offload   ${(offload.perSecond / ref.perSecond).toFixed(2)}× nginx's req/s (nginx serving the files, the grant checked by the bridge once)\n`,
        );
        const link = await run('link', linkBase + file.path);
        process.stdout.write(
          `${file.label.padEnd(11)} link      ${(link.perSecond / ref.perSecond).toFixed(2)}× nginx's req/s (nginx serving the files, the grant checked by nginx's secure_link)\n`,
        );
      }
    }
  } finally {
    driver?.send({ type: 'exit' });
    await nginx?.stop();
    await linkNginx?.stop();
    bare?.stop();
    await t.close();
    await lms?.stop();
    s3?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(
    `targets (2 KB ≥ 0.4× nginx, 2 MB+ ≥ 0.6× nginx${beside ? ', commit p99 < 50 ms while the bridge serves files' : ''}): ${ok ? 'met' : 'MISSED'}\n`,
  );
  return ok;
}

/** The bare node:http reference (bench/bare-node-server.ts) on the files under `root`. */
async function startBareNode(root: string): Promise<{ port: number; pid: number; stop: () => void }> {
  // with the server's Node flags, as the bridge runs: idle between its rows, it would otherwise shrink its heap as well
  const { ready, pid, stop } = await startHelper<{ port: number }>('bare-node-server.ts', [root], SERVER_NODE_FLAGS);
  return { port: ready.port, pid, stop };
}

/** s3rver started in a process of its own (bench/s3-server.ts). */
async function startS3(): Promise<{ endpoint: string; stop: () => void }> {
  const { ready, stop } = await startHelper<{ endpoint: string }>('s3-server.ts', [], []);
  return { endpoint: ready.endpoint, stop };
}

/** A bench/ script in a process of its own: resolves with the message it sends once ready; `stop` disconnects it (it exits then). */
async function startHelper<Ready>(script: string, args: string[], nodeFlags: string[]): Promise<{ ready: Ready; pid: number; stop: () => void }> {
  const child = fork(path.join(__dirname, script), args, { execArgv: [...nodeFlags, '-r', path.join(__dirname, 'register.js')], stdio: 'inherit' });
  const ready = await new Promise<Ready>((resolve, reject) => child.once('message', resolve).once('exit', () => reject(new Error(`bench/${script} did not start`))));
  return { ready, pid: child.pid!, stop: () => child.disconnect() };
}

/** Imports the fixture course with the two bench files; returns its version and a grant prefix path. */
export async function importContent(t: TestApp): Promise<{ versionId: string; prefix: string }> {
  const zip = await buildFixtureZip('scorm12-single-sco', { files: Object.fromEntries(FILES.map((f) => [f.path, f.bytes])) });
  const res = await request(t.appUrl).post('/api/courses').set(t.auth).attach('package', zip, 'bench.zip');
  if (res.status !== 201) {
    throw new Error(`import failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const sco = new URL(res.body.currentVersion.scos[0].url as string);
  return { versionId: res.body.currentVersion.id as string, prefix: sco.pathname.replace(/[^/]*$/, '') };
}

export function htmlPage(bytes: number): string {
  const head = '<!doctype html><html><head><meta charset="utf-8"><title>Page</title></head><body>\n';
  const tail = '</body></html>\n';
  const line = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n';
  let body = '';
  while (head.length + body.length + line.length + tail.length <= bytes) {
    body += line;
  }
  return (head + body + tail).padEnd(bytes - 1, ' ') + '\n';
}

/** `wrk -t1 -c64` against `url`; with `core`, wrk runs pinned to that core (`taskset`). */
export function wrk(url: string, seconds: number, core?: number): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const command = [WRK, '-t1', '-c64', `-d${seconds}s`, '--latency', url];
    const pinned = core === undefined ? command : ['taskset', '-c', String(core), ...command];
    const child = spawn(pinned[0], pinned.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out);
      if (!rps || !p99) {
        reject(new Error(`wrk output not understood:\n${out}`));
        return;
      }
      const unit = { us: 0.001, ms: 1, s: 1000 }[p99[2] as 'us' | 'ms' | 's'];
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
      const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
      resolve({ perSecond: Number(rps[1]), p99Ms: Number(p99[1]) * unit, requests, errors: non2xx + socketErrors });
    });
  });
}

function fmtWrk(r: WrkResult): string {
  return (
    `${r.perSecond.toFixed(0).padStart(7)} req/s, p99 ${r.p99Ms.toFixed(1).padStart(6)} ms, server CPU ${(r.cpuPerRequestUs ?? NaN).toFixed(1).padStart(6)} µs/req` +
    (r.errors ? `, errors ${r.errors}` : '')
  );
}
