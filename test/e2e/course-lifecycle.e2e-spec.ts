import request from 'supertest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Attempt } from '../../src/attempts/attempt.entity';
import { Learner } from '../../src/attempts/learner.entity';
import { ResourceLink } from '../../src/attempts/resource-link.entity';
import { Course } from '../../src/courses/course.entity';
import { CourseVersion } from '../../src/courses/course-version.entity';
import { listFiles } from '../support/app';
import { startLtiTestbed, LtiTestbed } from '../support/platform-emulator';
import { buildFixtureZip } from '../support/scorm-package.builder';

const RL = 'https://purl.imsglobal.org/spec/lti/claim/resource_link';

async function eventuallyTrue(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for the delete to wait on the lock');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Archive, unarchive, delete and duplicate uploads of courses (issue 9 "Course lifecycle"), through
 * the real API, with the platform emulator for the Deep Linking picker and learner launches.
 */
describe('Course lifecycle', () => {
  let tb: LtiTestbed;
  const db = () => tb.app.server.app.get(DataSource);
  const api = () => request(tb.app.appUrl);

  function upload(zip: Buffer, url = '/api/courses'): request.Test {
    return api().post(url).set(tb.app.auth).attach('package', zip, { filename: 'course.zip', contentType: 'application/zip' });
  }

  async function importCourse(fixture: string, files: Record<string, string> = {}): Promise<{ id: string; versionId: string }> {
    const res = await upload(await buildFixtureZip(fixture, { files })).expect(201);
    return { id: res.body.id as string, versionId: res.body.currentVersion.id as string };
  }

  /** A learner's launch of a course on a link of its own; the player page when it reached the player. */
  async function learnerLaunch(courseId: string, linkId: string, sub = 'learner-1') {
    const res = await tb.emu.launch({ toolUrl: tb.app.appUrl, courseId, claims: { sub, [RL]: { id: linkId, title: linkId } } });
    return { status: res.status, text: res.text, playing: /data-player-url="/.test(res.text) };
  }

  async function pickerHtml(): Promise<string> {
    const res = await tb.emu.launch({ toolUrl: tb.app.appUrl, messageType: 'deep-linking' });
    expect(res.status).toBe(200);
    return res.text;
  }

  beforeAll(async () => {
    tb = await startLtiTestbed();
  }, 60_000);

  afterAll(async () => {
    await tb?.close();
  });

  describe('archive', () => {
    it('hides an archived course from the Deep Linking picker, keeps its links launching, and brings it back on unarchive', async () => {
      const other = await importCourse('scorm2004-4th-multi-sco');
      const before = await learnerLaunch(other.id, 'link-archive');
      expect(before.playing).toBe(true);
      expect(await pickerHtml()).toContain(`value="${other.id}"`);

      const archived = await api().post(`/api/courses/${other.id}/archive`).set(tb.app.auth).expect(200);
      expect(archived.body.archivedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
      const again = await api().post(`/api/courses/${other.id}/archive`).set(tb.app.auth).expect(200);
      expect(again.body.archivedAt).toBe(archived.body.archivedAt); // idempotent: the first date stays

      const picker = await pickerHtml();
      expect(picker).not.toContain(`value="${other.id}"`);
      expect(picker).toContain(`value="${tb.courseId}"`);
      const ids = async (q: string) => ((await api().get(`/api/courses${q}`).set(tb.app.auth).expect(200)).body as Array<{ id: string }>).map((c) => c.id);
      expect(await ids('?archived=true')).toEqual([other.id]);
      expect(await ids('?archived=false')).not.toContain(other.id);
      expect(await ids('')).toEqual(expect.arrayContaining([other.id, tb.courseId]));
      expect((await api().get('/api/courses?archived=maybe').set(tb.app.auth).expect(400)).body.error).toBe('invalid_query');

      // the link already in the LMS keeps launching, for the same learner and for a new one
      expect((await learnerLaunch(other.id, 'link-archive')).playing).toBe(true);
      expect((await learnerLaunch(other.id, 'link-archive', 'learner-2')).playing).toBe(true);

      const back = await api().post(`/api/courses/${other.id}/unarchive`).set(tb.app.auth).expect(200);
      expect(back.body.archivedAt).toBeNull();
      expect(await pickerHtml()).toContain(`value="${other.id}"`);
    });

    it('answers 404 course_not_found for an unknown course', async () => {
      for (const action of ['archive', 'unarchive']) {
        const res = await api().post(`/api/courses/00000000-0000-4000-8000-000000000000/${action}`).set(tb.app.auth).expect(404);
        expect(res.body).toEqual({ error: 'course_not_found', message: expect.any(String) });
      }
    });
  });

  describe('rename', () => {
    it('renames a course: the API, the picker and new Deep Linking items carry the new title', async () => {
      const c = await importCourse('scorm12-single-sco', { 'index.html': '<p>rename me</p><script src="sco.js"></script>' });
      const res = await api().patch(`/api/courses/${c.id}`).set(tb.app.auth).send({ title: '  Fire safety 2027  ' }).expect(200);
      expect(res.body.title).toBe('Fire safety 2027');
      expect(await pickerHtml()).toContain('Fire safety 2027');
      const empty = await api().patch(`/api/courses/${c.id}`).set(tb.app.auth).send({ title: '   ' }).expect(400);
      expect(empty.body).toEqual({ error: 'invalid_course_update', message: expect.stringContaining('title') });
    });
  });

  describe('delete', () => {
    it('removes a course without learner attempts: every row and every stored file of every version', async () => {
      const c = await importCourse('scorm2004-2nd');
      const v2 = await upload(await buildFixtureZip('scorm2004-2nd', { files: { 'extra.txt': 'v2' } }), `/api/courses/${c.id}/versions`).expect(201);
      const versionIds = [c.versionId, v2.body.currentVersion.id as string];
      // a console preview makes a preview attempt (and a resource link): they go with the course
      await api().post(`/api/courses/${c.id}/preview`).set(tb.app.auth).expect(201);
      const content = path.join(tb.app.storageDir, 'content');
      for (const v of versionIds) {
        expect(listFiles(path.join(content, v)).length).toBeGreaterThan(0);
      }
      expect(await db().getRepository(Attempt).count({ where: versionIds.map((courseVersionId) => ({ courseVersionId })) })).toBe(1);

      await api().delete(`/api/courses/${c.id}`).set(tb.app.auth).expect(204);

      for (const v of versionIds) {
        expect(fs.existsSync(path.join(content, v))).toBe(false);
      }
      expect(await db().getRepository(Course).count({ where: { id: c.id } })).toBe(0);
      expect(await db().getRepository(CourseVersion).count({ where: { courseId: c.id } })).toBe(0);
      expect(await db().getRepository(ResourceLink).count({ where: { courseId: c.id } })).toBe(0);
      expect(await db().getRepository(Attempt).count({ where: versionIds.map((courseVersionId) => ({ courseVersionId })) })).toBe(0);
      expect((await api().get(`/api/courses/${c.id}`).set(tb.app.auth).expect(404)).body.error).toBe('course_not_found');
      expect((await api().delete(`/api/courses/${c.id}`).set(tb.app.auth).expect(404)).body.error).toBe('course_not_found');
      // every version folder left belongs to a version row
      const rows = (await db().getRepository(CourseVersion).find({ select: { id: true } })).map((v) => v.id).sort();
      expect(fs.readdirSync(content).sort()).toEqual(rows);
    });

    it('refuses with 409 course_in_use naming the attempts and learners, and changes nothing', async () => {
      const c = await importCourse('scorm12-multi-sco');
      expect((await learnerLaunch(c.id, 'link-in-use', 'learner-a')).playing).toBe(true);
      expect((await learnerLaunch(c.id, 'link-in-use', 'learner-b')).playing).toBe(true);
      const res = await api().delete(`/api/courses/${c.id}`).set(tb.app.auth).expect(409);
      expect(res.body).toEqual({ error: 'course_in_use', message: expect.stringContaining('2 attempts by 2 learners'), attempts: 2, learners: 2 });
      expect(res.body.message).toContain('archive it instead');
      await api().get(`/api/courses/${c.id}`).set(tb.app.auth).expect(200);
      expect(listFiles(path.join(tb.app.storageDir, 'content', c.versionId)).length).toBeGreaterThan(0);

      const one = await importCourse('scorm12-single-sco', { 'index.html': '<p>one attempt</p><script src="sco.js"></script>' });
      expect((await learnerLaunch(one.id, 'link-one')).playing).toBe(true);
      const single = await api().delete(`/api/courses/${one.id}`).set(tb.app.auth).expect(409);
      expect(single.body.message).toMatch(/^1 attempt by 1 learner belongs to this course/);
    });

    it('a delete waiting on a launch that is creating an attempt sees that attempt and refuses; nothing is orphaned', async () => {
      const c = await importCourse('scorm12-single-sco', { 'index.html': '<p>mid-launch</p><script src="sco.js"></script>' });
      const ds = db();
      let del: Promise<request.Response> | undefined;
      // the launch's transaction, held open after writing its learner, link and attempt (as resolveLaunch does)
      await ds.transaction(async (m) => {
        const learner = Object.assign(new Learner(), { platformId: tb.platformId, sub: 'mid-launch', name: null, givenName: null, familyName: null, email: null });
        await m.getRepository(Learner).insert(learner);
        const link = Object.assign(new ResourceLink(), { platformId: tb.platformId, deploymentId: tb.emu.deploymentId, resourceLinkId: 'link-mid', courseId: c.id, title: null, agsLineItemUrl: null, agsLineItemsUrl: null, agsScopes: null, lineItemUrl: null, nrpsMembershipsUrl: null });
        await m.getRepository(ResourceLink).insert(link);
        await m.getRepository(Attempt).insert(Object.assign(new Attempt(), { learnerId: learner.id, resourceLinkId: link.id, courseVersionId: c.versionId, number: 1, preview: false, completedAt: null, lastLaunchedAt: null, launchCount: 0 }));
        del = api().delete(`/api/courses/${c.id}`).set(tb.app.auth).then((r) => r);
        if (ds.options.type === 'postgres') {
          // the delete's row lock waits on this transaction's key-share locks (its foreign key checks)
          await eventuallyTrue(async () => Number((await ds.query(`SELECT COUNT(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'`))[0].n) > 0);
        } else {
          // SQLite: the delete's transaction waits for this one's connection lock; let its request arrive
          await new Promise((r) => setTimeout(r, 150));
        }
      });
      const res = await (del as Promise<request.Response>);
      expect({ status: res.status, body: res.body }).toEqual({ status: 409, body: expect.objectContaining({ error: 'course_in_use', attempts: 1, learners: 1 }) });
      expect(await db().getRepository(Attempt).count({ where: { courseVersionId: c.versionId } })).toBe(1);
      expect(listFiles(path.join(tb.app.storageDir, 'content', c.versionId)).length).toBeGreaterThan(0);
    });

    it('a launch arriving with the delete either gets its attempt (and the course stays) or finds no course', async () => {
      for (let i = 0; i < 3; i++) {
        const c = await importCourse('scorm12-single-sco', { 'index.html': `<p>race ${i}</p><script src="sco.js"></script>` });
        const [launch, del] = await Promise.all([learnerLaunch(c.id, `link-race-${i}`, `racer-${i}`), api().delete(`/api/courses/${c.id}`).set(tb.app.auth)]);
        const courseLeft = await db().getRepository(Course).count({ where: { id: c.id } });
        const attempts = await db().getRepository(Attempt).count({ where: { courseVersionId: c.versionId } });
        if (del.status === 204) {
          expect({ courseLeft, attempts, playing: launch.playing }).toEqual({ courseLeft: 0, attempts: 0, playing: false });
          expect(fs.existsSync(path.join(tb.app.storageDir, 'content', c.versionId))).toBe(false);
        } else {
          expect({ status: del.status, error: del.body.error, courseLeft, attempts, playing: launch.playing }).toEqual({ status: 409, error: 'course_in_use', courseLeft: 1, attempts: 1, playing: true });
        }
      }
      const versions = new Set((await db().getRepository(CourseVersion).find({ select: { id: true } })).map((v) => v.id));
      expect((await db().getRepository(Attempt).find()).filter((a) => !versions.has(a.courseVersionId))).toEqual([]);
    }, 60_000);
  });

  describe('duplicate uploads', () => {
    it('names the course and version a zip already is, and stores nothing', async () => {
      const zip = await buildFixtureZip('scorm12-single-sco'); // the testbed's own course
      const courses = (await api().get('/api/courses').set(tb.app.auth)).body.length as number;
      const versionDirs = fs.readdirSync(path.join(tb.app.storageDir, 'content')).length;
      const res = await upload(zip).expect(409);
      const v1 = (await api().get(`/api/courses/${tb.courseId}`).set(tb.app.auth)).body;
      expect(res.body).toEqual({
        error: 'course_duplicate',
        message: expect.stringContaining(`already version 1 of “${v1.title}”`),
        duplicate: { courseId: tb.courseId, courseTitle: v1.title, versionId: v1.currentVersion.id, versionNumber: 1, archived: false },
      });
      expect(res.body.message).toContain('onDuplicate=new-version');
      // the hash stored with the version is the zip's SHA-256
      expect(v1.currentVersion.sha256).toBe(createHash('sha256').update(zip).digest('hex'));
      expect((await api().get('/api/courses').set(tb.app.auth)).body).toHaveLength(courses);
      expect(fs.readdirSync(path.join(tb.app.storageDir, 'content'))).toHaveLength(versionDirs);
      const deadline = Date.now() + 2000;
      while (listFiles(path.join(tb.app.storageDir, 'tmp')).length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(listFiles(path.join(tb.app.storageDir, 'tmp'))).toEqual([]);
    });

    it('imports the same zip as a new version of that course, or as a separate course, when the upload says so', async () => {
      const zip = await buildFixtureZip('scorm12-single-sco');
      const again = await upload(zip, `/api/courses/${tb.courseId}/versions`).expect(409);
      expect(again.body.duplicate).toMatchObject({ courseId: tb.courseId, versionNumber: 1 });

      const asVersion = await upload(zip, `/api/courses/${tb.courseId}/versions?onDuplicate=new-version`).expect(201);
      expect(asVersion.body).toMatchObject({ id: tb.courseId, currentVersion: { number: 2 } });

      const separate = await upload(zip, '/api/courses?onDuplicate=separate').expect(201);
      expect(separate.body.id).not.toBe(tb.courseId);
      expect(separate.body.currentVersion.number).toBe(1);

      // without a course in the path, new-version goes to the course the refusal names (the first to get this zip)
      const named = (await upload(zip).expect(409)).body.duplicate as { courseId: string };
      expect(named.courseId).toBe(tb.courseId);
      const toNamed = await upload(zip, '/api/courses?onDuplicate=new-version').expect(201);
      expect(toNamed.body).toMatchObject({ id: tb.courseId, currentVersion: { number: 3 } });

      await api().post(`/api/courses/${separate.body.id}/archive`).set(tb.app.auth).expect(200);
      const whileArchived = await upload(zip, `/api/courses/${separate.body.id}/versions`).expect(409);
      expect(whileArchived.body.duplicate).toMatchObject({ courseId: separate.body.id, archived: true });
      expect(whileArchived.body.message).toContain('(archived)');
    });

    it('refuses an unknown onDuplicate value', async () => {
      const res = await upload(await buildFixtureZip('scorm12-single-sco'), '/api/courses?onDuplicate=overwrite').expect(400);
      expect(res.body).toEqual({ error: 'invalid_query', message: 'onDuplicate must be "new-version" or "separate".' });
    });
  });
});

describe('Licences of an archived course', () => {
  let tb: LtiTestbed;
  const api = () => request(tb.app.appUrl);

  beforeAll(async () => {
    tb = await startLtiTestbed();
  }, 60_000);

  afterAll(async () => {
    await tb?.close();
  });

  it('refuses a new licence or a licence that would give more with 422 course_archived; suspending, revoking and notes stay possible', async () => {
    const customer = (await api().post('/api/customers').set(tb.app.auth).send({ name: 'Acme Training' }).expect(201)).body.id as string;
    const other = (await api().post('/api/courses').set(tb.app.auth).attach('package', await buildFixtureZip('scorm12-multi-sco'), 'o.zip').expect(201)).body.id as string;
    const licence = (await api().post('/api/licences').set(tb.app.auth).send({ customerId: customer, courseId: tb.courseId, seatLimit: 10 }).expect(201)).body.id as string;
    const elsewhere = (await api().post('/api/licences').set(tb.app.auth).send({ customerId: customer, courseId: other }).expect(201)).body.id as string;
    const title = (await api().get(`/api/courses/${tb.courseId}`).set(tb.app.auth)).body.title as string;
    await api().post(`/api/courses/${tb.courseId}/archive`).set(tb.app.auth).expect(200);

    const refused = await api().post('/api/licences').set(tb.app.auth).send({ customerId: customer, courseId: tb.courseId }).expect(422);
    expect(refused.body).toEqual({ error: 'course_archived', message: `The course “${title}” is archived. A new licence cannot name it; unarchive it first (POST /api/courses/${tb.courseId}/unarchive).`, courseId: tb.courseId });
    for (const patch of [{ seatLimit: 20 }, { seatLimit: null }, { endsAt: null, notes: 'x' }, { state: 'active' }]) {
      const res = await api().patch(`/api/licences/${licence}`).set(tb.app.auth).send(patch).expect(422);
      expect(res.body.error).toBe('course_archived');
    }
    const moved = await api().patch(`/api/licences/${elsewhere}`).set(tb.app.auth).send({ courseId: tb.courseId }).expect(422);
    expect(moved.body.message).toContain('not moved to it, reactivated or extended');
    // what takes access away, or only annotates, is allowed
    expect((await api().patch(`/api/licences/${licence}`).set(tb.app.auth).send({ notes: 'contract ended' }).expect(200)).body.notes).toBe('contract ended');
    expect((await api().patch(`/api/licences/${licence}`).set(tb.app.auth).send({ state: 'suspended' }).expect(200)).body.state).toBe('suspended');
    expect((await api().patch(`/api/licences/${licence}`).set(tb.app.auth).send({ state: 'revoked' }).expect(200)).body.state).toBe('revoked');
    // an every-course licence names no course, so archiving does not stand in its way
    await api().post('/api/licences').set(tb.app.auth).send({ customerId: customer, courseId: null }).expect(201);
    // nothing was changed by the refusals
    expect((await api().get(`/api/licences/${licence}`).set(tb.app.auth)).body).toMatchObject({ seatLimit: 10, courseId: tb.courseId });
    expect((await api().get(`/api/licences/${elsewhere}`).set(tb.app.auth)).body.courseId).toBe(other);

    await api().post(`/api/courses/${tb.courseId}/unarchive`).set(tb.app.auth).expect(200);
    await api().post('/api/licences').set(tb.app.auth).send({ customerId: customer, courseId: tb.courseId }).expect(201);
    expect((await api().patch(`/api/licences/${licence}`).set(tb.app.auth).send({ state: 'active', seatLimit: 20 }).expect(200)).body).toMatchObject({ state: 'active', seatLimit: 20 });
  });
});
