import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { GRANT_WINDOW_SECONDS } from '../../src/content/content-grant.service';
import { createTestApp, TestApp } from '../support/app';
import { noise } from '../support/hostile-zips';
import { ManualClock } from '../support/manual-clock';
import { freePort, NGINX, NGINX_CONF_DIR, renderNginxContentTypes, renderTemplate, RunningNginx, startNginx } from '../support/nginx';
import { buildFixtureZip, FIXTURE_PACKAGES_DIR } from '../support/scorm-package.builder';
import { startTestS3, TEST_BUCKET, TestS3 } from '../support/s3';
import { binary } from '../support/downloads';

/**
 * The offload mode (deploy/nginx/README.md): Debian's nginx with the shipped configuration serves
 * course files from the bridge's storage — the local disk, or an S3 bucket (s3rver here) through
 * nginx's cache — asking the bridge once per grant; or, with a link secret shared with the bridge
 * (content-offload-link.conf), checking the grant itself with `secure_link`, never asking the bridge.
 */
const LINK_SECRET = 'test-link-secret-0123456789-abcdefghij';

describe.each([['content-offload.conf'], ['content-offload-s3.conf'], ['content-offload-link.conf']])('Content offload to nginx (deploy/nginx/%s)', (confFile) => {
  const link = confFile === 'content-offload-link.conf';
  let s3: TestS3 | undefined;
  let t: TestApp;
  let nginx: RunningNginx;
  let tmp: string;
  /** The grant prefix of the course's files, on nginx's address. */
  let base: string;
  let nginxUrl: string;
  let versionId: string;
  let courseId: string;
  const clock = new ManualClock();
  const video = noise(300_000, 3);
  const big = noise(1_600_000, 4);
  /** Requests that reached the bridge's content listener (observed, not altered). */
  const reachedBridge: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(NGINX)) {
      throw new Error(`This test needs Debian's nginx at ${NGINX} (apt-get install nginx; .ci/run installs it).`);
    }
    s3 = confFile === 'content-offload-s3.conf' ? await startTestS3('bridge') : undefined;
    t = await createTestApp(link ? { CONTENT_LINK_SECRET: LINK_SECRET } : (s3?.env ?? {}), { clock });
    t.server.contentServer.on('request', (req: { url?: string }) => reachedBridge.push(req.url ?? ''));
    const zip = await buildFixtureZip('scorm12-single-sco', {
      files: { 'media/clip.mp4': video, 'media/big.bin': big, 'app/script.js': 'var x = 1;', 'app/data.json': '{"a":1}', 'my pages/été 2024.html': '<p>summer</p>' },
    });
    const res = await request(t.appUrl).post('/api/courses').set(t.auth).attach('package', zip, 'c.zip').expect(201);
    versionId = res.body.currentVersion.id;
    courseId = res.body.id;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-nginx-'));
    fs.mkdirSync(path.join(tmp, 'cache'));
    const port = await freePort();
    const server = renderTemplate(path.join(NGINX_CONF_DIR, confFile), {
      BRIDGE_CONTENT_LISTEN: `127.0.0.1:${port}`,
      BRIDGE_CONTENT_UPSTREAM: `127.0.0.1:${new URL(t.contentUrl).port}`,
      BRIDGE_STORAGE_DIR: t.storageDir,
      BRIDGE_S3_ORIGIN: s3?.env.S3_ENDPOINT ?? '',
      BRIDGE_S3_PATH: `/${TEST_BUCKET}/bridge/content`,
      BRIDGE_NGINX_CACHE_DIR: path.join(tmp, 'cache'),
      BRIDGE_LINK_SECRET: LINK_SECRET,
      BRIDGE_NGINX_CONF_DIR: NGINX_CONF_DIR,
    });
    nginx = await startNginx(tmp, port, server);
    nginxUrl = `http://127.0.0.1:${port}`;
    base = (res.body.currentVersion.scos[0].url as string).replace(t.contentUrl, nginxUrl).replace(/index\.html$/, '');
  });

  afterAll(async () => {
    await nginx?.stop();
    await t?.close();
    await s3?.close();
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('should ship content-types.conf as generated from the types the bridge answers (npm run nginx:types)', () => {
    expect(fs.readFileSync(path.join(NGINX_CONF_DIR, 'content-types.conf'), 'utf8')).toBe(renderNginxContentTypes());
  });

  it('should serve course files from storage with the bridge asked once per grant', async () => {
    reachedBridge.length = 0;
    const files: Array<[string, string, Buffer | string]> = [
      ['index.html', 'text/html; charset=utf-8', fs.readFileSync(path.join(FIXTURE_PACKAGES_DIR, 'scorm12-single-sco', 'index.html'))],
      ['app/script.js', 'text/javascript; charset=utf-8', 'var x = 1;'],
      ['app/data.json', 'application/json; charset=utf-8', '{"a":1}'],
      ['media/clip.mp4', 'video/mp4', video],
      ['media/big.bin', 'application/octet-stream', big],
      [`${encodeURIComponent('my pages')}/${encodeURIComponent('été 2024.html')}`, 'text/html; charset=utf-8', '<p>summer</p>'],
    ];
    for (const [file, type, body] of files) {
      const res = await request(base + file).get('').buffer(true).parse(binary as never).expect(200);
      expect(res.headers['content-type']).toBe(type);
      expect(Buffer.compare(res.body as Buffer, Buffer.from(body))).toBe(0);
      expect(res.headers.server).toMatch(/^nginx/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('same-origin');
      if (link) {
        expect(res.headers['cache-control']).toBe('private, max-age=3600, immutable');
      } else {
        expect(res.headers['cache-control']).toBe('public, immutable');
        const grantExpires = Number(/\/(\d+)\.[^/]+\/$/.exec(base)![1]);
        expect(Date.parse(res.headers.expires)).toBe(grantExpires * 1000);
      }
    }
    // secure_link: nginx checks the grant itself; else it asks the bridge once for the grant
    expect(reachedBridge).toEqual(link ? [] : [`/content/grants/${versionId}/${/\/content\/[^/]+\/([^/]+)\//.exec(base)![1]}`]);
    if (s3) {
      // fetched from the bucket once, then answered from nginx's cache
      const reads = s3.requests.GET;
      await request(base + 'media/clip.mp4').get('').expect(200);
      expect(s3.requests.GET).toBe(reads);
    }
  });

  it('should answer ranges, HEAD and conditional requests', async () => {
    const part = await request(base + 'media/clip.mp4').get('').set('Range', 'bytes=1000-1999').buffer(true).parse(binary as never).expect(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${video.length}`);
    expect(Buffer.compare(part.body as Buffer, video.subarray(1000, 2000))).toBe(0);
    const head = await request(base + 'media/clip.mp4').head('').expect(200);
    expect(head.headers['content-length']).toBe(String(video.length));
    await request(base + 'media/clip.mp4').get('').set('If-None-Match', head.headers.etag).expect(304);
    await request(base + 'media/clip.mp4').get('').set('If-Modified-Since', head.headers['last-modified']).expect(304);
  });

  it('should leave refusals to the bridge: a forged grant, another version, a missing file, a directory', async () => {
    const forged = await request(`${nginxUrl}/content/${versionId}/9999999999.${'A'.repeat(43)}/index.html`).get('').expect(403);
    expect(forged.body.error).toBe('content_grant_invalid');
    await request(base.replace(versionId, '22222222-2222-4222-8222-222222222222') + 'index.html').get('').expect(403);
    const missing = await request(base + 'nothing-here.html').get('').expect(404);
    expect(missing.body.error).toBe('not_found');
    await request(base + 'media/').get('').expect(404);
    await request(base + 'media').get('').expect(404);
    if (link) {
      // a link part that is not the secret's: nginx refuses, and so does the bridge's own check
      const wrongLink = base.replace(/\.[A-Za-z0-9_-]{22}\/$/, `.${'A'.repeat(22)}/`);
      expect(wrongLink).not.toBe(base);
      const res = await request(wrongLink + 'app/script.js').get('').expect(403);
      expect(res.body.error).toBe('content_grant_invalid');
      // a grant without the link part (made before the secret was set) is served by the bridge
      reachedBridge.length = 0;
      const old = await request(base.replace(/\.[A-Za-z0-9_-]{22}\/$/, '/') + 'app/script.js').get('').expect(200);
      expect(old.text).toBe('var x = 1;');
      expect(reachedBridge).toHaveLength(1);
    }
  });

  it.each(['..%2F..%2Fbridge.sqlite', '%2e%2e/%2e%2e/%2e%2e/bridge.sqlite', 'media/..%5C..%5Cx'])('should not serve anything outside the version for %s', async (p) => {
    const res = await request(base + p).get('');
    expect([400, 403, 404]).toContain(res.status);
  });

  it('should pass the rest of the content origin to the bridge', async () => {
    const res = await request(nginxUrl).get('/health').expect(200);
    expect(res.headers['x-request-id']).toBeDefined();
    await request(nginxUrl).get('/api/courses').expect(404);
  });

  // Last: it moves the app's clock past the grants' lifetime.
  it('should refuse a grant that has expired when first seen', async () => {
    // secure_link checks the expiry on nginx's own (real) clock: that grant is made in the past
    const back = link ? 14 * 3600 * 1000 : 0;
    clock.advance(GRANT_WINDOW_SECONDS * 1000 - back); // a grant of its own (the next window's), not the one nginx already remembers
    const fresh = await request(t.appUrl).get(`/api/courses/${courseId}`).set(t.auth).expect(200);
    const prefix = (fresh.body.currentVersion.scos[0].url as string).replace(t.contentUrl, nginxUrl).replace(/index\.html$/, '');
    clock.advance(back || 13 * 3600 * 1000);
    expect(prefix).not.toBe(base);
    const res = await request(prefix + 'app/script.js').get('').expect(403);
    expect(res.body.error).toBe('content_grant_expired');
  });
});
