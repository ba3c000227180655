import * as path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CourseVersion } from '../../src/courses/course-version.entity';
import { Course } from '../../src/courses/course.entity';
import { createTestApp, listFiles, TestApp } from '../support/app';
import { buildZip, noise, validEntries } from '../support/hostile-zips';
import { ManualClock } from '../support/manual-clock';
import { buildFixtureZip } from '../support/scorm-package.builder';
import { startTestS3, TestS3 } from '../support/s3';
import { binary } from '../support/downloads';

/**
 * STORAGE=s3 end to end against s3rver (an S3-compatible server started here, reached through a
 * proxy that can refuse writes or drop connections): imports land in the bucket and nowhere else,
 * are served from it through the content origin, fail whole, and course deletion empties it.
 * (Files, ranges, conditional requests and grants from the bucket: content.e2e-spec.ts, run once per storage.)
 */
describe('Course files in an S3 bucket (STORAGE=s3)', () => {
  let s3: TestS3;
  let t: TestApp;
  const clock = new ManualClock();
  /** Over the 8 MB part size: uploaded as a multipart upload. */
  const large = noise(9 * 1024 * 1024, 5);

  const upload = (zip: Buffer) => request(t.appUrl).post('/api/courses').set(t.auth).attach('package', zip, 'course.zip');
  const rows = async () => ({
    courses: await t.server.app.get(DataSource).getRepository(Course).count(),
    versions: await t.server.app.get(DataSource).getRepository(CourseVersion).count(),
  });
  const keysOf = async (versionId: string) => (await s3.keys()).filter((k) => k.startsWith(`bridge/prod/content/${versionId}/`));

  beforeAll(async () => {
    s3 = await startTestS3('/bridge/prod/');
    t = await createTestApp({ ...s3.env, KEEP_STORAGE: '1' }, { clock });
  });

  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  afterEach(() => {
    s3.fault = 'pass';
  });

  it('should upload every file of an import to the bucket under the prefix (large ones in parts), keep none on local disk, and serve them back', async () => {
    const posts = s3.requests.POST ?? 0;
    const res = await upload(await buildFixtureZip('scorm12-single-sco', { files: { 'media/film.mp4': large, 'a b/é.html': '<p>é</p>' } })).expect(201);
    const versionId = res.body.currentVersion.id as string;
    const keys = await keysOf(versionId);
    expect(keys).toEqual(expect.arrayContaining([`bridge/prod/content/${versionId}/index.html`, `bridge/prod/content/${versionId}/media/film.mp4`, `bridge/prod/content/${versionId}/a b/é.html`]));
    expect(keys).toHaveLength(res.body.currentVersion.fileCount);
    expect(s3.requests.POST - posts).toBeGreaterThanOrEqual(2); // CreateMultipartUpload and CompleteMultipartUpload of film.mp4
    expect(listFiles(path.join(t.storageDir, 'content'))).toEqual([]);
    expect(listFiles(path.join(t.storageDir, 'tmp'))).toEqual([]);

    const base = (res.body.currentVersion.scos[0].url as string).replace(/index\.html$/, '');
    const gets = s3.requests.GET ?? 0;
    const whole = await request(base + 'media/film.mp4').get('').buffer(true).parse(binary as never).expect(200);
    expect(Buffer.compare(whole.body as Buffer, large)).toBe(0);
    expect(s3.requests.GET - gets).toBeGreaterThanOrEqual(1); // too large for the memory cache: read from the bucket
    const part = await request(base + 'media/film.mp4').get('').set('Range', 'bytes=8388600-8388615').buffer(true).parse(binary as never).expect(206);
    expect(Buffer.compare(part.body as Buffer, large.subarray(8388600, 8388616))).toBe(0);
    await request(base + 'media/film.mp4').get('').set('If-None-Match', whole.headers.etag).expect(304);
    expect((await request(base + 'a%20b/%C3%A9.html').get('').expect(200)).text).toBe('<p>é</p>');
    const forged = base.replace(/\/\d+\.[A-Za-z0-9_-]{43}\//, `/9999999999.${'A'.repeat(43)}/`);
    expect((await request(forged + 'index.html').get('').expect(403)).body.error).toBe('content_grant_invalid');
  });

  it('should leave no object and no row when the zip turns out corrupt midway through extraction', async () => {
    const before = { keys: await s3.keys(), rows: await rows() };
    const files = Array.from({ length: 20 }, (_, i) => ({ name: `page${i}.html`, data: `<p>${i}</p>` }));
    const zip = buildZip([...validEntries(), ...files, { name: 'z-bad.js', data: 'console.log(1)', crc: 12345 }]);
    expect((await upload(zip).expect(422)).body.error).toBe('zip_truncated');
    expect(await s3.keys()).toEqual(before.keys);
    expect(await rows()).toEqual(before.rows);
    expect(listFiles(path.join(t.storageDir, 'tmp'))).toEqual([]);
  });

  it('should delete the objects already written and keep no row when the bucket refuses an upload midway', async () => {
    const before = { keys: await s3.keys(), rows: await rows() };
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`pages/p${i}.html`, `<p>${i}</p>`]));
    s3.faultAfterPuts(10, 'deny-writes');
    const res = await upload(await buildFixtureZip('scorm12-single-sco', { files })).expect(503);
    expect(res.body).toMatchObject({ error: 'storage_unavailable', message: expect.stringContaining('AccessDenied') });
    expect(s3.requests.PUT).toBeGreaterThan(10); // some objects were written before the refusal…
    expect(await s3.keys()).toEqual(before.keys); // …and deleted again
    expect(await rows()).toEqual(before.rows);
    expect(listFiles(path.join(t.storageDir, 'tmp'))).toEqual([]);
  });

  it("should delete a course's objects with the course, and only its own", async () => {
    const keep = await upload(await buildFixtureZip('scorm12-single-sco', { files: { 'keep.txt': 'keep' } })).expect(201);
    const gone = await upload(await buildFixtureZip('scorm12-single-sco', { files: { 'gone.txt': 'gone' } })).expect(201);
    const second = await request(t.appUrl)
      .post(`/api/courses/${gone.body.id}/versions`)
      .set(t.auth)
      .attach('package', await buildFixtureZip('scorm12-single-sco', { files: { 'gone2.txt': 'gone' } }), 'v2.zip')
      .expect(201);
    const goneVersions = [gone.body.currentVersion.id as string, second.body.currentVersion.id as string];
    for (const v of goneVersions) {
      expect((await keysOf(v)).length).toBeGreaterThan(0);
    }
    await request(t.appUrl).delete(`/api/courses/${gone.body.id}`).set(t.auth).expect(204);
    for (const v of goneVersions) {
      expect(await keysOf(v)).toEqual([]);
    }
    expect(await keysOf(keep.body.currentVersion.id)).toContain(`bridge/prod/content/${keep.body.currentVersion.id}/keep.txt`);
  });

  // Last: restarts the server on the same storage and database.
  it('should keep what a dropped connection left until the next start after an hour, then sweep it', async () => {
    const before = { keys: await s3.keys(), rows: await rows() };
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`pages/p${i}.html`, `<p>${i}</p>`]));
    s3.faultAfterPuts(10, 'down');
    const res = await upload(await buildFixtureZip('scorm12-single-sco', { files })).expect(503);
    expect(res.body.error).toBe('storage_unavailable');
    expect(await rows()).toEqual(before.rows);
    s3.fault = 'pass';
    const left = (await s3.keys()).filter((k) => !before.keys.includes(k));
    expect(left.length).toBeGreaterThan(0); // the server was gone: they could not be deleted yet

    // a start within the hour leaves them (another instance's import may still be writing them)…
    await t.close();
    t = await createTestApp({ ...s3.env, STORAGE_DIR: t.storageDir, KEEP_STORAGE: '1' }, { clock });
    expect(await s3.keys()).toEqual([...before.keys, ...left].sort());
    expect(await rows()).toEqual(before.rows);
    // …a start after it sweeps them, and only them
    await t.close();
    clock.advance(61 * 60_000);
    t = await createTestApp({ ...s3.env, STORAGE_DIR: t.storageDir }, { clock });
    expect(await s3.keys()).toEqual(before.keys);
  });

  it('should say in GET /health whether the bucket answers, within seconds when it does not', async () => {
    const health = async (status: number) => {
      const started = Date.now();
      const res = await request(t.appUrl).get('/health').expect(status);
      return { body: res.body as unknown, ms: Date.now() - started };
    };
    const heads = s3.requests.HEAD ?? 0;
    expect((await health(200)).body).toEqual({ status: 'ok', checks: { database: 'ok', storage: 'ok' } });
    expect(s3.requests.HEAD - heads).toBe(1); // HeadBucket, the standard API's cheapest question
    const unavailable = { status: 'degraded', checks: { database: 'ok', storage: 'unavailable' } };
    for (const fault of ['down', 'silent'] as const) {
      s3.fault = fault;
      const { body, ms } = await health(503);
      expect(body).toEqual(unavailable);
      expect(ms).toBeLessThan(4000); // STORAGE_CHECK_MS is 2 s
    }
    s3.fault = 'pass';
    expect((await health(200)).body).toEqual({ status: 'ok', checks: { database: 'ok', storage: 'ok' } });
  });

  it('should refuse to start when the bucket cannot be reached, naming the settings', async () => {
    await expect(createTestApp({ ...s3.env, S3_BUCKET: 'no-such-bucket' })).rejects.toThrow(/S3 bucket "no-such-bucket" cannot be reached at http:\/\/127\.0\.0\.1:\d+: .*Check S3_BUCKET, S3_ENDPOINT/);
  });
});
