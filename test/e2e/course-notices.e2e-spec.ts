import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { importFixture } from '../support/player-entry';
import { waitFor } from '../support/grades-harness';
import { ContentGrantService } from '../../src/content/content-grant.service';
import { CourseVersionCache } from '../../src/attempts/course-version-cache';

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
});
