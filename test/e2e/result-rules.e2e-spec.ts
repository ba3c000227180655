import request from 'supertest';
import { playerUrlAfterLaunch } from '../support/instructor-view';
import { DataSource } from 'typeorm';
import { Attempt } from '../../src/attempts/attempt.entity';
import { Learner } from '../../src/attempts/learner.entity';
import { ScoState } from '../../src/attempts/sco-state.entity';
import type { PlayerBootstrap } from '../../src/player/bootstrap.types';
import { attachAgs, type AgsEmulator } from '../support/emulator-ags';
import { waitFor } from '../support/wait-for';
import { readJsonScript, startLtiTestbed, type LtiTestbed } from '../support/platform-emulator';
import { caseManifest, playLaunch, readValue, type RuntimeAccess } from '../support/result-case-player';
import { RESULT_CASES, type ResultCase } from '../support/result-cases';
import { buildFixtureZip } from '../support/scorm-package.builder';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const AGS_SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';

/**
 * The table of result cases (test/support/result-cases.ts) through the real server: a package built
 * from the case's manifest and imported over the API, every launch from the platform emulator, the
 * SCO's commits through the runtime API as the player sends them, then the same completion, success
 * and score from the runtime's stored state, the console's roll-up and the emulator's gradebook (AGS),
 * and the SCO's data on one more launch.
 */
describe('SCORM result rules: runtime, roll-up and gradebook agree (e2e)', () => {
  let tb: LtiTestbed;
  let ags: AgsEmulator;

  beforeAll(async () => {
    tb = await startLtiTestbed();
    ags = attachAgs(tb.emu);
  }, 60_000);

  afterAll(async () => {
    ags?.releaseHung();
    await tb?.close();
  });

  async function importCase(c: ResultCase): Promise<string> {
    const zip = await buildFixtureZip('scorm12-single-sco', { files: { 'imsmanifest.xml': caseManifest(c) } });
    const res = await request(tb.app.appUrl)
      .post('/api/courses')
      .set(tb.app.auth)
      .attach('package', zip, { filename: 'case.zip', contentType: 'application/zip' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /** An LTI launch from the emulator, then the player page it leads to; returns the player's bootstrap. */
  async function launch(courseId: string, c: ResultCase, sub: string, lineitem: string): Promise<PlayerBootstrap> {
    const res = await tb.emu.launch({
      toolUrl: tb.app.appUrl,
      courseId,
      claims: {
        sub,
        [`${LTI}resource_link`]: { id: `link-${sub}`, title: c.name.slice(0, 60) },
        'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': { scope: [AGS_SCORE], lineitem },
        ...(c.credit === 'no-credit' ? { [`${LTI}roles`]: [INSTRUCTOR] } : {}),
      },
    });
    const url = await playerUrlAfterLaunch(res); // an instructor goes through their view's preview button
    const page = await request(tb.app.contentUrl).get(new URL(url).pathname).expect(200);
    return readJsonScript(page.text, 'bridge-bootstrap') as PlayerBootstrap;
  }

  async function scoLaunch(b: PlayerBootstrap, sco: string): Promise<Record<string, unknown>> {
    const res = await request(tb.app.contentUrl)
      .get(`${b.runtimeBase}/scos/${encodeURIComponent(sco)}`)
      .set({ Authorization: `Bearer ${b.token}` })
      .expect(200);
    return res.body.cmi as Record<string, unknown>;
  }

  /** The runtime API on the content origin, with the launch's token. */
  const runtimeApi = (b: PlayerBootstrap): RuntimeAccess => ({
    launchSco: (sco) => scoLaunch(b, sco),
    async commit(sco, body) {
      const res = await request(tb.app.contentUrl)
        .post(`${b.runtimeBase}/scos/${encodeURIComponent(sco)}/commit`)
        .set({ Authorization: `Bearer ${b.token}` })
        .send(body)
        .expect(200);
      expect(res.body).toEqual({ result: true, errorCode: 0, applied: true });
    },
  });

  async function storedStates(sub: string): Promise<ScoState[]> {
    const db = tb.app.server.app.get(DataSource);
    const learner = await db.getRepository(Learner).findOneByOrFail({ sub });
    const attempts = await db.getRepository(Attempt).find({ where: { learnerId: learner.id } });
    expect(attempts).toHaveLength(1);
    return db.getRepository(ScoState).find({ where: { attemptId: attempts[0].id } });
  }

  it.each(RESULT_CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const courseId = await importCase(c);
    const lineitem = ags.addLineItem({ label: `case ${i}` });
    const sub = `result-case-${i}`;
    for (const steps of c.launches) {
      await playLaunch(c, steps, runtimeApi(await launch(courseId, c, sub, lineitem)));
    }

    // The runtime: what it stored for each SCO.
    const states = new Map((await storedStates(sub)).map((s) => [s.itemId, s]));
    for (const [sco, want] of Object.entries(c.expect.scos)) {
      const s = states.get(sco);
      expect({ sco, completion: s?.completionStatus, success: s?.successStatus }).toEqual({ sco, completion: want.completion, success: want.success });
      if (want.score === undefined) {
        expect(s?.scoreScaled).toBeNull();
      } else {
        expect(s?.scoreScaled).toBeCloseTo(want.score, 6);
      }
    }

    // The roll-up as the console shows it, and as the LMS's gradebook received it.
    const course = async () =>
      ((await request(tb.app.appUrl).get(`/api/attempts?courseId=${courseId}`).set(tb.app.auth).expect(200)).body as Array<Record<string, any>>)[0];
    const row = await course();
    expect({ completion: row.completion, success: row.success }).toEqual({ completion: c.expect.course.completion, success: c.expect.course.success });
    if (c.expect.course.score === undefined) {
      expect(row.score).toBeNull();
    } else {
      expect(row.score).toBeCloseTo(c.expect.course.score, 6);
    }
    if (c.expect.grade) {
      // Sent, and the last payload is the final result: the gradebook holds this one, not an earlier one.
      await waitFor(async () => (await course()).gradeDelivery?.state === 'sent', 8000, 'the grade to be sent');
      const got = ags.grade(lineitem, sub)?.score ?? {};
      const { activityProgress, gradingProgress, scoreGiven, scoreMaximum } = got;
      expect({ activityProgress, gradingProgress, scoreGiven, scoreMaximum }).toEqual({ scoreGiven: undefined, scoreMaximum: undefined, ...c.expect.grade });
    } else {
      expect(row.preview).toBe(true);
      expect(row.gradeDelivery).toBeNull();
      expect(ags.grade(lineitem, sub)).toBeUndefined();
    }

    // What each SCO reads on the next launch.
    const next = await launch(courseId, c, sub, lineitem);
    for (const [sco, want] of Object.entries(c.expect.scos)) {
      const cmi = await scoLaunch(next, sco);
      const read = Object.fromEntries(Object.keys(want.readBack).map((name) => [name, readValue(cmi, name)]));
      expect({ sco, read }).toEqual({ sco, read: want.readBack });
    }
  });
});
