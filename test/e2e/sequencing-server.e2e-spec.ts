import request from 'supertest';
import { DataSource } from 'typeorm';
import { AttemptSequencing } from '../../src/attempts/attempt-sequencing.entity';
import type { PlayerBootstrap } from '../../src/player/bootstrap.types';
import { newEngine } from '../../src/sequencing/server-run';
import { scorm2004Api } from '../../src/sequencing/engine';
import { attachAgs, type AgsEmulator } from '../support/emulator-ags';
import { waitFor } from '../support/wait-for';
import { playerUrlAfterLaunch } from '../support/instructor-view';
import { readJsonScript, startLtiTestbed, type LtiTestbed } from '../support/platform-emulator';
import { buildFixtureZip } from '../support/scorm-package.builder';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const AGS_SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
const SAFETY = 'urn:bridge-fixture:safety-exam';

type Json = Record<string, any>;

/**
 * SCORM 2004 sequencing on the server (docs/sequencing.md, "State on the server" and "The grade"),
 * through LTI launches from the platform emulator and the runtime API as the player calls it: the
 * gradebook receives the root activity's rolled-up result worked out from the SCOs' stored data, a
 * forged engine state cannot change it, the saved state comes back on relaunch (a closed tab does not
 * lock the learner out), and global objectives reach the learner's other course.
 */
describe('sequencing state on the server and the grade from the rolled-up root (e2e)', () => {
  let tb: LtiTestbed;
  let ags: AgsEmulator;
  const courses: Record<string, string> = {};
  const lineitems: Record<string, string> = {};

  beforeAll(async () => {
    tb = await startLtiTestbed({ fixture: 'scorm2004-rollup-exam' });
    ags = attachAgs(tb.emu);
    courses.exam = tb.courseId;
    for (const fixture of ['scorm2004-global-reader', 'seq-forced-order', 'scorm12-single-sco']) {
      const zip = await buildFixtureZip(fixture);
      const res = await request(tb.app.appUrl).post('/api/courses').set(tb.app.auth).attach('package', zip, { filename: `${fixture}.zip`, contentType: 'application/zip' });
      expect(res.status).toBe(201);
      courses[fixture] = res.body.id as string;
    }
    for (const name of ['exam', 'scorm2004-global-reader', 'seq-forced-order']) {
      lineitems[name] = ags.addLineItem({ label: name });
    }
  }, 60_000);

  afterAll(async () => {
    ags?.releaseHung();
    await tb?.close();
  });

  /** An LTI launch of `course` by `sub` on the link of that course, then the player page: its bootstrap. */
  async function launch(course: string, sub: string): Promise<PlayerBootstrap> {
    const res = await tb.emu.launch({
      toolUrl: tb.app.appUrl,
      courseId: courses[course],
      claims: {
        sub,
        [`${LTI}resource_link`]: { id: `link-${course}`, title: course },
        'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': { scope: [AGS_SCORE], lineitem: lineitems[course] ?? ags.addLineItem() },
      },
    });
    const page = await request(tb.app.contentUrl).get(new URL(await playerUrlAfterLaunch(res)).pathname).expect(200);
    return readJsonScript(page.text, 'bridge-bootstrap') as PlayerBootstrap;
  }

  const auth = (b: PlayerBootstrap) => ({ Authorization: `Bearer ${b.token}` });

  async function commit(b: PlayerBootstrap, sco: string, body: Json, status = 200): Promise<Json> {
    await request(tb.app.contentUrl).get(`${b.runtimeBase}/scos/${sco}`).set(auth(b)).expect(200);
    const res = await request(tb.app.contentUrl).post(`${b.runtimeBase}/scos/${sco}/commit`).set(auth(b)).send(body);
    expect({ status: res.status, body: res.body }).toMatchObject({ status });
    return res.body as Json;
  }

  /** A SCO session that ends (Terminate, no suspend) with these results. */
  const ended = (session: number, seq: number, cmi: Json, extra: Json = {}) => ({ session, seq, terminate: true, cmi: { exit: '', ...cmi }, ...extra });

  const scoreAt = (course: string, sub: string) => {
    const { activityProgress, gradingProgress, scoreGiven } = ags.grade(lineitems[course], sub)?.score ?? {};
    return { activityProgress, gradingProgress, scoreGiven };
  };

  it("sends the root activity's result: the exam decides, not the mean of the SCOs", async () => {
    const b = await launch('exam', 'ada');
    expect(b.sequencing?.settings.activityTree.id).toBe('ORG');
    expect(b.sequencing?.state).toBeNull();
    await commit(b, 'INTRO', ended(1, 1, { completion_status: 'completed', success_status: 'passed', score: { scaled: '1' } }));
    await commit(b, 'EXAM', ended(2, 2, { completion_status: 'completed', success_status: 'failed', score: { scaled: '0.4' } }));
    await waitFor(() => scoreAt('exam', 'ada').scoreGiven === 40 || undefined, 8000, 'the exam score (40, not the mean 70)');
    expect(scoreAt('exam', 'ada')).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 40 });
    const db = tb.app.server.app.get(DataSource);
    const [attempt] = await db.query<Json[]>(`SELECT ${q('rootCompletion')}, ${q('rootSuccess')}, ${q('rootMeasure')} FROM attempts a JOIN learners l ON l.id = a.${q('learnerId')} WHERE l.sub = 'ada'`);
    expect({ ...attempt, rootMeasure: Number(attempt.rootMeasure) }).toEqual({ rootCompletion: 'completed', rootSuccess: 'failed', rootMeasure: 0.4 });
    // eve passes the exam: the root passes with it.
    const e = await launch('exam', 'eve');
    await commit(e, 'INTRO', ended(1, 1, { completion_status: 'completed', success_status: 'failed', score: { scaled: '0.1' } }));
    await commit(e, 'EXAM', ended(2, 2, { completion_status: 'completed', success_status: 'passed', score: { scaled: '0.9' } }));
    await waitFor(() => scoreAt('exam', 'eve').scoreGiven === 90 || undefined, 8000, "eve's passed exam score");
  });

  it("takes a re-taken exam's better result into the root and the grade (its global objective held the first result)", async () => {
    const b = await launch('exam', 'fay');
    await commit(b, 'INTRO', ended(1, 1, { completion_status: 'completed', success_status: 'passed', score: { scaled: '1' } }));
    await commit(b, 'EXAM', ended(2, 2, { completion_status: 'completed', success_status: 'failed', score: { scaled: '0.3' } }));
    await waitFor(() => scoreAt('exam', 'fay').scoreGiven === 30 || undefined, 8000, "fay's first exam score");
    // The exam delivered again in the same launch (a new SCO attempt): a running commit, then its Terminate.
    await commit(b, 'EXAM', { session: 3, seq: 3, cmi: { completion_status: 'incomplete', score: { scaled: '0.5' } } });
    await commit(b, 'EXAM', ended(3, 4, { completion_status: 'completed', success_status: 'passed', score: { scaled: '0.8' } }));
    await waitFor(() => scoreAt('exam', 'fay').scoreGiven === 80 || undefined, 8000, "fay's re-taken exam score (80)");
    const db = tb.app.server.app.get(DataSource);
    const [attempt] = await db.query<Json[]>(`SELECT ${q('rootSuccess')}, ${q('rootMeasure')} FROM attempts a JOIN learners l ON l.id = a.${q('learnerId')} WHERE l.sub = 'fay'`);
    expect({ ...attempt, rootMeasure: Number(attempt.rootMeasure) }).toEqual({ rootSuccess: 'passed', rootMeasure: 0.8 });
    // Both SCOs completed ended the attempt: the next launch is a new attempt, which reads the exam's
    // system-wide global objective (passed, 0.8) — the new exam result must still win over it.
    const again = await launch('exam', 'fay');
    expect(again.attemptId).not.toBe(b.attemptId);
    await commit(again, 'INTRO', ended(1, 1, { completion_status: 'completed', success_status: 'passed', score: { scaled: '1' } }));
    await commit(again, 'EXAM', ended(2, 2, { completion_status: 'completed', success_status: 'passed', score: { scaled: '0.95' } }));
    await waitFor(() => scoreAt('exam', 'fay').scoreGiven === 95 || undefined, 8000, "fay's exam score on the next launch (95)");
  });

  it('rolls up when a SCO attempt ends, as SN: a running SCO moves the grade at its Terminate or when its tab closes (the unload commit), not with every report', async () => {
    const db = tb.app.server.app.get(DataSource);
    const root = async (sub: string) => {
      const [a] = await db.query<Json[]>(`SELECT ${q('rootSuccess')}, ${q('rootMeasure')} FROM attempts a JOIN learners l ON l.id = a.${q('learnerId')} WHERE l.sub = '${sub}'`);
      return { rootSuccess: a.rootSuccess, rootMeasure: a.rootMeasure === null ? null : Number(a.rootMeasure) };
    };
    const h = await launch('exam', 'hal');
    await commit(h, 'INTRO', ended(1, 1, { completion_status: 'completed', success_status: 'passed', score: { scaled: '1' } }));
    await commit(h, 'EXAM', { session: 2, seq: 2, cmi: { completion_status: 'incomplete' } });
    // The exam reports a result while it runs: the root (and so the grade) does not move yet.
    await commit(h, 'EXAM', { session: 2, seq: 3, cmi: { completion_status: 'completed', success_status: 'passed', score: { scaled: '0.9' } } });
    expect(await root('hal')).toEqual({ rootSuccess: 'unknown', rootMeasure: null });
    // The tab closes: the player's unload commit carries what the exam reported, and it grades.
    await commit(h, 'EXAM', { session: 2, seq: 4, unload: true, cmi: { completion_status: 'completed', success_status: 'passed', score: { scaled: '0.9' } } });
    expect(await root('hal')).toEqual({ rootSuccess: 'passed', rootMeasure: 0.9 });
    await waitFor(() => scoreAt('exam', 'hal').scoreGiven === 90 || undefined, 8000, "hal's exam score from the closed tab (90)");

    // The exam taken again (a new SCO attempt): the root keeps the ended attempt's result until the new one ends.
    const i = await launch('exam', 'ivy');
    await commit(i, 'INTRO', ended(1, 1, { completion_status: 'completed', success_status: 'passed', score: { scaled: '1' } }));
    await commit(i, 'EXAM', ended(2, 2, { completion_status: 'completed', success_status: 'passed', score: { scaled: '0.8' } }));
    await waitFor(() => scoreAt('exam', 'ivy').scoreGiven === 80 || undefined, 8000, "ivy's exam score (80)");
    await commit(i, 'EXAM', { session: 3, seq: 3, cmi: { completion_status: 'incomplete', score: { scaled: '0.5' } } });
    expect(await root('ivy')).toEqual({ rootSuccess: 'passed', rootMeasure: 0.8 });
    await commit(i, 'EXAM', ended(3, 4, { completion_status: 'completed', success_status: 'failed', score: { scaled: '0.6' } }));
    expect(await root('ivy')).toEqual({ rootSuccess: 'failed', rootMeasure: 0.6 });
    await waitFor(() => scoreAt('exam', 'ivy').scoreGiven === 60 || undefined, 8000, "ivy's re-taken exam score (60)");
  });

  it("reports a 2004 course by its rolled-up root, as the grade does (not the SCOs' mean)", async () => {
    const zip = await buildFixtureZip('scorm2004-rollup-exam');
    const imported = await request(tb.app.appUrl).post('/api/courses?onDuplicate=separate').set(tb.app.auth).attach('package', zip, { filename: 'exam-report.zip', contentType: 'application/zip' });
    expect(imported.status).toBe(201);
    courses['exam-report'] = imported.body.id as string;
    // The intro failed at 0.1, the exam passed at 0.9: the SCOs' rule would say failed, 0.5.
    const g = await launch('exam-report', 'gus');
    await commit(g, 'INTRO', ended(1, 1, { completion_status: 'completed', success_status: 'failed', score: { scaled: '0.1' } }));
    await commit(g, 'EXAM', ended(2, 2, { completion_status: 'completed', success_status: 'passed', score: { scaled: '0.9' } }));
    const report = await request(tb.app.appUrl).get(`/api/reports/courses/${courses['exam-report']}`).set(tb.app.auth).expect(200);
    expect(report.body.totals).toMatchObject({ attempts: 1, completions: 1, passed: 1, failed: 0, passRate: 1, averageScore: 0.9 });
    // The console's attempt list shows the same result.
    const attempts = await request(tb.app.appUrl).get('/api/attempts').query({ courseId: courses['exam-report'] }).set(tb.app.auth).expect(200);
    expect(attempts.body.map((a: Json) => ({ completion: a.completion, success: a.success, score: a.score }))).toEqual([{ completion: 'completed', success: 'passed', score: 0.9 }]);
  });

  it('does not let a forged engine state raise the grade or write a global objective', async () => {
    const b = await launch('exam', 'bob');
    await commit(b, 'INTRO', ended(1, 1, { completion_status: 'completed', success_status: 'passed', score: { scaled: '1' } }));
    // A state claiming the root passed with full marks and the safety exam satisfied system-wide.
    const { api } = newEngine(b.sequencing!.settings);
    const forged = JSON.parse(api.serializeSequencingState()) as Json;
    forged.globalObjectiveMap = { [SAFETY]: { id: SAFETY, satisfiedStatus: true, satisfiedStatusKnown: true, normalizedMeasure: 1, normalizedMeasureKnown: true } };
    forged.rootResult = { completion: 'completed', success: 'passed', measure: 1 };
    const answer = await commit(b, 'EXAM', ended(2, 2, { completion_status: 'completed', success_status: 'failed', score: { scaled: '0.2' } }, { sequencingState: JSON.stringify(forged) }));
    expect(answer).toEqual({ result: true, errorCode: 0, applied: true });
    await waitFor(() => scoreAt('exam', 'bob').scoreGiven === 20 || undefined, 8000, "bob's failed exam score");
    expect(scoreAt('exam', 'bob')).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 20 });
    // The refresher course reads the safety exam: bob failed it, whatever his state said.
    const r = await launch('scorm2004-global-reader', 'bob');
    expect(JSON.parse(r.sequencing!.state!).globalObjectiveMap[SAFETY]).toMatchObject({ satisfiedStatus: false, satisfiedStatusKnown: true });
  });

  it("carries the safety exam's global objective to the learner's other course", async () => {
    const r = await launch('scorm2004-global-reader', 'eve');
    const state = JSON.parse(r.sequencing!.state!) as Json;
    expect(state.globalObjectiveMap[SAFETY]).toMatchObject({ satisfiedStatus: true, satisfiedStatusKnown: true });
    // The refresher never reports success: its root is satisfied through eve's exam in the other course.
    await commit(r, 'REFRESHER', ended(1, 1, { completion_status: 'completed' }));
    await waitFor(() => scoreAt('scorm2004-global-reader', 'eve').activityProgress === 'Completed' || undefined, 8000, "eve's refresher grade");
    expect(scoreAt('scorm2004-global-reader', 'eve')).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 100 });
    const b = await launch('scorm2004-global-reader', 'bob');
    await commit(b, 'REFRESHER', ended(1, 1, { completion_status: 'completed' }));
    await waitFor(() => scoreAt('scorm2004-global-reader', 'bob').activityProgress === 'Completed' || undefined, 8000, "bob's refresher grade");
    expect(scoreAt('scorm2004-global-reader', 'bob')).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 0 });
  });

  it('restores the saved state on relaunch, and a tab closed without "suspend all" resumes the learner (scorm-again #1701)', async () => {
    const first = await launch('seq-forced-order', 'cyd');
    // The player's engine: PART-1 delivered, completed, "continue" delivers PART-2; the tab closes while PART-2 runs.
    const delivered: string[] = [];
    const settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5, sequencing: { activityTree: first.sequencing!.settings.activityTree, logLevel: 'error', eventListeners: { onActivityDelivery: (a: { id: string }) => delivered.push(a.id) } } };
    const Api = scorm2004Api();
    const api = new Api(settings);
    expect(api.processNavigationRequest('start')).toBe(true);
    api.reset(settings, { preserveListeners: true });
    api.Initialize('');
    api.SetValue('cmi.completion_status', 'completed');
    api.SetValue('adl.nav.request', 'continue');
    api.Terminate('');
    expect(delivered).toEqual(['PART-1', 'PART-2']);
    await commit(first, 'PART-1', ended(1, 1, { completion_status: 'completed' }, { navRequest: 'continue' }));
    const saved = api.serializeSequencingState();
    const save = (seq: number, state: string) => request(tb.app.contentUrl).post(`${first.runtimeBase}/sequencing`).set(auth(first)).send({ session: 2, seq, sequencingState: state });
    expect((await save(2, saved)).body).toEqual({ result: true, errorCode: 0, applied: true });
    // An older state (a late beacon) does not replace it.
    expect((await save(1, '{"version":"1.0","sequencing":null}')).body).toEqual({ result: true, errorCode: 0, applied: false, reason: 'stale' });
    const db = tb.app.server.app.get(DataSource);
    const stored = await db.getRepository(AttemptSequencing).findOneByOrFail({ attemptId: first.attemptId });
    expect(stored.state).toBe(saved);

    // Relaunch: the raw state would lock cyd out (no choice in this course); the bootstrap's state resumes PART-2.
    const relaunchWith = (state: string) => {
      const got: string[] = [];
      const again = new Api({ ...settings, sequencing: { ...settings.sequencing, eventListeners: { onActivityDelivery: (a: { id: string }) => got.push(a.id) } } });
      again.deserializeSequencingState(state);
      const answers = ['resumeAll', 'start'].map((r) => again.processNavigationRequest(r));
      return { got, answers };
    };
    expect(relaunchWith(saved)).toEqual({ got: [], answers: [false, false] });
    const second = await launch('seq-forced-order', 'cyd');
    expect(second.attemptId).toBe(first.attemptId);
    expect(relaunchWith(second.sequencing!.state!).got).toEqual(['PART-2']);
  });

  it('refuses a bad or misplaced state with a named error and stores nothing', async () => {
    const b = await launch('exam', 'dee');
    const body = (sequencingState: unknown) => ({ session: 1, seq: 1, cmi: { completion_status: 'incomplete' }, sequencingState });
    expect(await commit(b, 'INTRO', body('{not json'), 400)).toMatchObject({ error: 'sequencing_state_invalid' });
    expect(await commit(b, 'INTRO', body(['a']), 400)).toMatchObject({ error: 'sequencing_state_invalid' });
    const standalone = await request(tb.app.contentUrl).post(`${b.runtimeBase}/sequencing`).set(auth(b)).send({ session: 1, seq: 1, sequencingState: '{"version":"1.0"}', navRequest: 5 });
    expect({ status: standalone.status, error: standalone.body.error }).toEqual({ status: 400, error: 'sequencing_state_invalid' });
    const db = tb.app.server.app.get(DataSource);
    expect(await db.getRepository(AttemptSequencing).countBy({ attemptId: b.attemptId })).toBe(0);
    const [{ n }] = await db.query<Json[]>(`SELECT COUNT(*) AS n FROM sco_states WHERE ${q('attemptId')} = ${db.options.type === 'postgres' ? '$1' : '?'}`, [b.attemptId]);
    expect(Number(n)).toBe(1); // the launch's first state only: the refused commit wrote nothing
    const old = await launch('scorm12-single-sco', 'dee');
    expect(old.sequencing).toBeNull();
    const sco = old.scos[0].itemId;
    expect(await commit(old, sco, { session: 1, seq: 1, cmi: { core: { lesson_status: 'incomplete' } }, sequencingState: '{"version":"1.0"}' }, 400)).toMatchObject({ error: 'sequencing_not_used' });
  });

  function q(column: string): string {
    return tb.app.server.app.get(DataSource).options.type === 'postgres' ? `"${column}"` : column;
  }
});
