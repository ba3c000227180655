import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { GRANT_WINDOW_SECONDS } from '../../src/content/content-grant.service';
import { createTestApp, TestApp } from '../support/app';
import { noise } from '../support/hostile-zips';
import { ManualClock } from '../support/manual-clock';
import { freePort, NGINX, RunningNginx, startNginx } from '../support/nginx';
import { buildFixtureZip } from '../support/scorm-package.builder';
import { binary } from '../support/downloads';

const WINDOW_MS = GRANT_WINDOW_SECONDS * 1000;

/**
 * Course files behind a CDN (docs/deployment.md, "Many boxes"): Debian's nginx stands in for the
 * CDN's edge — `proxy_cache` keeps what the origin's `Cache-Control` lets a shared cache keep, for as
 * long as it says, keyed by the whole address (the grant included) — in front of the bridge's content
 * origin. Learners who open a version within one grant window get the same addresses, so the edge
 * fetches each file from the bridge once for all of them; and it never serves one past the grant's
 * expiry.
 */
describe('Course files behind a shared cache (a CDN edge)', () => {
  let t: TestApp;
  let edge: RunningNginx;
  let tmp: string;
  let edgeUrl: string;
  let courseId: string;
  // just past a window's start, so that the test knows which window each moment falls in
  const clock = new ManualClock(Math.ceil(Date.now() / WINDOW_MS) * WINDOW_MS + 1000);
  const big = noise(1_600_000, 21);
  /** Requests that reached the bridge's content listener (observed, not altered). */
  const reachedBridge: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(NGINX)) {
      throw new Error(`This test needs Debian's nginx at ${NGINX} (apt-get install nginx; .ci/run installs it).`);
    }
    t = await createTestApp({}, { clock });
    t.server.contentServer.on('request', (req: { url?: string }) => reachedBridge.push(req.url ?? ''));
    const zip = await buildFixtureZip('scorm12-single-sco', { files: { 'media/big.bin': big, 'app/script.js': 'var x = 1;' } });
    courseId = (await request(t.appUrl).post('/api/courses').set(t.auth).attach('package', zip, 'c.zip').expect(201)).body.id;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-edge-'));
    const port = await freePort();
    edgeUrl = `http://127.0.0.1:${port}`;
    edge = await startNginx(
      tmp,
      port,
      `  proxy_cache_path ${tmp}/cache levels=1:2 keys_zone=edge:1m max_size=100m inactive=1d use_temp_path=off;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${new URL(t.contentUrl).port};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache edge;
      proxy_cache_key $uri;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }`,
    );
  });

  afterAll(async () => {
    await edge?.stop();
    await t?.close();
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  /** A GET through the edge, its body kept as bytes, answered `status`. */
  function get(url: string, status: number) {
    return request(url)
      .get('')
      .buffer(true)
      .parse(binary as never)
      .expect(status);
  }

  /** The course's grant prefix now, on the edge's address. */
  async function prefixNow(): Promise<string> {
    const res = await request(t.appUrl).get(`/api/courses/${courseId}`).set(t.auth).expect(200);
    return (res.body.currentVersion.scos[0].url as string).replace(t.contentUrl, edgeUrl).replace(/index\.html$/, '');
  }

  it('gives everyone who opens a version within one window the same grant, and a new one in the next window', async () => {
    const first = await prefixNow();
    clock.advance(WINDOW_MS - 2000); // the window's last second
    expect(await prefixNow()).toBe(first);
    clock.advance(2000);
    expect(await prefixNow()).not.toBe(first);
  });

  it('lets the edge fetch a file from the bridge once for all who hold the grant, small or streamed', async () => {
    const prefix = await prefixNow();
    for (const [file, body] of [
      ['index.html', null],
      ['media/big.bin', big],
    ] as const) {
      const seen = reachedBridge.length;
      const first = await get(prefix + file, 200);
      expect(first.headers['x-cache-status']).toBe('MISS');
      expect(first.headers['cache-control']).toMatch(/^public, max-age=\d+, immutable$/);
      if (body) {
        expect(Buffer.compare(first.body as Buffer, body)).toBe(0);
      }
      for (let learner = 0; learner < 3; learner++) {
        const again = await get(prefix + file, 200);
        expect(again.headers['x-cache-status']).toBe('HIT');
        expect(Buffer.compare(again.body as Buffer, first.body as Buffer)).toBe(0);
      }
      expect(reachedBridge.slice(seen).filter((url) => url.endsWith(file))).toHaveLength(1);
    }
  });

  // Last: it moves the bridge's clock past the grant's expiry.
  it("keeps a file no longer than its grant: past the expiry the edge asks again and the bridge's refusal is answered", async () => {
    const prefix = await prefixNow();
    const expires = Number(/\/(\d+)\.[^/]+\/$/.exec(prefix)![1]);
    clock.advance(expires * 1000 - clock.now() - 3000); // three seconds of the grant left
    const fresh = await get(prefix + 'app/script.js', 200);
    expect(fresh.headers['cache-control']).toBe('public, max-age=3, immutable');
    expect((await get(prefix + 'app/script.js', 200)).headers['x-cache-status']).toBe('HIT');
    // nginx counts whole seconds: a copy that came in during second S is fresh through S + 3, stale from S + 4
    await new Promise((resolve) => setTimeout(resolve, 4500));
    clock.advance(4500); // and the grant has expired
    const late = await get(prefix + 'app/script.js', 403);
    expect(JSON.parse((late.body as Buffer).toString()).error).toBe('content_grant_expired');
    expect(late.headers['x-cache-status']).toBe('EXPIRED');
    // the refusal is not kept either
    expect((await get(prefix + 'app/script.js', 403)).headers['x-cache-status']).not.toBe('HIT');
  });
});
