import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { importFixture } from '../support/player-entry';
import { waitFor } from '../support/wait-for';
import { ContentGrantService } from '../../src/content/content-grant.service';
import { CourseVersionCache } from '../../src/attempts/course-version-cache';
import { AttemptsRepository } from '../../src/attempts/attempts.repository';
import { ChangeNotices } from '../../src/database/change-notices';
import { PackageStorage } from '../../src/storage/package-storage';
import { GradeOutboxService } from '../../src/grades/grade-outbox.service';
import { GradesRepository } from '../../src/grades/grades.repository';
import { startTestS3, TestS3 } from '../support/s3';

/**
 * Holds the next call of `obj[method]` once the real call has answered, until `release()`: a read
 * that has its data but has not returned yet. `read` resolves when it is held.
 */
function holdNextRead<T extends object, K extends keyof T>(obj: T, method: K) {
  let readDone!: () => void;
  const read = new Promise<void>((resolve) => (readDone = resolve));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const real = (obj[method] as (...args: unknown[]) => Promise<unknown>).bind(obj);
  const spy = jest.spyOn(obj, method as never).mockImplementationOnce((async (...args: unknown[]) => {
    const answer = await real(...args);
    readDone();
    await held;
    return answer;
  }) as never);
  const restore = () => {
    release();
    spy.mockRestore();
  };
  return { read, release, restore };
}

/** Resolves once `app` has heard (and handled) the course-versions notice naming `versionId`. */
function noticeHeard(app: TestApp, versionId: string): Promise<void> {
  return new Promise((resolve) =>
    app.server.app.get(ChangeNotices, { strict: false }).on('course-versions', (ids) => {
      if (!ids || ids.includes(versionId)) {
        resolve();
      }
    }),
  );
}

/**
 * A deleted course's versions leave the memory of every instance (docs/deployment.md, "What instances
 * share"): its small files cached by the content path, its version in CourseVersionCache. On
 * PostgreSQL two apps share the database and the storage folder, the course is deleted through one
 * and the other stops serving it (the notice crosses instances); on SQLite (one process) the one app
 * deletes and stops serving it itself.
 */
describe('course data cached in memory, after the course is deleted', () => {
  let a: TestApp;
  let b: TestApp;
  const pg = !!process.env.TEST_POSTGRES_URL;

  beforeAll(async () => {
    a = await createTestApp();
    b = pg ? await createTestApp({ DATABASE_URL: a.config.databaseUrl, STORAGE_DIR: a.storageDir, KEEP_STORAGE: '1' }) : a;
  });

  afterAll(async () => {
    if (b !== a) {
      await b?.close();
    }
    await a?.close();
  });

  it(`should stop serving its files and drop its version ${pg ? 'on the other instance' : 'in the process'} at once`, async () => {
    const courseId = await importFixture(a, 'scorm12-single-sco');
    const { currentVersion } = (await request(a.appUrl).get(`/api/courses/${courseId}`).set(a.auth).expect(200)).body as { currentVersion: { id: string } };
    const versionId = currentVersion.id;
    const prefix = (await a.server.app.get(ContentGrantService).grantPrefix(versionId, 3600)).replace(a.contentUrl, b.contentUrl);
    const file = `${prefix}index.html`;
    expect((await fetch(file)).status).toBe(200); // now in b's memory
    const versions = b.server.app.get(CourseVersionCache, { strict: false });
    await versions.version(versionId);
    expect(versions.cached(versionId)).toBeDefined();

    await request(a.appUrl).delete(`/api/courses/${courseId}`).set(a.auth).expect(204);
    await waitFor(async () => (await fetch(file)).status === 404, 5000, 'the deleted course file to be refused');
    expect(versions.cached(versionId)).toBeUndefined();
  });

  it(`should not keep a version ${pg ? 'the other instance' : 'the process'} was reading from the database when the course was deleted`, async () => {
    const courseId = await importFixture(a, 'scorm12-single-sco');
    const { currentVersion } = (await request(a.appUrl).get(`/api/courses/${courseId}`).set(a.auth).expect(200)).body as { currentVersion: { id: string } };
    const versions = b.server.app.get(CourseVersionCache, { strict: false });
    // b's read of the version has its row but has not returned yet when the notice comes
    const hold = holdNextRead(b.server.app.get(AttemptsRepository, { strict: false }), 'findCourseVersionOrFail');
    const notice = noticeHeard(b, currentVersion.id);
    try {
      const loading = versions.version(currentVersion.id);
      await hold.read;
      await request(a.appUrl).delete(`/api/courses/${courseId}`).set(a.auth).expect(204);
      await notice; // b dropped the course's versions
      hold.release();
      expect((await loading).id).toBe(currentVersion.id); // the read answers its caller
      expect(versions.cached(currentVersion.id)).toBeUndefined(); // and is not kept
      await expect(versions.version(currentVersion.id)).rejects.toThrow();
    } finally {
      hold.restore();
    }
  });

  it(`should not keep a version's launchable items ${pg ? 'the other instance' : 'the process'} was reading for the grade outbox when the course was deleted`, async () => {
    const courseId = await importFixture(a, 'scorm12-single-sco');
    const { currentVersion } = (await request(a.appUrl).get(`/api/courses/${courseId}`).set(a.auth).expect(200)).body as { currentVersion: { id: string } };
    const outbox = b.server.app.get(GradeOutboxService, { strict: false });
    const hold = holdNextRead(b.server.app.get(GradesRepository, { strict: false }), 'findVersionManifest');
    const notice = noticeHeard(b, currentVersion.id);
    try {
      const loading = outbox.itemsFor(currentVersion.id);
      await hold.read;
      await request(a.appUrl).delete(`/api/courses/${courseId}`).set(a.auth).expect(204);
      await notice;
      hold.release();
      expect((await loading).items.map((i) => i.itemId)).toEqual(['ITEM-1']); // the read answers its caller
      expect(outbox['itemsCache'].has(currentVersion.id)).toBe(false); // and is not kept
    } finally {
      hold.restore();
    }
  });

  it(`should not keep a file ${pg ? 'the other instance' : 'the process'} was reading from storage when the course was deleted`, async () => {
    const courseId = await importFixture(a, 'scorm12-single-sco');
    const { currentVersion } = (await request(a.appUrl).get(`/api/courses/${courseId}`).set(a.auth).expect(200)).body as { currentVersion: { id: string } };
    const prefix = (await a.server.app.get(ContentGrantService).grantPrefix(currentVersion.id, 3600)).replace(a.contentUrl, b.contentUrl);
    const file = `${prefix}index.html`;
    // b's read of the small file has its bytes but has not returned yet when the notice comes
    const hold = holdNextRead(b.server.app.get(PackageStorage, { strict: false }), 'readFile');
    const notice = noticeHeard(b, currentVersion.id);
    try {
      const first = fetch(file);
      await hold.read;
      await request(a.appUrl).delete(`/api/courses/${courseId}`).set(a.auth).expect(204);
      await notice; // b dropped the course's files
      hold.release();
      expect((await first).status).toBe(200); // the read answers its request
      expect((await fetch(file)).status).toBe(404); // and is not kept
    } finally {
      hold.restore();
    }
  });
});

/**
 * The same while the deleted course's files are still being removed (a large course in a slow object
 * store): a file read in that window must not stay in memory after they are gone. The notice is sent
 * once the files are removed; sent before, an instance read the file again meanwhile and kept serving
 * it from memory.
 */
describe('course files read while a deleted course is being removed', () => {
  let s3: TestS3;
  let a: TestApp;
  let b: TestApp;
  const pg = !!process.env.TEST_POSTGRES_URL;

  beforeAll(async () => {
    s3 = await startTestS3();
    a = await createTestApp({ ...s3.env, KEEP_STORAGE: '1' });
    b = pg ? await createTestApp({ ...s3.env, DATABASE_URL: a.config.databaseUrl, KEEP_STORAGE: '1' }) : a;
  });

  afterAll(async () => {
    if (b !== a) {
      await b?.close();
    }
    await a?.close();
    await s3?.close();
  });

  it(`should not be served from memory ${pg ? 'on the other instance' : 'in the process'} once the files are gone`, async () => {
    const courseId = await importFixture(a, 'scorm12-single-sco');
    const { currentVersion } = (await request(a.appUrl).get(`/api/courses/${courseId}`).set(a.auth).expect(200)).body as { currentVersion: { id: string } };
    const prefix = (await a.server.app.get(ContentGrantService).grantPrefix(currentVersion.id, 3600)).replace(a.contentUrl, b.contentUrl);
    const file = `${prefix}index.html`;
    expect((await fetch(file)).status).toBe(200);

    const deletes = s3.holdDeletes();
    const deleting = request(a.appUrl).delete(`/api/courses/${courseId}`).set(a.auth).then((r) => r.status);
    await deletes.held; // the rows are gone, the objects not yet
    expect((await fetch(file)).status).toBe(200); // still stored: read again (or from memory)
    deletes.release();
    expect(await deleting).toBe(204);
    await waitFor(async () => (await fetch(file)).status === 404, 5000, 'the removed course file to be refused');
  });
});
