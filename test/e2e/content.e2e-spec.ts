import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { buildFixtureZip } from '../support/scorm-package.builder';
import { noise } from '../support/hostile-zips';

describe('Content origin (GET /content/…)', () => {
  let t: TestApp;
  let base: string;
  let versionId: string;
  const video = noise(300_000, 7);

  beforeAll(async () => {
    t = await createTestApp();
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
      },
    });
    const res = await request(t.appUrl).post('/api/courses').set(t.auth).attach('package', zip, 'c.zip').expect(201);
    versionId = res.body.currentVersion.id;
    base = res.body.currentVersion.scos[0].url.replace(/index\.html$/, '');
  });

  afterAll(async () => {
    await t.close();
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
});

function binary(res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}
