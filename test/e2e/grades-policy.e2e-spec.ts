import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { AgsPlatform, startAgsPlatform } from '../support/ags-platform';
import { GradesHarness, SCOPE_SCORE } from '../support/grades-harness';
import { ManualClock } from '../support/manual-clock';

const GRADE_ENV = { GRADE_HTTP_TIMEOUT_MS: '3000' };

describe('Per-course grade policy (PATCH /api/courses/:id)', () => {
  let lms: AgsPlatform;
  let app: TestApp;
  let h: GradesHarness;

  beforeEach(async () => {
    lms = await startAgsPlatform({ toolJwksUrl: () => `${app.appUrl}/.well-known/jwks.json`, clientId: 'tool-client-1' });
    const clock = new ManualClock();
    app = await createTestApp(GRADE_ENV, { clock });
    h = new GradesHarness(app, lms, clock);
    await h.setUp();
  });

  afterEach(async () => {
    await app?.close();
    await lms?.stop();
  });

  const patch = (body: unknown, id = h.courseId) => request(app.appUrl).patch(`/api/courses/${id}`).set(app.auth).send(body as object);

  it('should show the default policy and refuse bad settings with a named error', async () => {
    const detail = await request(app.appUrl).get(`/api/courses/${h.courseId}`).set(app.auth).expect(200);
    expect(detail.body.gradePolicy).toEqual({ scoreMaximum: 100, attempts: 'highest', completionEarnsFullCredit: true });

    const bad = await patch({ gradePolicy: { attempts: 'best' } }).expect(400);
    expect(bad.body).toEqual({ error: 'invalid_grade_policy', message: expect.stringContaining('attempts') });
    expect((await patch({ gradePolicy: { scoreMaximum: -5 } }).expect(400)).body.error).toBe('invalid_grade_policy');
    expect((await patch({ gradePolicy: { passmark: 5 } }).expect(400)).body.message).toContain('passmark');
    expect((await patch({ colour: 'red' }).expect(400)).body.error).toBe('invalid_course_update');
    expect((await patch({ title: '' }).expect(400)).body).toEqual({ error: 'invalid_course_update', message: 'title must be a non-empty string of at most 500 characters.' });
    expect((await patch({ gradePolicy: [] }).expect(400)).body.error).toBe('invalid_grade_policy');
    const attempts = await request(app.appUrl).get('/api/attempts').set(app.auth).expect(400);
    expect(attempts.body).toEqual({ error: 'course_id_required', message: 'Say which course: GET /api/attempts?courseId=<course id>.' });
    expect((await patch({ title: 'x' }, '00000000-0000-4000-8000-000000000000').expect(404)).body.error).toBe('course_not_found');
    await request(app.appUrl).patch(`/api/courses/${h.courseId}`).send({ title: 'x' }).expect(401);
  });

  it('should change the title and merge policy settings, and reset them with null', async () => {
    await patch({ title: '  Fire safety  ', gradePolicy: { scoreMaximum: 10 } }).expect(200);
    const res = await patch({ gradePolicy: { attempts: 'latest' } }).expect(200);
    expect(res.body.title).toBe('Fire safety');
    expect(res.body.gradePolicy).toEqual({ scoreMaximum: 10, attempts: 'latest', completionEarnsFullCredit: true });
    const reset = await patch({ gradePolicy: null }).expect(200);
    expect(reset.body.gradePolicy).toEqual({ scoreMaximum: 100, attempts: 'highest', completionEarnsFullCredit: true });
  });

  it('should send scores on the course scale, without full credit for completion when told so', async () => {
    await patch({ gradePolicy: { scoreMaximum: 10, completionEarnsFullCredit: false } }).expect(200);
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem, scope: [SCOPE_SCORE] });
    await h.commit(await h.attempt(link, 'scored'), { completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.8, terminated: true });
    await h.commit(await h.attempt(link, 'unscored'), { completionStatus: 'completed', terminated: true });

    await h.settled();
    expect(lms.ags.grade(lineitem, 'scored')?.score).toMatchObject({ scoreGiven: 8, scoreMaximum: 10, gradingProgress: 'FullyGraded' });
    const unscored = lms.ags.grade(lineitem, 'unscored')?.score;
    expect(unscored).toMatchObject({ activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(unscored?.scoreGiven).toBeUndefined();

    // the console's attempts list shows the grade on the course's scale, as sent
    const attempts = await request(app.appUrl).get(`/api/attempts?courseId=${h.courseId}`).set(app.auth).expect(200);
    const scoredRow = (attempts.body as Array<{ learner: { sub: string }; grade: { scoreGiven?: number; scoreMaximum?: number } }>).find((a) => a.learner.sub === 'scored');
    expect(scoredRow?.grade).toMatchObject({ scoreGiven: 8, scoreMaximum: 10 });
  });

  it('should send the latest attempt instead of the highest when told so', async () => {
    await patch({ gradePolicy: { attempts: 'latest' } }).expect(200);
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem, scope: [SCOPE_SCORE] });
    await h.commit(await h.attempt(link, 'learner', { number: 1 }), { completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.9, terminated: true });
    await h.settled();
    expect(lms.ags.grade(lineitem, 'learner')?.score.scoreGiven).toBe(90);
    await h.commit(await h.attempt(link, 'learner', { number: 2 }), { completionStatus: 'completed', successStatus: 'failed', scoreScaled: 0.5, terminated: true });
    await h.advance(1000); // sends for one learner and line item are a second apart
    expect(lms.ags.grade(lineitem, 'learner')?.score).toMatchObject({ scoreGiven: 50, scoreMaximum: 100 });
  });
});
