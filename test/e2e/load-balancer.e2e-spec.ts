import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { freePort, NGINX_CONF_DIR, renderTemplate, RunningNginx, startNginx } from '../support/nginx';
import { PlatformEmulator } from '../support/platform-emulator';
import { importFixture } from '../support/player-entry';
import { buildFixtureZip } from '../support/scorm-package.builder';
import { slowUpload } from '../support/slow-upload';
import { waitFor } from '../support/wait-for';

/**
 * deploy/nginx/load-balancer.conf with Debian's nginx in front of two bridge instances (two boxes in
 * production; two servers in this process here) on one PostgreSQL database and one storage folder:
 * both origins balanced over both, a full LTI launch and runtime commits through it, and the same
 * while one instance stops gracefully mid-traffic and after.
 */
(process.env.TEST_POSTGRES_URL ? describe : describe.skip)('nginx load balancer over two instances (deploy/nginx/load-balancer.conf)', () => {
  let dir: string;
  let nginx: RunningNginx;
  let emu: PlatformEmulator;
  const boxes: TestApp[] = [];
  const served = [0, 0];
  const uploads = [0, 0];
  let appUrl: string;
  let contentUrl: string;
  let courseId: string;
  let secondStopped = false;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-lb-'));
    const [appPort, contentPort] = [await freePort(), await freePort()];
    appUrl = `http://127.0.0.1:${appPort}`;
    contentUrl = `http://127.0.0.1:${contentPort}`;
    const urls = { PUBLIC_URL: appUrl, CONTENT_URL: contentUrl };
    const first = await createTestApp({ ...urls, KEEP_STORAGE: '1' });
    boxes.push(first);
    boxes.push(await createTestApp({ ...urls, STORAGE_DIR: first.storageDir, DATABASE_URL: first.config.databaseUrl, KEEP_STORAGE: '1' }));
    boxes.forEach((b, i) => {
      for (const server of [b.server.appServer, b.server.contentServer]) {
        // a learner's requests (the emulator also reads the tool's JWKS, once)
        server.on('request', (req: http.IncomingMessage) => /^\/(lti|player|runtime)\//.test(req.url ?? '') && served[i]++);
        server.on('request', (req: http.IncomingMessage) => req.method === 'POST' && req.url === '/api/courses' && uploads[i]++);
      }
    });
    const listening = (s: http.Server) => `server 127.0.0.1:${(s.address() as { port: number }).port};`;
    const conf = renderTemplate(path.join(NGINX_CONF_DIR, 'load-balancer.conf'), {
      BRIDGE_APP_LISTEN: `127.0.0.1:${appPort}`,
      BRIDGE_CONTENT_LISTEN: `127.0.0.1:${contentPort}`,
      BRIDGE_APP_SERVERS: boxes.map((b) => listening(b.server.appServer)).join(' '),
      BRIDGE_CONTENT_SERVERS: boxes.map((b) => listening(b.server.contentServer)).join(' '),
    });
    nginx = await startNginx(dir, appPort, conf);
    emu = await PlatformEmulator.start({ toolUrl: appUrl });
    const reg = await request(appUrl).post('/api/platforms').set(first.auth).send(emu.registrationBody()).expect(201);
    expect(reg.body.issuer).toBe(emu.issuer);
    courseId = await importFixture({ ...first, appUrl }, 'scorm12-single-sco');
  }, 120_000);

  afterAll(async () => {
    await nginx?.stop();
    await emu?.stop();
    if (!secondStopped) {
      await boxes[1]?.server.close();
    }
    await boxes[0]?.close(); // the database and the storage folder with it

    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A learner's whole visit through nginx: LTI login and launch, the player page, three commits. */
  async function visit(sub: string): Promise<void> {
    const res = await emu.launch({ toolUrl: appUrl, courseId, claims: { sub } });
    expect(res.status).toBe(200);
    const player = /data-player-url="([^"]+)"/.exec(res.text)?.[1]?.replace(/&amp;/g, '&');
    expect(player?.startsWith(`${contentUrl}/player/`)).toBe(true);
    const page = await request(contentUrl).get(new URL(player!).pathname).expect(200);
    const boot = JSON.parse(/<script type="application\/json" id="bridge-bootstrap">([\s\S]*?)<\/script>/.exec(page.text)![1]) as {
      token: string;
      runtimeBase: string;
      startItemId: string;
    };
    const commit = `${boot.runtimeBase}/scos/${encodeURIComponent(boot.startItemId)}/commit`;
    for (let seq = 1; seq <= 3; seq++) {
      const cmi = { core: { lesson_status: 'incomplete', lesson_location: `page-${seq}` } };
      const answer = await request(contentUrl).post(commit).set('Authorization', `Bearer ${boot.token}`).send({ session: 1, seq, cmi }).expect(200);
      expect(answer.body).toMatchObject({ result: true, errorCode: 0 });
    }
  }

  it('balances logins, launches, player pages and commits over both instances', async () => {
    served.fill(0);
    for (let i = 0; i < 4; i++) {
      await visit(`lb-learner-${i}`);
    }
    // 4 visits × (login, launch, player page, 3 commits) = 24 requests, round-robin per origin
    expect(served[0] + served[1]).toBe(24);
    expect(served[0]).toBeGreaterThanOrEqual(8);
    expect(served[1]).toBeGreaterThanOrEqual(8);
  });

  it('keeps answering, no request failed, while one instance stops mid-traffic (a rolling deploy), then through the other alone', async () => {
    // An upload under way on the second instance (nginx streams uploads to a box as they arrive),
    // and three learners at a time visiting, while it stops as on SIGTERM (docs/deployment.md,
    // "Stopping and rolling deploys"): what it is answering finishes, nginx moves on to the first.
    const pending: Array<ReturnType<typeof slowUpload>> = [];
    while (uploads[1] === 0) {
      expect(pending.length).toBeLessThan(4); // round-robin: the second lands there
      const before = uploads[0] + uploads[1];
      const zip = await buildFixtureZip('scorm12-single-sco', { files: { 'upload.txt': `upload ${pending.length}` } }); // a zip of its own
      pending.push(slowUpload({ appUrl, auth: boxes[0].auth }, zip));
      await waitFor(() => uploads[0] + uploads[1] > before, 10_000, 'the upload to reach a box');
    }
    let stopping: Promise<void> | undefined;
    const lanes = [0, 1, 2].map(async (lane) => {
      for (let i = 0; i < 4; i++) {
        if (lane === 0 && i === 1) {
          stopping = boxes[1].server.close(10_000);
        }
        await visit(`lb-during-stop-${lane}-${i}`);
      }
    });
    await Promise.all(lanes);
    pending.forEach((upload) => upload.finish());
    for (const upload of pending) {
      expect((await upload.response).status).toBe(201);
    }
    await stopping;
    secondStopped = true;
    served.fill(0);
    for (let i = 0; i < 3; i++) {
      await visit(`lb-after-stop-${i}`);
    }
    expect(served).toEqual([18, 0]);
    // everything both instances wrote is in the one database
    const attempts = await request(appUrl).get(`/api/attempts?courseId=${courseId}`).set(boxes[0].auth).expect(200);
    expect((attempts.body as Array<{ learner: { sub: string } }>).map((a) => a.learner.sub).sort()).toEqual(
      [0, 1, 2, 3]
        .map((i) => `lb-learner-${i}`)
        .concat([0, 1, 2].flatMap((lane) => [0, 1, 2, 3].map((i) => `lb-during-stop-${lane}-${i}`)))
        .concat([0, 1, 2].map((i) => `lb-after-stop-${i}`))
        .sort(),
    );
  });
});
