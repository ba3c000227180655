/**
 * Launch benchmark (issue 3, "Tests and figures"): complete LTI 1.3 launches — OIDC login at the
 * tool → authorization at the platform emulator (which signs an RS256 id_token) → form POST of the
 * id_token to the tool, with every check of LTI-CHECKLIST §1.3 and the hand-off to the player — at
 * 1, 16 and 64 concurrent simulated browsers. Target: ≥ 300 launches/s at 64, p99 < 250 ms, SQLite.
 *
 *   npm run bench -- launch
 *   BENCH_SECONDS=10 BENCH_LEVELS=1,16,64 npm run bench -- launch
 *   BENCH_HANDOFF=minimal npm run bench -- launch   the LTI part alone: the player hand-off replaced by
 *                                                   MinimalLaunchHandoff (one SELECT, a small page)
 *
 * Layout (2-core machine): the server runs in this process (SQLite file in a temp dir, logging off);
 * the emulator and the browsers run in one child process, so the server has one core to itself and
 * the client side (RSA signing, HTTP) the other. Latency is one whole launch (3 HTTP round trips:
 * login, authorization, launch) as a browser would see it on loopback.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { startServer } from '../src/server';
import { buildFixtureZip } from '../test/support/scorm-package.builder';
import type { LevelFigure } from './launch-driver';
import { DataSource } from 'typeorm';
import { LaunchHandoff } from '../src/lti/launch-context';
import { MinimalLaunchHandoff } from '../src/lti/minimal-launch-handoff';

export const TARGET_PER_SECOND = 300;
export const TARGET_P99_MS = 250;
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcd';

export async function run(): Promise<boolean> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const levels = (process.env.BENCH_LEVELS ?? '1,16,64').split(',').map(Number);
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-launch-'));
  const config = loadConfig({ PORT: '0', CONTENT_PORT: '0', ADMIN_TOKEN, LOG_LEVEL: 'error', STORAGE_DIR: storageDir });
  const server = await startServer(config);
  const minimal = process.env.BENCH_HANDOFF === 'minimal';
  if (minimal) {
    // The controller holds this very instance: swapping its method measures login + launch alone.
    const handoff = server.app.get(LaunchHandoff);
    const stand = new MinimalLaunchHandoff(server.app.get(DataSource));
    handoff.handoff = stand.handoff.bind(stand);
  }
  const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  const child = fork(path.join(__dirname, 'launch-driver.ts'), [], { execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: 'inherit' });
  try {
    const registration = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.once('message', (m: { type: string; registration: Record<string, unknown> }) => resolve(m.registration));
      child.once('exit', (code) => reject(new Error(`driver exited early (${code})`)));
    });
    const reg = await fetch(`${config.publicUrl}/api/platforms`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(registration) });
    if (reg.status !== 201) {
      throw new Error(`platform registration failed: ${reg.status} ${await reg.text()}`);
    }
    const form = new FormData();
    form.append('package', new Blob([new Uint8Array(await buildFixtureZip('scorm12-single-sco'))], { type: 'application/zip' }), 'course.zip');
    const up = await fetch(`${config.publicUrl}/api/courses`, { method: 'POST', headers: auth, body: form });
    const courseId = ((await up.json()) as { id: string }).id;
    const figures = await new Promise<LevelFigure[]>((resolve, reject) => {
      child.on('message', (m: { type: string; figures: LevelFigure[] }) => m.type === 'done' && resolve(m.figures));
      child.once('exit', (code) => reject(new Error(`driver exited (${code})`)));
      child.send({ type: 'go', toolUrl: config.publicUrl, courseId, levels, seconds, warmupSeconds: 1 });
    });
    process.stdout.write(
      `launch benchmark: ${seconds} s per level after 1 s warm-up, server in-process (SQLite), emulator + browsers in a child process; hand-off: ${minimal ? 'minimal (LTI part alone)' : 'player (full launch)'}\n`,
    );
    process.stdout.write('concurrency  launches  failures  launches/s   p50 ms   p99 ms\n');
    let ok = true;
    for (const f of figures) {
      process.stdout.write(
        `${String(f.concurrency).padStart(11)}  ${String(f.launches).padStart(8)}  ${String(f.failures).padStart(8)}  ${f.perSecond.toFixed(1).padStart(10)}  ${f.p50.toFixed(1).padStart(7)}  ${f.p99.toFixed(1).padStart(7)}\n`,
      );
      if (f.firstFailure) {
        process.stdout.write(`  first failure: ${f.firstFailure}\n`);
      }
      if (f.failures > 0) {
        ok = false;
      }
    }
    const top = figures.find((f) => f.concurrency === 64);
    if (top) {
      const pass = top.perSecond >= TARGET_PER_SECOND && top.p99 < TARGET_P99_MS;
      process.stdout.write(`target at 64 concurrent: ≥${TARGET_PER_SECOND}/s and p99 < ${TARGET_P99_MS} ms → ${pass ? 'MET' : 'MISSED'}\n`);
      ok = ok && pass;
    }
    return ok;
  } finally {
    child.kill();
    await server.close();
    fs.rmSync(storageDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
