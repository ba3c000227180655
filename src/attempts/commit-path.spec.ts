import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../../test/support/app';
import { importFixture, launchContext, openPlayer } from '../../test/support/player-entry';
import { ScoState } from './sco-state.entity';

/**
 * The commit path's hand-written SQL (ScoStatesRepository, sco-states.repository.ts): it reads sco_states without
 * suspend_data and writes every derived column itself, so these prove nothing is lost or mis-typed.
 */
describe('Runtime commit path (plain SQL read and UPDATE)', () => {
  let t: TestApp;
  let course12: string;

  beforeAll(async () => {
    t = await createTestApp();
    course12 = await importFixture(t, 'scorm12-single-sco');
  });

  afterAll(async () => {
    await t.close();
  });

  const cmi = (core: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    core: { lesson_status: 'incomplete', lesson_location: '', exit: '', session_time: '00:00:00', ...core },
    ...extra,
  });

  it('should keep the stored suspend data when a later commit does not carry it, and store every derived column with its type', async () => {
    const { bootstrap: b } = await openPlayer(t, launchContext(course12));
    const url = `${b.runtimeBase}/scos/${encodeURIComponent(b.startItemId)}/commit`;
    const auth = { Authorization: `Bearer ${b.token}` };
    await request(t.contentUrl).post(url).set(auth).send({ session: 1, seq: 1, cmi: cmi({ lesson_location: 'p1' }, { suspend_data: 'kept-state' }) }).expect(200);
    // Only the location and a score: suspend_data is absent from this commit.
    const second = await request(t.contentUrl)
      .post(url)
      .set(auth)
      .send({ session: 1, seq: 2, cmi: cmi({ lesson_location: 'p2', score: { raw: '40', min: '0', max: '80' } }) })
      .expect(200);
    expect(second.body).toEqual({ result: true, errorCode: 0, applied: true });
    const third = await request(t.contentUrl)
      .post(url)
      .set(auth)
      .send({ session: 1, seq: 3, terminate: true, cmi: cmi({ lesson_location: 'p3', lesson_status: 'passed', exit: 'suspend', session_time: '00:01:30' }) })
      .expect(200);
    expect(third.body).toEqual({ result: true, errorCode: 0, applied: true });
    const s = await t.server.app.get(DataSource).getRepository(ScoState).findOneOrFail({ where: { attemptId: b.attemptId, itemId: b.startItemId } });
    expect(s.suspendData).toBe('kept-state');
    expect(s.location).toBe('p3');
    expect(s.scoreRaw).toBe(40);
    expect(s.scoreMax).toBe(80);
    expect(s.scoreScaled).toBeCloseTo(0.5);
    expect(s.successStatus).toBe('passed');
    expect(s.completionStatus).toBe('completed');
    expect(s.exit).toBe('suspend');
    expect(s.terminated).toBe(true);
    expect(s.totalTimeSeconds).toBe(90);
    expect(s.lastSequence).toBe(3);
    expect(s.visitedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(s.visitedAt!.getTime())).toBe(false);
    expect(s.cmi).toMatchObject({ core: { lesson_location: 'p3' } });
    expect(s.cmi).not.toHaveProperty('suspend_data');
    // Nothing after the terminating commit of the session.
    const late = await request(t.contentUrl).post(url).set(auth).send({ session: 1, seq: 4, cmi: cmi({ lesson_location: 'p4' }, { suspend_data: 'lost' }) }).expect(200);
    expect(late.body).toMatchObject({ applied: false, reason: 'session_terminated' });
    // The resumed SCO gets the suspend data back.
    const launch = await request(t.contentUrl).get(`${b.runtimeBase}/scos/${encodeURIComponent(b.startItemId)}`).set(auth).expect(200);
    expect(launch.body.entry).toBe('resume');
    expect(launch.body.cmi.suspend_data).toBe('kept-state');
    expect(launch.body.cmi.core.lesson_location).toBe('p3');
  });
});
