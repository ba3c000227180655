import * as http from 'node:http';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { openInServer } from '../support/open-files';
import { buildFixtureZip } from '../support/scorm-package.builder';
import { noise } from '../support/hostile-zips';
import { ManualClock } from '../support/manual-clock';
import { startTestS3, TestS3 } from '../support/s3';
import { binary } from '../support/downloads';

// The same rules whether the files are on the local disk or in an S3 bucket (STORAGE=s3, s3rver here).
describe.each([['local disk'], ['an S3 bucket']])('Content origin (GET /content/…) with course files on %s', (storage) => {
  let s3: TestS3 | undefined;
  let t: TestApp;
  let base: string;
  let versionId: string;
  const video = noise(300_000, 7);
  /** Over the 1 MB the content path holds in memory: streamed from storage on every request. */
  const big = noise(1_600_000, 11);
  const clock = new ManualClock();
  /** At most this many large files stream at once (src/storage/file-streams.ts). */
  const STREAMS_AT_ONCE = 8;

  beforeAll(async () => {
    s3 = storage === 'an S3 bucket' ? await startTestS3('tenant-a') : undefined;
    t = await createTestApp({ ...s3?.env, CONTENT_STREAMS: String(STREAMS_AT_ONCE) }, { clock });
    const zip = await buildFixtureZip('scorm12-single-sco', {
      files: {
        'media/clip.mp4': video,
        'media/captions.vtt': 'WEBVTT\n',
        'app/module.mjs': 'export const a = 1;\n',
        'app/data.json': '{"a":1}',
        'app/lib.wasm': Buffer.from([0, 0x61, 0x73, 0x6d]),
        'app/font.woff2': Buffer.from('wOF2'),
        'app/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
        'app/script.js': 'var x = 1;',
        'clip.webm': Buffer.from('webm'),
        'my pages/été 2024.html': '<p>summer</p>',
        'media/big.bin': big,
        // far more than a socket's buffers take in: a client that stops reading stalls its stream
        'media/long.bin': noise(16_000_000, 13),
      },
    });
    const res = await request(t.appUrl).post('/api/courses').set(t.auth).attach('package', zip, 'c.zip').expect(201);
    versionId = res.body.currentVersion.id;
    base = res.body.currentVersion.scos[0].url.replace(/index\.html$/, '');
  });

  afterAll(async () => {
    await t.close();
    await s3?.close();
  });

  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['app/script.js', 'text/javascript; charset=utf-8'],
    ['app/module.mjs', 'text/javascript; charset=utf-8'],
    ['app/data.json', 'application/json; charset=utf-8'],
    ['app/lib.wasm', 'application/wasm'],
    ['media/clip.mp4', 'video/mp4'],
    ['clip.webm', 'video/webm'],
    ['media/captions.vtt', 'text/vtt; charset=utf-8'],
    ['app/icon.svg', 'image/svg+xml'],
    ['app/font.woff2', 'font/woff2'],
  ])('should serve %s as %s', async (file, type) => {
    const res = await request(base + file).get('').expect(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toMatch(/max-age=\d+, immutable/);
  });

  it('should serve file names with spaces and non-ASCII characters', async () => {
    const res = await request(base + encodeURIComponent('my pages') + '/' + encodeURIComponent('été 2024.html')).get('').expect(200);
    expect(res.text).toBe('<p>summer</p>');
  });

  it('should answer 304 to a matching If-None-Match', async () => {
    const first = await request(base + 'index.html').get('').expect(200);
    expect(first.headers.etag).toBeDefined();
    await request(base + 'index.html').get('').set('If-None-Match', first.headers.etag).expect(304);
  });

  it('should answer HEAD with the headers of GET and no body', async () => {
    const get = await request(base + 'media/clip.mp4').get('').buffer(true).parse(binary as never).expect(200);
    const head = await request(base + 'media/clip.mp4').head('').expect(200);
    expect(head.headers['content-length']).toBe(String(video.length));
    for (const h of ['etag', 'last-modified', 'content-type', 'cache-control', 'accept-ranges', 'x-content-type-options', 'referrer-policy']) {
      expect(head.headers[h]).toBe(get.headers[h]);
    }
    expect(head.text ?? '').toBe('');
  });

  it('should answer 304 to If-Modified-Since at or after Last-Modified, unless If-None-Match is sent and differs', async () => {
    const first = await request(base + 'index.html').get('').expect(200);
    const lastModified = first.headers['last-modified'];
    const notModified = await request(base + 'index.html').get('').set('If-Modified-Since', lastModified).expect(304);
    expect(notModified.headers.etag).toBe(first.headers.etag);
    const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
    await request(base + 'index.html').get('').set('If-Modified-Since', earlier).expect(200);
    await request(base + 'index.html').get('').set('If-Modified-Since', 'not a date').expect(200);
    await request(base + 'index.html').get('').set('If-Modified-Since', lastModified).set('If-None-Match', '"other"').expect(200);
  });

  it('should stream a file too large to hold in memory, whole and in ranges, the same on every request', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await request(base + 'media/big.bin').get('').buffer(true).parse(binary as never).expect(200);
      expect(res.headers['content-length']).toBe(String(big.length));
      expect(Buffer.compare(res.body as Buffer, big)).toBe(0);
    }
    const part = await request(base + 'media/big.bin').get('').set('Range', 'bytes=1000000-1299999').buffer(true).parse(binary as never).expect(206);
    expect(part.headers['content-range']).toBe(`bytes 1000000-1299999/${big.length}`);
    expect(Buffer.compare(part.body as Buffer, big.subarray(1_000_000, 1_300_000))).toBe(0);
  });

  // s3rver runs in this process too: the object's file is held open only while the bridge reads it
  it('should close the file when the reader goes away mid-file, and keep serving', async () => {
    const openFiles = () => openInServer(t, /\/big\.bin(\._S3rver_object)?$/);
    const closed = async () => {
      const deadline = Date.now() + 5000;
      while (openFiles() > 0 && Date.now() < deadline) {
        await new Promise((r) => setImmediate(r));
      }
      return openFiles();
    };
    // s3rver may still be closing the file of the previous test's reads on a busy machine
    expect(await closed()).toBe(0);
    await new Promise<void>((resolve, reject) => {
      http.get(base + 'media/big.bin', (res) => res.once('data', () => (res.destroy(), resolve()))).once('error', reject);
    });
    expect(await closed()).toBe(0);
    const res = await request(base + 'media/big.bin').get('').buffer(true).parse(binary as never).expect(200);
    expect(Buffer.compare(res.body as Buffer, big)).toBe(0);
  });

  // CONTENT_STREAMS: at most that many large files stream at once, a stalled one lends its place
  it('should finish many large downloads with the right bytes while as many clients as may stream at once have stopped reading, then close their files', async () => {
    const openFiles = () => openInServer(t, /\/long\.bin(\._S3rver_object)?$/);
    const stalled = await Promise.all(
      Array.from(
        { length: STREAMS_AT_ONCE },
        () =>
          new Promise<http.IncomingMessage>((resolve, reject) => {
            http.get(base + 'media/long.bin', (res) => res.once('data', () => (res.pause(), resolve(res)))).once('error', reject);
          }),
      ),
    );
    const downloads = Array.from(
      { length: 2 * STREAMS_AT_ONCE },
      (_, i) =>
        new Promise<Buffer>((resolve, reject) => {
          const headers = i % 2 ? { Range: 'bytes=100000-1499999' } : {};
          http.get(base + 'media/big.bin', { headers }, (res) => binary(res, (_, body) => resolve(body))).once('error', reject);
        }),
    );
    const bodies = await Promise.all(downloads);
    bodies.forEach((body, i) => expect(Buffer.compare(body, i % 2 ? big.subarray(100_000, 1_500_000) : big)).toBe(0));
    expect(stalled.every((res) => !res.complete)).toBe(true);
    // the stalled streams are still there, waiting for their clients: on local storage each holds the
    // file open; with S3 the open files are the S3 server's, and it may already have sent a whole
    // object into the socket buffers between it and the bridge (and closed it)
    if (s3) {
      expect(openFiles()).toBeGreaterThan(0);
      expect(openFiles()).toBeLessThanOrEqual(STREAMS_AT_ONCE);
    } else {
      expect(openFiles()).toBe(STREAMS_AT_ONCE);
    }
    stalled.forEach((res) => res.destroy());
    const deadline = Date.now() + 5000;
    while (openFiles() > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(openFiles()).toBe(0);
  });

  it('should answer a file from memory the same as the first time, with the request id', async () => {
    const first = await request(base + 'app/script.js').get('').expect(200);
    const again = await request(base + 'app/script.js').get('').set('X-Request-Id', 'file-2').expect(200);
    expect(again.text).toBe('var x = 1;');
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['x-request-id']).toBe('file-2');
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should serve byte ranges for video seeking', async () => {
    const res = await request(base + 'media/clip.mp4').get('').set('Range', 'bytes=1000-1999').buffer(true).parse(binary as never).expect(206);
    expect(res.headers['content-range']).toBe(`bytes 1000-1999/${video.length}`);
    expect(Buffer.compare(res.body as Buffer, video.subarray(1000, 2000))).toBe(0);
    const tail = await request(base + 'media/clip.mp4').get('').set('Range', 'bytes=-10').buffer(true).parse(binary as never).expect(206);
    expect(Buffer.compare(tail.body as Buffer, video.subarray(video.length - 10))).toBe(0);
  });

  it('should answer 416 to a range past the end', async () => {
    const res = await request(base + 'media/clip.mp4').get('').set('Range', `bytes=${video.length + 5}-`).expect(416);
    expect(res.headers['content-range']).toBe(`bytes */${video.length}`);
  });

  it('should not list directories', async () => {
    await request(base + 'media/').get('').expect(404);
    await request(base + 'media').get('').expect(404);
  });

  it.each(['..%2F..%2Fbridge.sqlite', '%2e%2e/%2e%2e/bridge.sqlite', 'media/..%5C..%5Cx', 'media%2Fclip.mp4'])('should refuse traversal %s', async (p) => {
    await request(base + p).get('').expect(404);
  });

  it('should refuse a forged grant', async () => {
    const forged = `${t.contentUrl}/content/${versionId}/9999999999.${'A'.repeat(43)}/index.html`;
    const res = await request(forged).get('').expect(403);
    expect(res.body.error).toBe('content_grant_invalid');
  });

  it('should refuse a grant for another version', async () => {
    const other = base.replace(versionId, '22222222-2222-4222-8222-222222222222');
    await request(other + 'index.html').get('').expect(403);
  });

  it('should refuse other methods on a course file', async () => {
    await request(base + 'index.html').post('').expect(404);
  });

  // Last: it moves the clock past the grants' lifetime.
  it('should let browsers keep a file only while the grant lasts, and refuse the grant once it has expired', async () => {
    const before = await request(base + 'index.html').get('').expect(200);
    const maxAge = Number(/max-age=(\d+)/.exec(before.headers['cache-control'])![1]);
    clock.advance(60_000);
    const later = await request(base + 'index.html').get('').expect(200);
    expect(later.headers['cache-control']).toBe(`public, max-age=${maxAge - 60}, immutable`);
    clock.advance((maxAge - 60) * 1000);
    for (const file of ['index.html', 'media/big.bin']) {
      const res = await request(base + file).get('').expect(403);
      expect(res.body.error).toBe('content_grant_expired');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});
