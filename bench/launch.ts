/**
 * Launch benchmark (issue 3, "Tests and figures"): complete LTI 1.3 launches — OIDC login at the
 * tool → authorization at the platform emulator (which signs an RS256 id_token) → form POST of the
 * id_token to the tool, with every check of docs/lti-launch-checks.md and the hand-off to the player → GET
 * of the player page on the content origin (launch code redeemed, bootstrap served) — at 1, 16 and
 * 64 concurrent simulated browsers. Target: ≥ 300 launches/s at 64, p99 < 250 ms, SQLite.
 *
 *   npm run bench -- launch
 *   BENCH_SECONDS=10 BENCH_LEVELS=1,16,64 npm run bench -- launch
 *   BENCH_HANDOFF=minimal npm run bench -- launch   the LTI part alone: the player hand-off replaced by
 *                                                   MinimalLaunchHandoff (one SELECT, a small page),
 *                                                   no player page
 *   BENCH_REFERENCE=0 npm run bench -- launch       skip the reference run
 *   BENCH_LEARNERS=1000                             size of the learner pool the launches rotate through
 *   BENCH_SCORM=2004                                the course is SCORM 2004 with sequencing
 *                                                   (fixtures/packages/seq-bench-course, bench/sequenced-course.ts):
 *                                                   every player page carries the compiled sequencing in its
 *                                                   bootstrap (counted; default 1.2, the single-SCO course).
 *                                                   The learners have no saved engine state (nobody commits
 *                                                   here), so a relaunch's ~30 KB state is not in the figure
 *   --instances 2                                   one server process, then two workers, on PostgreSQL
 *                                                   (bench/launch-instances.ts)
 *   BENCH_LICENCE=limited | unlimited | none        the platform belongs to a customer with a licence for the
 *                                                   course of BENCH_LEARNERS seats (default: every first
 *                                                   launch takes its seat in the counted transaction, every
 *                                                   later one reads its seat), of no limit, or to no
 *                                                   customer at all (no licence check: issue 9's baseline)
 *
 * Layout (2-core machine): the server runs in this process (SQLite file in a temp dir, logging off);
 * the emulator and the browsers run in one child process, so the server has one core to itself and
 * the client side (RSA signing, HTTP) the other. Latency is one whole launch (4 HTTP round trips:
 * login, authorization, launch, player page) as a browser would see it on loopback. "server CPU ms"
 * is this process's CPU time (user + system) per launch, which is less sensitive than the
 * throughput to other load on the machine.
 *
 * Reference (same run, same driver, same core layout): a bare node:http server doing only what a
 * launch cannot do without — a state/nonce map, one RS256 verification with a cached key, a hand-off
 * page and a player page — with no framework and no database. It is the floor this machine and
 * client set; the gap to it is the price of the framework, the database and the checks.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { compactVerify, importJWK, type JWK, type KeyLike } from 'jose';
import { loadConfig } from '../src/config/app-config';
import { startServer } from '../src/server';
import { buildFixtureZip } from '../test/support/scorm-package.builder';
import type { DriverMessage, Go, LevelFigure } from './launch-driver';
import { DataSource } from 'typeorm';
import { LaunchHandoff } from '../src/lti/protocol/launch-context';
import { MinimalLaunchHandoff } from './minimal-launch-handoff';
import { runLaunchInstances } from './launch-instances';
import { ownCpuMs } from './proc-cpu';
import { instancesOption } from './runtime-instances';
import { BENCH_FIXTURE, MODE_TEXT, onlyScorm12, scormOption } from './sequenced-course';

export const TARGET_PER_SECOND = 300;
export const TARGET_P99_MS = 250;
export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcd';
const REF_CLIENT = 'bench-reference-client';

export type Figure = LevelFigure & { cpuMsPerLaunch: number };

export async function run(): Promise<boolean> {
  const scorm = scormOption();
  const instances = instancesOption();
  if (instances) {
    onlyScorm12(scorm, '--instances');
    return runLaunchInstances(instances);
  }

  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const levels = (process.env.BENCH_LEVELS ?? '1,16,64').split(',').map(Number);
  const withReference = process.env.BENCH_REFERENCE !== '0';
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-launch-'));
  const config = loadConfig({ PORT: '0', CONTENT_PORT: '0', ADMIN_TOKEN, LOG_LEVEL: 'error', STORAGE_DIR: storageDir });
  const server = await startServer(config);
  const minimal = process.env.BENCH_HANDOFF === 'minimal';
  const learners = Number(process.env.BENCH_LEARNERS ?? 1000);
  const licence = process.env.BENCH_LICENCE ?? 'limited';
  if (!['limited', 'unlimited', 'none'].includes(licence)) {
    throw new Error(`BENCH_LICENCE must be limited, unlimited or none, not "${licence}"`);
  }
  if (minimal) {
    // The controller holds this very instance: swapping its method measures login + launch alone.
    const handoff = server.app.get(LaunchHandoff);
    const stand = new MinimalLaunchHandoff(server.app.get(DataSource));
    handoff.handoff = stand.handoff.bind(stand);
  }
  const child = fork(path.join(__dirname, 'launch-driver.ts'), [], { execArgv: ['-r', path.join(__dirname, 'register.js')], stdio: 'inherit' });
  let reference: { url: string; close: () => Promise<void> } | undefined;
  try {
    const ready = await new Promise<Extract<DriverMessage, { type: 'ready' }>>((resolve, reject) => {
      child.once('message', (m: DriverMessage) => m.type === 'ready' && resolve(m));
      child.once('exit', (code) => reject(new Error(`driver exited early (${code})`)));
    });
    const courseId = await prepareTool(config.publicUrl, ready.registration, licence, learners, BENCH_FIXTURE[scorm]);
    const go: Go = { type: 'go', toolUrl: config.publicUrl, courseId, levels, seconds, warmupSeconds: 1, followPlayer: !minimal };
    const figures = await drive(child, go);
    let refFigures: Figure[] = [];
    if (withReference) {
      reference = await startReference(ready.issuer, ready.jwksUri, ready.authorizationEndpoint);
      child.send({ type: 'add-client', clientId: REF_CLIENT, redirectUri: `${reference.url}/lti/launch` });
      refFigures = await drive(child, {
        ...go,
        toolUrl: reference.url,
        clientId: REF_CLIENT,
        levels: levels.filter((l) => l === 64).length ? [64] : [levels[levels.length - 1]],
      });
    }
    process.stdout.write(
      `launch benchmark, ${MODE_TEXT[scorm]}: ${seconds} s per level after 1 s warm-up, server in-process (SQLite), emulator + browsers in a child process; ` +
        `hand-off: ${minimal ? 'minimal (LTI part alone, no player page)' : 'player (full launch: login → authorization → launch → GET of the player page on the content origin, bootstrap checked)'}; ` +
        `${learners} learners in rotation; ${licence === 'none' ? 'platform of no customer (no licence check)' : `platform of a customer, licence for the course with ${licence === 'limited' ? `${learners} seats` : 'no seat limit'}`}\n`,
    );
    process.stdout.write('               concurrency  launches  failures  launches/s   p50 ms   p99 ms  server CPU ms/launch\n');
    let ok = true;
    const print = (label: string, f: Figure) => {
      process.stdout.write(
        `${label.padEnd(15)}${String(f.concurrency).padStart(11)}  ${String(f.launches).padStart(8)}  ${String(f.failures).padStart(8)}  ${f.perSecond.toFixed(1).padStart(10)}  ${f.p50.toFixed(1).padStart(7)}  ${f.p99.toFixed(1).padStart(7)}  ${f.cpuMsPerLaunch.toFixed(2).padStart(20)}\n`,
      );
      if (f.firstFailure) {
        process.stdout.write(`  first failure: ${f.firstFailure}\n`);
      }
    };
    for (const f of figures) {
      print('tool', f);
      ok = ok && f.failures === 0;
    }
    if (scorm === '2004' && !minimal) {
      const last = figures[figures.length - 1];
      process.stdout.write(
        `2004: bootstraps carrying the compiled sequencing: ${figures.map((f) => `${f.withSequencing}/${f.launches}`).join(', ')} (per level); player page ${((last?.pageBytes ?? 0) / 1024).toFixed(1)} KB\n`,
      );
    }
    for (const f of refFigures) {
      print('reference', f);
    }
    if (refFigures.length) {
      process.stdout.write('(reference: bare node:http, in-memory state, one RS256 verify with a cached key, no framework, no database)\n');
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
    await reference?.close();
    await server.close();
    fs.rmSync(storageDir, { recursive: true, force: true });
  }
}

/** Registers the emulator as a platform, uploads the course (a fixture package) and, unless `licence` is none, licenses it; returns the course id. */
export async function prepareTool(base: string, registration: Record<string, unknown>, licence: string, learners: number, fixture = BENCH_FIXTURE['1.2']): Promise<string> {
  const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  const reg = await fetch(`${base}/api/platforms`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify(registration),
  });
  if (reg.status !== 201) {
    throw new Error(`platform registration failed: ${reg.status} ${await reg.text()}`);
  }
  const platformId = ((await reg.json()) as { id: string }).id;
  const form = new FormData();
  form.append('package', new Blob([new Uint8Array(await buildFixtureZip(fixture))], { type: 'application/zip' }), 'course.zip');
  const up = await fetch(`${base}/api/courses`, { method: 'POST', headers: auth, body: form });
  const courseId = ((await up.json()) as { id: string }).id;
  if (licence !== 'none') {
    await licensed(base, auth, platformId, courseId, licence === 'limited' ? learners : null);
  }
  return courseId;
}

/** Puts the platform in a customer that holds a licence for the course (issue 9), so every launch goes through the licence check. */
async function licensed(base: string, auth: Record<string, string>, platformId: string, courseId: string, seatLimit: number | null): Promise<void> {
  const send = async (method: string, url: string, body: unknown): Promise<{ id: string }> => {
    const res = await fetch(`${base}${url}`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) {
      throw new Error(`${method} ${url} failed: ${res.status} ${await res.text()}`);
    }
    return (await res.json()) as { id: string };
  };
  const customer = await send('POST', '/api/customers', { name: 'Bench customer' });
  await send('PATCH', `/api/platforms/${platformId}`, { customerId: customer.id });
  await send('POST', '/api/licences', { customerId: customer.id, courseId, seatLimit });
}

/**
 * Runs one series of levels in the child; reads the server's CPU time between the level marks: this
 * process's (the server in-process) or what `serverCpuMs` reads (a server in processes of its own).
 */
export function drive(child: ReturnType<typeof fork>, go: Go, serverCpuMs: () => number = ownCpuMs): Promise<Figure[]> {
  return new Promise<Figure[]>((resolve, reject) => {
    const cpu: number[] = [];
    let startedAt = serverCpuMs();
    const onMessage = (m: DriverMessage) => {
      if (m.type === 'mark' && m.phase === 'start') {
        startedAt = serverCpuMs();
      } else if (m.type === 'mark' && m.phase === 'end') {
        cpu.push(serverCpuMs() - startedAt);
      } else if (m.type === 'done') {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m.figures.map((f, i) => ({ ...f, cpuMsPerLaunch: f.launches ? cpu[i] / f.launches : NaN })));
      }
    };
    const onExit = (code: number | null) => reject(new Error(`driver exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(go);
  });
}

/** The reference server (see the file comment): the least a launch needs, on node:http alone. */
async function startReference(issuer: string, jwksUri: string, authorizationEndpoint: string): Promise<{ url: string; close: () => Promise<void> }> {
  const jwks = (await (await fetch(jwksUri)).json()) as { keys: JWK[] };
  const keys = new Map<string, KeyLike | Uint8Array>();
  for (const jwk of jwks.keys) {
    keys.set(jwk.kid ?? '', await importJWK(jwk, 'RS256'));
  }
  const states = new Map<string, { nonce: string; binding: string }>();
  const codes = new Set<string>();
  let url = '';
  const page = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const u = new URL(req.url ?? '/', url);
        if (req.method === 'GET' && u.pathname === '/lti/login') {
          const state = randomBytes(32).toString('base64url');
          const nonce = randomBytes(32).toString('base64url');
          const binding = randomBytes(32).toString('base64url');
          states.set(state, { nonce, binding });
          const a = new URL(authorizationEndpoint);
          for (const k of ['login_hint', 'lti_message_hint', 'client_id']) {
            a.searchParams.set(k, u.searchParams.get(k) ?? '');
          }
          Object.entries({
            scope: 'openid',
            response_type: 'id_token',
            response_mode: 'form_post',
            prompt: 'none',
            redirect_uri: `${url}/lti/launch`,
            state,
            nonce,
          }).forEach(([k, v]) => a.searchParams.set(k, v));
          res.writeHead(302, { Location: a.toString(), 'Set-Cookie': `s_${state}=${binding}; Path=/lti; HttpOnly; SameSite=None; Secure` });
          res.end();
          return;
        }
        if (req.method === 'POST' && u.pathname === '/lti/launch') {
          const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
          const state = body.get('state') ?? '';
          const login = states.get(state);
          states.delete(state);
          if (!login || !(req.headers.cookie ?? '').includes(`s_${state}=${login.binding}`)) {
            return page(res, 400, 'bad state');
          }
          const token = body.get('id_token') ?? '';
          const kid = (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { kid?: string }).kid ?? '';
          const key = keys.get(kid);
          if (!key) {
            return page(res, 400, 'unknown kid');
          }
          const claims = JSON.parse(new TextDecoder().decode((await compactVerify(token, key, { algorithms: ['RS256'] })).payload)) as Record<string, unknown>;
          if (claims.iss !== issuer || claims.aud !== REF_CLIENT || claims.nonce !== login.nonce || (claims.exp as number) * 1000 < Date.now()) {
            return page(res, 400, 'bad claims');
          }
          const code = randomBytes(32).toString('base64url');
          codes.add(code);
          const player = `${url}/player/${code}`;
          return page(res, 200, `<!DOCTYPE html><p><a href="${player}" data-player-url="${player}">Continue</a></p>`);
        }
        if (req.method === 'GET' && u.pathname.startsWith('/player/')) {
          if (!codes.delete(u.pathname.slice('/player/'.length))) {
            return page(res, 410, 'used');
          }
          return page(res, 200, `<!DOCTYPE html><script type="application/json" id="bridge-bootstrap">{}</script>`);
        }
        page(res, 404, 'not found');
      })().catch((e: Error) => page(res, 500, e.message));
    });
  });
  srv.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
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
