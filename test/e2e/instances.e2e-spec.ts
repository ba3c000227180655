import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { testDatabase, TEST_ADMIN_TOKEN } from '../support/app';
import { PlatformEmulator } from '../support/platform-emulator';
import { attachAgs } from '../support/emulator-ags';
import { playerUrlAfterLaunch } from '../support/instructor-view';
import { buildFixtureZip } from '../support/scorm-package.builder';
import { waitFor } from '../support/wait-for';
import { freePort } from '../support/nginx';

/**
 * Two real server processes on one PostgreSQL database and one storage folder, behind a front that
 * the test steers (as a load balancer would send a browser's requests anywhere): the cross-instance
 * flows of issue 11 (docs/deployment.md, "What instances share"). Both instances have the same
 * PUBLIC_URL and CONTENT_URL (the front's); the test also talks to each instance directly.
 */
const pg = process.env.TEST_POSTGRES_URL;
const describePg = pg ? describe : describe.skip;
const ROOT = path.resolve(__dirname, '../..');
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const SCOPES = ['https://purl.imsglobal.org/spec/lti-ags/scope/score', 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem'];

interface Instance {
  name: 'a' | 'b';
  app: string;
  content: string;
  proc: ChildProcess;
  output: () => string;
}

/** `src/main.ts` as its own process (one worker), resolved once both of its listeners accept connections. */
async function startInstance(name: 'a' | 'b', env: Record<string, string>): Promise<Instance> {
  const [appPort, contentPort] = [await freePort(), await freePort()];
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', WORKERS: '1', LOG_LEVEL: 'log', PORT: String(appPort), CONTENT_PORT: String(contentPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  proc.stderr.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  await waitFor(
    () => {
      if (proc.exitCode !== null) {
        throw new Error(`instance ${name} exited (${proc.exitCode}):\n${out.slice(-3000)}`);
      }
      return out.includes('Content origin (player, course files) listening');
    },
    120_000,
    `instance ${name} to listen`,
  );
  return { name, app: `http://127.0.0.1:${appPort}`, content: `http://127.0.0.1:${contentPort}`, proc, output: () => out };
}

async function stopInstance(i: Instance | undefined): Promise<void> {
  if (i && i.proc.exitCode === null) {
    const exited = new Promise((resolve) => i.proc.once('exit', resolve));
    i.proc.kill('SIGTERM');
    await exited;
  }
}

/** The front: forwards each request to the instance `route()` names, and records who answered what. */
async function startFront(route: () => Instance, origin: 'app' | 'content', served: Array<{ instance: string; path: string }>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const to = route();
    served.push({ instance: to.name, path: (req.url ?? '').split('?')[0] });
    const target = new URL(req.url ?? '/', origin === 'app' ? to.app : to.content);
    const up = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describePg('two server processes on one PostgreSQL database (skipped without TEST_POSTGRES_URL: npm run test:postgres)', () => {
  jest.setTimeout(240_000);
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-instances-'));
  const served: Array<{ instance: string; path: string }> = [];
  let a: Instance;
  let b: Instance;
  let routeTo: 'a' | 'b' = 'a';
  const route = () => (routeTo === 'a' ? a : b);
  let fronts: Array<{ url: string; close(): Promise<void> }> = [];
  let emu: PlatformEmulator;
  let ags: ReturnType<typeof attachAgs>;
  let drop: () => Promise<void> = async () => undefined;
  let courseId = '';
  const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  beforeAll(async () => {
    const database = (await testDatabase(storageDir))!;
    drop = database.drop;
    const appFront = await startFront(route, 'app', served);
    const contentFront = await startFront(route, 'content', served);
    fronts = [appFront, contentFront];
    const env = {
      DATABASE_URL: database.url,
      STORAGE_DIR: storageDir,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      PUBLIC_URL: appFront.url,
      CONTENT_URL: contentFront.url,
      GRADE_HTTP_TIMEOUT_MS: '2000',
      GRADE_RETRY_BASE_MS: '200',
      GRADE_RETRY_MAX_MS: '1000', // a send that timed out on a busy machine is retried within a second, not after minutes
    };
    a = await startInstance('a', env); // alone first: migrations, secrets and the first key
    b = await startInstance('b', env);
    emu = await PlatformEmulator.start({ toolUrl: appFront.url });
    ags = attachAgs(emu);
    const reg = await fetch(`${a.app}/api/platforms`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(emu.registrationBody()) });
    expect(reg.status).toBe(201);
    // Imported through b, into the one storage both serve from.
    const form = new FormData();
    form.append('package', new Blob([new Uint8Array(await buildFixtureZip('scorm12-single-sco'))], { type: 'application/zip' }), 'course.zip');
    const up = await fetch(`${b.app}/api/courses`, { method: 'POST', headers: auth, body: form });
    expect(up.status).toBe(201);
    courseId = ((await up.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await Promise.all([stopInstance(a), stopInstance(b)]);
    await Promise.all(fronts.map((f) => f.close()));
    await emu?.stop();
    await drop();
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  /** An LTI launch whose OIDC login reaches `loginOn` and whose id_token post reaches `launchOn`. */
  async function launch(sub: string, loginOn: 'a' | 'b', launchOn: 'a' | 'b', link = 'link-two-instances') {
    routeTo = loginOn;
    const from = served.length;
    const res = await emu.launch({
      toolUrl: fronts[0].url,
      courseId,
      claims: { sub, [`${LTI}resource_link`]: { id: link, title: 'Two instances' }, [AGS]: { scope: SCOPES, lineitems: ags.lineItemsUrl() } },
      afterLogin: () => {
        routeTo = launchOn;
      },
    });
    const seen = served.slice(from).filter((s) => s.path.startsWith('/lti/'));
    expect(seen.map((s) => `${s.path} on ${s.instance}`)).toEqual([`/lti/login on ${loginOn}`, `/lti/launch on ${launchOn}`]);
    return res;
  }

  /** The player's runtime for a launch answer: its bearer token and the SCO's runtime path. */
  async function openPlayer(res: { status: number; text: string }, on: 'a' | 'b') {
    routeTo = on;
    const page = await (await fetch(await playerUrlAfterLaunch(res))).text();
    const boot = JSON.parse(/<script type="application\/json" id="bridge-bootstrap">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? 'null') as { token: string; runtimeBase: string; startItemId: string };
    return { auth: { Authorization: `Bearer ${boot.token}` }, sco: `${boot.runtimeBase}/scos/${encodeURIComponent(boot.startItemId)}` };
  }

  const commit = (on: Instance, p: { auth: Record<string, string>; sco: string }, seq: number, core: Record<string, unknown>, terminate = false) =>
    fetch(`${on.content}${p.sco}/commit`, {
      method: 'POST',
      headers: { ...p.auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: 1, seq, terminate, cmi: { suspend_data: `seq ${seq}`, core: { session_time: '00:00:10', ...core } } }),
    });

  it('should launch on one instance after the OIDC login on the other, play with commits alternating, and send each grade once with one line item', async () => {
    const ada = await openPlayer(await launch('ada', 'a', 'b'), 'a'); // the launch code made on b is redeemed on a
    const bob = await openPlayer(await launch('bob', 'b', 'a'), 'b');
    const incomplete = (seq: number) => ({ lesson_status: 'incomplete', lesson_location: `page ${seq}` });
    // The two learners' first results at the same moment, one on each instance, on a link that sent only
    // a line items container: both instances' outboxes want the link's line item at once.
    const first = await Promise.all([commit(a, ada, 1, incomplete(1)), commit(b, bob, 1, incomplete(1))]);
    expect(first.map((r) => r.status)).toEqual([200, 200]);
    for (let seq = 2; seq <= 4; seq++) {
      const on = seq % 2 ? a : b;
      const answer = await commit(on, ada, seq, incomplete(seq));
      expect([on.name, answer.status]).toEqual([on.name, 200]);
    }
    // What each instance stored, the other reads back: one database.
    const state = await (await fetch(`${a.content}${ada.sco}`, { headers: ada.auth })).text();
    expect(state).toContain('page 4');
    const last = await Promise.all([
      commit(a, ada, 5, { lesson_status: 'passed', score: { raw: '80', min: '0', max: '100' } }, true),
      commit(b, bob, 2, { lesson_status: 'passed', score: { raw: '60', min: '0', max: '100' } }, true),
    ]);
    expect(last.map((r) => r.status)).toEqual([200, 200]);
    const final = (sub: string) => (ags.lineItems[0] ? ags.grade(ags.lineItems[0].id, sub)?.score : undefined);
    await waitFor(() => final('ada')?.scoreGiven === 80 && final('bob')?.scoreGiven === 60, 60_000, 'both final grades in the gradebook').catch((err: Error) => {
      // What the LMS received and what the instances said about grades, for a run that fails on CI.
      const said = (i: Instance) => i.output().split('\n').filter((l) => /Grade|ToolKeys/.test(l)).slice(-20).join('\n');
      throw new Error(`${err.message}\nAGS requests:\n${ags.requests.map((r) => `${r.method} ${r.url} ${r.status} ${r.body}`).join('\n')}\na:\n${said(a)}\nb:\n${said(b)}`);
    });
    // Both workers keep polling meanwhile: nothing is sent twice, and no second line item appears.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(ags.lineItems).toHaveLength(1);
    const accepted = ags.scoreRequests().filter((r) => r.status < 300);
    const sends = accepted.map((r) => `${String(r.score.userId)} ${String(r.score.timestamp)}`);
    expect(new Set(sends).size).toBe(sends.length);
    expect(accepted.filter((r) => r.score.gradingProgress === 'FullyGraded').map((r) => r.score.userId).sort()).toEqual(['ada', 'bob']);
  });

  it("should say at start when Node was started without npm start's flags (these run src/main.ts without them)", () => {
    expect(a.output()).toContain('Node was started without --no-memory-reducer: after a quiet spell requests cost more CPU');
  });

  it('should end a console session signed out on the other instance', async () => {
    const signIn = await fetch(`${a.app}/console/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: TEST_ADMIN_TOKEN }) });
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
    expect((await fetch(`${b.app}/api/courses`, { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await fetch(`${b.app}/console/session`, { method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken } })).status).toBe(204);
    expect((await fetch(`${a.app}/api/courses`, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('should count one rate limit for a client address whichever instance answers', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const on = i % 2 ? b : a;
      const res = await fetch(`${on.app}/console/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.5' }, body: JSON.stringify({ token: 'not the token' }) });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
  });

  it('should publish a tool key rotated on one instance from the other at once', async () => {
    const kids = async (on: Instance) => ((await (await fetch(`${on.app}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    const before = await kids(b); // b has the key set in memory now
    const rotated = (await (await fetch(`${a.app}/api/keys/rotate`, { method: 'POST', headers: auth })).json()) as { kid: string };
    expect(before).not.toContain(rotated.kid);
    await waitFor(async () => (await kids(b))[0] === rotated.kid, 2000, 'b to publish the new key first');
  });
});
