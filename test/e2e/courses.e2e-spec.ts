import request from 'supertest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { CourseVersion } from '../../src/courses/course-version.entity';
import { createTestApp, listFiles, TestApp } from '../support/app';
import { buildFixtureZip } from '../support/scorm-package.builder';
import { ManualClock } from '../support/manual-clock';
import { waitFor } from '../support/wait-for';
import { HOSTILE_LIMITS, hostileCases } from '../support/hostile-zips';

/**
 * These tests upload the same fixtures again and again: each upload says what to make of a zip that
 * is already stored (a course of its own, or a version of the course in the URL); the duplicate
 * refusal itself is proved in course-lifecycle.e2e-spec.ts.
 */
function upload(t: TestApp, zip: Buffer, filename = 'course.zip', url = '/api/courses'): request.Test {
  const onDuplicate = url.endsWith('/versions') ? 'new-version' : 'separate';
  return request(t.appUrl).post(`${url}?onDuplicate=${onDuplicate}`).set(t.auth).attach('package', zip, { filename, contentType: 'application/zip' });
}

/** The upload's temp file is removed when the response closes; give the server a moment. */
async function expectNothingLeftBehind(t: TestApp, courseCount = 0): Promise<void> {
  const deadline = Date.now() + 2000;
  while (listFiles(path.join(t.storageDir, 'tmp')).length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(listFiles(path.join(t.storageDir, 'tmp'))).toEqual([]);
  const versionDirs = fs.readdirSync(path.join(t.storageDir, 'content'));
  const courses = (await request(t.appUrl).get('/api/courses').set(t.auth).expect(200)).body as Array<{ id: string }>;
  expect(courses).toHaveLength(courseCount);
  const versionIds: string[] = [];
  for (const c of courses) {
    const detail = await request(t.appUrl).get(`/api/courses/${c.id}`).set(t.auth).expect(200);
    versionIds.push(...(detail.body.versions as Array<{ id: string }>).map((v) => v.id));
  }
  expect(versionDirs.sort()).toEqual(versionIds.sort());
}

/** The hostile cases' limits (small, so the cases stay small), and a 12 MiB upload cap. */
const SMALL_LIMITS = {
  MAX_ENTRIES: String(HOSTILE_LIMITS.maxEntries),
  MAX_UNPACKED_BYTES: String(HOSTILE_LIMITS.maxUnpackedBytes),
  MAX_COMPRESSION_RATIO: String(HOSTILE_LIMITS.maxCompressionRatio),
  MAX_PACKAGE_BYTES: String(12 * 1024 * 1024),
};

describe('Course import (POST /api/courses)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(SMALL_LIMITS);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('good packages', () => {
    it.each([
      ['scorm12-single-sco', '1.2', null, 1],
      ['scorm12-multi-sco', '1.2', null, 3],
      ['scorm2004-2nd', '2004', '2nd', 1],
      ['scorm2004-3rd-single-sco', '2004', '3rd', 1],
      ['scorm2004-4th-multi-sco', '2004', '4th', 5],
    ])('should import %s as SCORM %s', async (name, scormVersion, edition, minScos) => {
      const res = await upload(t, await buildFixtureZip(name), `${name}.zip`).expect(201);
      expect(res.body).toMatchObject({ id: expect.any(String), title: expect.any(String), currentVersion: { id: expect.any(String), number: 1, scormVersion, edition } });
      expect(res.body.currentVersion.scos.length).toBeGreaterThanOrEqual(Math.min(minScos, 1));
      expect(res.body.currentVersion.scos).toHaveLength(minScos);
      for (const sco of res.body.currentVersion.scos) {
        expect(sco).toMatchObject({ itemId: expect.any(String), title: expect.any(String), launchUrl: expect.any(String), scormType: expect.stringMatching(/^(sco|asset)$/) });
      }
      expect(Array.isArray(res.body.currentVersion.warnings)).toBe(true);
      // The compiled sequencing is stored with the version (docs/sequencing.md): an activity tree for 2004, nothing for 1.2.
      const row = await t.server.app.get(DataSource).getRepository(CourseVersion).findOneOrFail({ where: { id: res.body.currentVersion.id } });
      if (scormVersion === '2004') {
        expect(row.sequencing?.activityTree.children?.length).toBeGreaterThanOrEqual(1);
      } else {
        expect(row.sequencing).toBeNull();
      }
    });

    it('should serve the launch file of an imported course from the content origin', async () => {
      const res = await upload(t, await buildFixtureZip('scorm12-single-sco')).expect(201);
      const sco = res.body.currentVersion.scos[0];
      expect(sco.url.startsWith(`${t.contentUrl}/content/${res.body.currentVersion.id}/`)).toBe(true);
      const page = await request(sco.url).get('').expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.text).toContain('sco.js');
    });

    it('should accept a package with its manifest in one top-level folder, with a warning', async () => {
      const res = await upload(t, await buildFixtureZip('scorm12-single-sco', { topFolder: 'My Course', macJunk: true })).expect(201);
      const codes = res.body.currentVersion.warnings.map((w: { code: string }) => w.code);
      expect(codes).toContain('manifest_in_subfolder');
      const page = await request(res.body.currentVersion.scos[0].url).get('').expect(200);
      expect(page.text).toContain('sco.js');
      // junk was not extracted
      expect(listFiles(path.join(t.storageDir, 'content', res.body.currentVersion.id)).some((f) => f.includes('__MACOSX'))).toBe(false);
    });

    it('should accept real-world quirks with warnings and serve non-ASCII file names', async () => {
      const res = await upload(t, await buildFixtureZip('quirks', { macJunk: true })).expect(201);
      const v = res.body.currentVersion;
      expect(v.scormVersion).toBe('2004');
      expect(v.warnings.length).toBeGreaterThan(0);
      // its manifest uses adlcp: without xmlns:adlcp (it declares imsss)
      const undeclared = v.warnings.filter((w: { code: string }) => w.code === 'namespace_undeclared');
      expect(undeclared).toHaveLength(1);
      expect(undeclared[0].message).toContain('"adlcp:"');
      expect(undeclared[0].message).not.toContain('imsss');
      const lecon = v.scos.find((s: { launchUrl: string }) => s.launchUrl.startsWith('Leçon 1/') || decodeURIComponent(s.launchUrl).startsWith('Leçon 1/'));
      expect(lecon).toBeDefined();
      await request(lecon.url).get('').expect(200);
    });
  });

  describe('versions', () => {
    it('should add a new version that becomes current, keeping the old one', async () => {
      const first = await upload(t, await buildFixtureZip('scorm12-single-sco')).expect(201);
      const second = await upload(t, await buildFixtureZip('scorm12-multi-sco'), 'v2.zip', `/api/courses/${first.body.id}/versions`).expect(201);
      expect(second.body.id).toBe(first.body.id);
      expect(second.body.currentVersion.number).toBe(2);
      const detail = await request(t.appUrl).get(`/api/courses/${first.body.id}`).set(t.auth).expect(200);
      expect(detail.body.currentVersion.id).toBe(second.body.currentVersion.id);
      expect(detail.body.versions.map((v: { number: number }) => v.number)).toEqual([2, 1]);
      expect(detail.body.items.length).toBeGreaterThan(0);
      // the old version's files are still served (attempts stay on their version)
      await request(first.body.currentVersion.scos[0].url).get('').expect(200);
    });

    it('should answer 404 for a new version of an unknown course and leave nothing behind', async () => {
      const before = (await request(t.appUrl).get('/api/courses').set(t.auth)).body.length;
      const res = await upload(t, await buildFixtureZip('scorm12-single-sco'), 'x.zip', '/api/courses/00000000-0000-4000-8000-000000000000/versions').expect(404);
      expect(res.body.error).toBe('course_not_found');
      await expectNothingLeftBehind(t, before);
    });
  });
});

describe('Course import rejections', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(SMALL_LIMITS);
  });

  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['no-launchable-item', 'no_launchable_item'],
    ['launch-target-missing', 'launch_target_missing'],
    ['malformed-xml', 'manifest_malformed'],
  ])('should refuse the %s package with 422 %s', async (name, code) => {
    const res = await upload(t, await buildFixtureZip(name)).expect(422);
    expect(res.body).toEqual({ error: code, message: expect.any(String) });
    expect(res.body.message.length).toBeGreaterThan(10);
    await expectNothingLeftBehind(t);
  });

  it.each([
    ['empty', '', 'imsmanifest.xml is empty.'],
    ['cut short', '<?xml version="1.0"?>\n<manifest identifier="M"><organizations>', 'ends before the elements <manifest>, <organizations> are closed'],
  ])('should say what is wrong with an %s manifest', async (_label, manifest, said) => {
    const res = await upload(t, await buildFixtureZip('scorm12-single-sco', { files: { 'imsmanifest.xml': manifest } })).expect(422);
    expect(res.body.error).toBe('manifest_malformed');
    expect(res.body.message).toContain(said);
    expect(res.body.message).not.toContain('undefined');
    await expectNothingLeftBehind(t);
  });

  it('should refuse a zip without a manifest', async () => {
    const res = await upload(t, await buildFixtureZip('scorm12-single-sco', { drop: ['imsmanifest.xml'] })).expect(422);
    expect(res.body.error).toBe('manifest_missing');
    await expectNothingLeftBehind(t);
  });

  for (const c of hostileCases()) {
    it(`should refuse a hostile zip (${c.label}) with ${c.code}`, async () => {
      const res = await upload(t, c.bytes());
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error).toBe(c.code);
      await expectNothingLeftBehind(t);
    });
  }

  it('should name the entry and the character when a name has a control character', async () => {
    const zip = await buildFixtureZip('scorm12-single-sco', { files: { 'media/clip\u0007.mp4': 'x' } });
    const res = await upload(t, zip).expect(422);
    expect(res.body.error).toBe('zip_unsafe_path');
    expect(res.body.message).toContain('"media/clip\\u0007.mp4"');
    expect(res.body.message).toContain('control character (U+0007)');
    await expectNothingLeftBehind(t);
  });

  it('should refuse a package over MAX_PACKAGE_BYTES with 413', async () => {
    const res = await upload(t, Buffer.alloc(13 * 1024 * 1024, 1)).expect(413);
    expect(res.body.error).toBe('package_too_large');
    await expectNothingLeftBehind(t);
  });

  it('should ask for multipart when the body is something else', async () => {
    const res = await request(t.appUrl).post('/api/courses').set(t.auth).set('Content-Type', 'application/zip').send(Buffer.from('PK')).expect(415);
    expect(res.body.error).toBe('multipart_required');
  });

  it('should name the missing field', async () => {
    const res = await request(t.appUrl).post('/api/courses').set(t.auth).field('title', 'x').expect(400);
    expect(res.body.error).toBe('package_missing');
  });

  it('should name a wrong field', async () => {
    const res = await request(t.appUrl).post('/api/courses').set(t.auth).attach('file', Buffer.from('PK'), 'x.zip').expect(400);
    expect(res.body.error).toBe('unexpected_field');
    await expectNothingLeftBehind(t);
  });
});

describe('Crash recovery at start-up', () => {
  it('should sweep leftovers without a version row once they are an hour old, never a young one another process may still be importing', async () => {
    const first = await createTestApp({ KEEP_STORAGE: '1' });
    const dir = first.storageDir;
    const kept = await upload(first, await buildFixtureZip('scorm12-single-sco')).expect(201);
    await first.close();
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
    const leftover = (relative: string, age?: Date) => {
      const file = path.join(dir, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'partial');
      if (age) {
        fs.utimesSync(file, age, age);
        fs.utimesSync(path.dirname(file), age, age);
      }
      return path.dirname(file);
    };
    // A crash two hours ago…
    const oldVersion = leftover('content/11111111-1111-4111-8111-111111111111/index.html', hoursAgo);
    leftover('tmp/upload-dead.zip', hoursAgo);
    // …and another box's import onto the same folder, in progress right now: published, rows not written yet.
    const busyVersion = leftover('content/22222222-2222-4222-8222-222222222222/index.html');
    const busyUpload = leftover('tmp/extract-busy/imsmanifest.xml');
    const clock = new ManualClock();
    const second = await createTestApp({ STORAGE_DIR: dir }, { clock });
    try {
      expect(fs.existsSync(oldVersion)).toBe(false);
      expect(fs.existsSync(path.join(dir, 'tmp', 'upload-dead.zip'))).toBe(false);
      expect(fs.existsSync(busyVersion)).toBe(true);
      expect(listFiles(path.join(dir, 'tmp'))).toEqual(['extract-busy/imsmanifest.xml']);
      expect(fs.existsSync(path.join(dir, 'content', kept.body.currentVersion.id, 'index.html'))).toBe(true);
      // An hour on, the running server's next sweep finds them unchanged: abandoned.
      clock.advance(61 * 60_000);
      await waitFor(() => !fs.existsSync(busyVersion) && !fs.existsSync(busyUpload), 5000, 'the next sweep');
      expect(fs.existsSync(path.join(dir, 'content', kept.body.currentVersion.id, 'index.html'))).toBe(true);
    } finally {
      await second.close();
    }
  });
});
