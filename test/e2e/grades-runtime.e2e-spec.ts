import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { importFixture, launchContext, openPlayer } from '../support/player-entry';
import { AgsPlatform, startAgsPlatform } from '../support/ags-platform';
import { SCOPE_SCORE } from '../support/grades-harness';
import { ManualClock } from '../support/manual-clock';
import { PlatformsService } from '../../src/platforms/platforms.service';
import { GradeDispatcher } from '../../src/grades/grade-dispatcher';

/** A learner's runtime commits over HTTP end as an AGS score at the emulator (src/grades/README.md). */
describe('Runtime commit → grade at the LMS (e2e)', () => {
  let lms: AgsPlatform;
  let t: TestApp;
  let platformId: string;
  const clock = new ManualClock();
  /** Lets the grade outbox send all that is due at the app's clock time. */
  const outboxSettled = () => t.server.app.get(GradeDispatcher, { strict: false }).idle();

  beforeAll(async () => {
    lms = await startAgsPlatform({ toolJwksUrl: () => `${t.appUrl}/.well-known/jwks.json`, clientId: 'tool-client-rt' });
    t = await createTestApp({ GRADE_HTTP_TIMEOUT_MS: '3000' }, { clock });
    const dto = await t.server.app.get(PlatformsService, { strict: false }).create({
      name: 'AGS emulator',
      issuer: lms.url,
      clientId: 'tool-client-rt',
      authorizationEndpoint: `${lms.url}/auth`,
      tokenEndpoint: lms.tokenEndpoint,
      jwksUri: `${lms.url}/jwks`,
      deploymentIds: ['dep-1'],
    });
    platformId = dto.id;
  });

  afterAll(async () => {
    await t?.close();
    await lms?.stop();
  });

  it('should send InProgress/Pending while incomplete, then the final score, in order', async () => {
    const courseId = await importFixture(t, 'scorm12-single-sco');
    const lineitem = lms.ags.addLineItem();
    const ctx = launchContext(courseId, { platformId, issuer: lms.url, clientId: 'tool-client-rt', ags: { scope: [SCOPE_SCORE], lineitem } });
    const { bootstrap: b } = await openPlayer(t, ctx);
    const item = b.startItemId;
    const auth = { Authorization: `Bearer ${b.token}` };
    const url = `${b.runtimeBase}/scos/${encodeURIComponent(item)}/commit`;
    await request(t.contentUrl).get(`${b.runtimeBase}/scos/${item}`).set(auth).expect(200);
    const core = { lesson_location: 'p1', exit: '', session_time: '00:01:00', score: { raw: '', min: '', max: '' } };
    await request(t.contentUrl).post(url).set(auth).send({ session: 1, seq: 1, cmi: { suspend_data: 'x', core: { ...core, lesson_status: 'incomplete' } } }).expect(200);
    await outboxSettled();
    expect(lms.ags.grade(lineitem, ctx.sub)?.score).toMatchObject({ activityProgress: 'InProgress', gradingProgress: 'Pending' });

    await request(t.contentUrl)
      .post(url)
      .set(auth)
      .send({ session: 1, seq: 2, terminate: true, cmi: { suspend_data: 'x', core: { ...core, lesson_status: 'completed', score: { raw: '92', min: '0', max: '100' } } } })
      .expect(200);
    await outboxSettled();
    expect(lms.ags.scoreRequests()).toHaveLength(1); // the final score waits a second after the first (Moodle's whole seconds)
    clock.advance(1000);
    await outboxSettled();
    expect(lms.ags.grade(lineitem, ctx.sub)?.score).toMatchObject({ userId: ctx.sub, activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 92, scoreMaximum: 100 });
    const sent = lms.ags.scoreRequests();
    expect(sent.every((r) => r.status === 200)).toBe(true);
    expect(Date.parse(sent[1].score.timestamp as string)).toBeGreaterThan(Date.parse(sent[0].score.timestamp as string));

    const list = (await request(t.appUrl).get(`/api/attempts?courseId=${courseId}`).set(t.auth).expect(200)).body as Array<Record<string, any>>;
    expect(list[0]).toMatchObject({ learner: { sub: ctx.sub, name: 'Jane Doe' }, completion: 'completed', score: 0.92 });
    expect(list[0].totalTimeSeconds).toBeGreaterThan(0);
    expect(list[0].gradeDelivery).toMatchObject({ state: 'sent', lastError: null });
  });

  it('should send nothing for a launch without an AGS claim', async () => {
    const courseId = await importFixture(t, 'scorm12-single-sco');
    const before = lms.ags.requests.length;
    const { bootstrap: b } = await openPlayer(t, launchContext(courseId, { platformId }));
    const auth = { Authorization: `Bearer ${b.token}` };
    await request(t.contentUrl)
      .post(`${b.runtimeBase}/scos/${encodeURIComponent(b.startItemId)}/commit`)
      .set(auth)
      .send({ session: 1, seq: 1, terminate: true, cmi: { suspend_data: '', core: { lesson_status: 'passed', lesson_location: '', exit: '', session_time: '00:00:10', score: { raw: '80', min: '', max: '' } } } })
      .expect(200);
    clock.advance(60 * 60_000);
    await outboxSettled();
    expect(lms.ags.requests.length).toBe(before);
    const list = (await request(t.appUrl).get(`/api/attempts?courseId=${courseId}`).set(t.auth).expect(200)).body as Array<Record<string, any>>;
    expect(list[0].gradeDelivery).toBeNull();
  });
});
