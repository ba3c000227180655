import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { importFixture, launchContext, openPlayer, playerUrlFor } from '../support/player-entry';
import { ManualClock } from '../support/manual-clock';
import { DataSource } from 'typeorm';
import { ScoState } from '../../src/attempts/sco-state.entity';
import { Attempt } from '../../src/attempts/attempt.entity';

const cmi12 = (over: Record<string, unknown> = {}, core: Record<string, unknown> = {}) => ({
  suspend_data: '',
  core: { lesson_status: 'incomplete', lesson_location: '', exit: '', session_time: '00:00:00', score: { raw: '', min: '', max: '' }, ...core },
  ...over,
});

describe('Runtime API (content origin)', () => {
  let t: TestApp;
  let course12: string;
  let course2004: string;
  let multi2004: string;
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await createTestApp({ MAX_SUSPEND_DATA_CHARS: '100000' }, { clock });
    course12 = await importFixture(t, 'scorm12-single-sco');
    course2004 = await importFixture(t, 'scorm2004-3rd-single-sco');
    multi2004 = await importFixture(t, 'scorm2004-4th-multi-sco');
  });

  afterAll(async () => {
    await t.close();
  });

  const commitUrl = (b: { runtimeBase: string }, itemId: string) => `${b.runtimeBase}/scos/${encodeURIComponent(itemId)}/commit`;
  const state = (attemptId: string, itemId: string) => t.server.app.get(DataSource).getRepository(ScoState).findOneOrFail({ where: { attemptId, itemId } });

  it('should serve the player page with a CSP, no-referrer and no cookie, and refuse a second use of the launch code', async () => {
    const url = await playerUrlFor(t, launchContext(course12));
    const path = new URL(url).pathname;
    const res = await request(t.contentUrl).get(path).expect(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.text).toContain('/player-assets/player-scorm12.js');
    const again = await request(t.contentUrl).get(path).set('Accept', 'text/html').expect(410);
    expect(again.text).toContain('launch_code_invalid');
    expect(again.text).toMatch(/Relaunch the course from your LMS/);
    // the player route does not exist on the app origin
    await request(t.appUrl).get(path).expect(404);
  });

  it('should apply commits in sequence order and ignore an older one that arrives late', async () => {
    const { bootstrap: b } = await openPlayer(t, launchContext(course12));
    const item = b.startItemId;
    const auth = { Authorization: `Bearer ${b.token}` };
    await request(t.contentUrl).get(`${b.runtimeBase}/scos/${item}`).set(auth).expect(200);
    const r2 = await request(t.contentUrl).post(commitUrl(b, item)).set(auth).send({ session: 1, seq: 2, cmi: cmi12({ suspend_data: 'newer' }, { lesson_location: 'p2' }) }).expect(200);
    expect(r2.body).toEqual({ result: true, errorCode: 0, applied: true });
    const r1 = await request(t.contentUrl).post(commitUrl(b, item)).set(auth).send({ session: 1, seq: 1, cmi: cmi12({ suspend_data: 'older' }, { lesson_location: 'p1' }) }).expect(200);
    expect(r1.body).toMatchObject({ result: true, errorCode: 0, applied: false, reason: 'stale' });
    const s = await state(b.attemptId, item);
    expect(s.suspendData).toBe('newer');
    expect(s.location).toBe('p2');
    expect(s.lastSequence).toBe(2);
  });

  it('should apply nothing after the terminating commit of a session, and count session time once', async () => {
    const { bootstrap: b } = await openPlayer(t, launchContext(course12));
    const item = b.startItemId;
    const auth = { Authorization: `Bearer ${b.token}` };
    await request(t.contentUrl).post(commitUrl(b, item)).set(auth).send({ session: 1, seq: 1, terminate: true, cmi: cmi12({ suspend_data: 'final' }, { session_time: '00:01:30', exit: 'suspend' }) }).expect(200);
    const late = await request(t.contentUrl).post(commitUrl(b, item)).set(auth).send({ session: 1, seq: 5, terminate: true, cmi: cmi12({ suspend_data: 'after finish' }, { session_time: '00:01:30' }) }).expect(200);
    expect(late.body).toMatchObject({ applied: false, reason: 'session_terminated' });
    const s = await state(b.attemptId, item);
    expect(s.suspendData).toBe('final');
    expect(s.totalTimeSeconds).toBe(90);
    expect(s.terminated).toBe(true);
  });

  it('should refuse a token of one attempt writing another learner\'s attempt', async () => {
    const alice = await openPlayer(t, launchContext(course12));
    const bob = await openPlayer(t, launchContext(course12));
    const item = bob.bootstrap.startItemId;
    const res = await request(t.contentUrl)
      .post(commitUrl(bob.bootstrap, item))
      .set({ Authorization: `Bearer ${alice.bootstrap.token}` })
      .send({ session: 1, seq: 1, cmi: cmi12({ suspend_data: 'hijack' }) })
      .expect(403);
    expect(res.body.error).toBe('attempt_mismatch');
    await request(t.contentUrl).get(`${bob.bootstrap.runtimeBase}/scos/${item}`).set({ Authorization: `Bearer ${alice.bootstrap.token}` }).expect(403);
    // also with the token in the body (beacon form)
    await request(t.contentUrl).post(commitUrl(bob.bootstrap, item)).set('Content-Type', 'text/plain').send(JSON.stringify({ token: alice.bootstrap.token, session: 1, seq: 1, cmi: cmi12() })).expect(403);
    await expect(state(bob.bootstrap.attemptId, item)).rejects.toThrow();
    // no token, a forged token
    await request(t.contentUrl).post(commitUrl(bob.bootstrap, item)).send({ session: 1, seq: 1, cmi: cmi12() }).expect(401);
    const forged = `${Buffer.from(JSON.stringify({ a: bob.bootstrap.attemptId, l: 1, e: 9999999999 })).toString('base64url')}.${'A'.repeat(43)}`;
    const f = await request(t.contentUrl).post(commitUrl(bob.bootstrap, item)).set({ Authorization: `Bearer ${forged}` }).send({ session: 1, seq: 1, cmi: cmi12() }).expect(401);
    expect(f.body.error).toBe('runtime_token_invalid');
  });

  it.each([
    ['application/json', (body: object) => JSON.stringify(body)],
    ['text/plain', (body: object) => JSON.stringify(body)],
    ['application/x-www-form-urlencoded', (body: object) => new URLSearchParams({ payload: JSON.stringify(body) }).toString()],
  ])('should accept a beacon-style terminate commit sent as %s with the token in the body', async (type, encode) => {
    const { bootstrap: b } = await openPlayer(t, launchContext(course12));
    const item = b.startItemId;
    const body = { token: b.token, session: 1, seq: 1, terminate: true, cmi: cmi12({ suspend_data: `via ${type}` }, { exit: 'suspend' }) };
    const res = await request(t.contentUrl).post(commitUrl(b, item)).set('Content-Type', type).send(encode(body)).expect(200);
    expect(res.body).toMatchObject({ result: true, errorCode: 0, applied: true });
    expect((await state(b.attemptId, item)).suspendData).toBe(`via ${type}`);
  });

  it('should store suspend data far beyond SCORM 1.2\'s 4,096 characters, and refuse more than the configured cap by name', async () => {
    const { bootstrap: b } = await openPlayer(t, launchContext(course12));
    const item = b.startItemId;
    const auth = { Authorization: `Bearer ${b.token}` };
    const big = 'x'.repeat(64 * 1024 + 17);
    await request(t.contentUrl).post(commitUrl(b, item)).set(auth).send({ session: 1, seq: 1, cmi: cmi12({ suspend_data: big }) }).expect(200);
    expect((await state(b.attemptId, item)).suspendData).toHaveLength(big.length);
    const res = await request(t.contentUrl).post(commitUrl(b, item)).set(auth).send({ session: 1, seq: 2, cmi: cmi12({ suspend_data: 'y'.repeat(100_001) }) }).expect(413);
    expect(res.body.error).toBe('suspend_data_too_large');
    expect((await state(b.attemptId, item)).suspendData).toHaveLength(big.length);
  });

  it('should refuse a token once its time is over (on the server clock), with a specific code', async () => {
    const { bootstrap: b } = await openPlayer(t, launchContext(course12));
    const auth = { Authorization: `Bearer ${b.token}` };
    clock.advance(b.tokenExpiresAt - clock.now() - 1000);
    await request(t.contentUrl).post(commitUrl(b, b.startItemId)).set(auth).send({ session: 1, seq: 1, cmi: cmi12() }).expect(200);
    clock.advance(1000);
    const res = await request(t.contentUrl).post(commitUrl(b, b.startItemId)).set(auth).send({ session: 1, seq: 2, cmi: cmi12() }).expect(401);
    expect(res.body.error).toBe('runtime_token_expired');
  });

  it('should resume a SCORM 1.2 SCO after exit=suspend: entry, location, suspend data, name, total time, mastery', async () => {
    const ctx = launchContext(course12);
    const first = await openPlayer(t, ctx);
    const b = first.bootstrap;
    const item = b.startItemId;
    const launch1 = await request(t.contentUrl).get(`${b.runtimeBase}/scos/${item}`).set({ Authorization: `Bearer ${b.token}` }).expect(200);
    expect(launch1.body.cmi.core).toMatchObject({ entry: 'ab-initio', student_id: ctx.sub, student_name: 'Doe, Jane', credit: 'credit' });
    await request(t.contentUrl)
      .post(commitUrl(b, item))
      .set({ Authorization: `Bearer ${b.token}` })
      .send({ session: 1, seq: 1, terminate: true, cmi: cmi12({ suspend_data: 'state-1' }, { lesson_location: 'page-3', exit: 'suspend', session_time: '00:02:00', lesson_status: 'incomplete' }) })
      .expect(200);
    const second = await openPlayer(t, ctx);
    expect(second.bootstrap.attemptId).toBe(b.attemptId);
    const launch2 = await request(t.contentUrl).get(`${b.runtimeBase}/scos/${item}`).set({ Authorization: `Bearer ${second.bootstrap.token}` }).expect(200);
    expect(launch2.body.cmi.core).toMatchObject({ entry: 'resume', lesson_location: 'page-3', total_time: '0000:02:00.00', lesson_status: 'incomplete' });
    expect(launch2.body.cmi.suspend_data).toBe('state-1');
    await request(t.contentUrl)
      .post(commitUrl(b, item))
      .set({ Authorization: `Bearer ${second.bootstrap.token}` })
      .send({ session: 1, seq: 1, terminate: true, cmi: cmi12({}, { exit: '', session_time: '00:00:30', lesson_status: 'not attempted' }) })
      .expect(200);
    // a late commit from the first launch (an old tab) never overwrites the newer launch's data
    const old = await request(t.contentUrl).post(commitUrl(b, item)).set({ Authorization: `Bearer ${b.token}` }).send({ session: 2, seq: 99, cmi: cmi12({ suspend_data: 'from the old tab' }) }).expect(200);
    expect(old.body).toMatchObject({ applied: false, reason: 'stale' });
    const s = await state(b.attemptId, item);
    expect(s.suspendData).not.toBe('from the old tab');
    expect(s.suspendData).toBeNull(); // the second launch committed an empty suspend_data
    expect(s.lastLaunch).toBe(2);
    expect(s.completionStatus).toBe('completed'); // not attempted at LMSFinish → completed (1.2 RTE §3.4.4)
    const third = await openPlayer(t, ctx);
    const launch3 = await request(t.contentUrl).get(`${b.runtimeBase}/scos/${item}`).set({ Authorization: `Bearer ${third.bootstrap.token}` }).expect(200);
    expect(launch3.body.cmi.core.entry).toBe('');
  });

  it('should give an instructor a no-credit preview attempt', async () => {
    const { bootstrap: b } = await openPlayer(t, launchContext(course12, { isInstructor: true }));
    expect(b.preview).toBe(true);
    const res = await request(t.contentUrl).get(`${b.runtimeBase}/scos/${b.startItemId}`).set({ Authorization: `Bearer ${b.token}` }).expect(200);
    expect(res.body.cmi.core.credit).toBe('no-credit');
  });

  it('should end a SCORM 2004 attempt on a non-suspend exit and start the next launch afresh; apply threshold and passing score', async () => {
    const ctx = launchContext(course2004);
    const { bootstrap: b } = await openPlayer(t, ctx);
    const item = b.startItemId;
    const auth = { Authorization: `Bearer ${b.token}` };
    const l1 = await request(t.contentUrl).get(`${b.runtimeBase}/scos/${item}`).set(auth).expect(200);
    expect(l1.body.cmi).toMatchObject({ entry: 'ab-initio', learner_id: ctx.sub, learner_name: 'Doe, Jane', credit: 'credit' });
    const threshold = l1.body.cmi.completion_threshold;
    expect(threshold).toBeDefined();
    await request(t.contentUrl)
      .post(commitUrl(b, item))
      .set(auth)
      .send({ session: 1, seq: 1, terminate: true, cmi: { completion_status: 'incomplete', progress_measure: '1', success_status: 'failed', score: { scaled: '1' }, location: 'L9', suspend_data: 'S', exit: 'suspend', session_time: 'PT1M' } })
      .expect(200);
    const s = await state(b.attemptId, item);
    expect(s.completionStatus).toBe('completed'); // progress 1 ≥ threshold overrides the SCO's "incomplete"
    expect(s.successStatus).toBe('passed'); // scaled 1 ≥ passing score overrides "failed"
    expect(s.scoreScaled).toBe(1);
    const second = await openPlayer(t, ctx);
    expect(second.bootstrap.attemptId).toBe(b.attemptId);
    const auth2 = { Authorization: `Bearer ${second.bootstrap.token}` };
    const l2 = await request(t.contentUrl).get(`${b.runtimeBase}/scos/${item}`).set(auth2).expect(200);
    expect(l2.body.cmi).toMatchObject({ entry: 'resume', location: 'L9', suspend_data: 'S', total_time: 'PT0H1M0S' });
    await request(t.contentUrl).post(commitUrl(b, item)).set(auth2).send({ session: 1, seq: 1, terminate: true, cmi: { completion_status: 'completed', exit: 'normal', session_time: 'PT30S' } }).expect(200);
    const attempt = await t.server.app.get(DataSource).getRepository(Attempt).findOneByOrFail({ id: b.attemptId });
    expect(attempt.completedAt).toBeInstanceOf(Date);
    const third = await openPlayer(t, ctx);
    expect(third.bootstrap.attemptId).not.toBe(b.attemptId);
    const l3 = await request(t.contentUrl).get(`${third.bootstrap.runtimeBase}/scos/${item}`).set({ Authorization: `Bearer ${third.bootstrap.token}` }).expect(200);
    expect(l3.body.cmi).toMatchObject({ entry: 'ab-initio', total_time: 'PT0H0M0S' });
    expect(l3.body.cmi.suspend_data).toBeUndefined();
  });

  it('should apply concurrent commits from many learners, each to its own attempt', async () => {
    const players = await Promise.all(Array.from({ length: 12 }, () => openPlayer(t, launchContext(course12))));
    // Group commits write a batch's rows in one statement on Postgres: each row must get its own values.
    const results = await Promise.all(
      players.flatMap(({ bootstrap: b }, i) =>
        [1, 2, 3].map((seq) =>
          request(t.contentUrl)
            .post(commitUrl(b, b.startItemId))
            .set({ Authorization: `Bearer ${b.token}` })
            .send({ session: 1, seq, cmi: cmi12({ suspend_data: `learner ${i} commit ${seq}` }, { lesson_location: `page ${i}.${seq}`, score: { raw: String(10 * i + seq), min: '0', max: '200' } }) }),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    for (const [i, { bootstrap: b }] of players.entries()) {
      const s = await state(b.attemptId, b.startItemId);
      expect(s.suspendData).toMatch(new RegExp(`^learner ${i} commit`));
      // whichever order they arrived in, the stored one is the newest that was applied, in every column
      expect(s.suspendData).toBe(`learner ${i} commit ${s.lastSequence}`);
      expect([s.location, s.scoreRaw, s.scoreMax, s.completionStatus, s.visitedAt]).toEqual([`page ${i}.${s.lastSequence}`, 10 * i + s.lastSequence, 200, 'incomplete', expect.any(Date)]);
      expect((s.cmi as { core: { lesson_location: string } }).core.lesson_location).toBe(`page ${i}.${s.lastSequence}`);
    }
  });

  it('should end a multi-SCO SCORM 2004 attempt when the last of its SCOs is completed, also when they end in one group commit', async () => {
    const attemptOf = (id: string) => t.server.app.get(DataSource).getRepository(Attempt).findOneByOrFail({ id });
    // progress_measure 1: a SCO completed by measure (a completion threshold) is completed too.
    const ended = (seq: number) => ({ session: seq, seq, terminate: true, cmi: { completion_status: 'completed', progress_measure: '1', exit: 'normal', session_time: 'PT10S' } });
    const { bootstrap: b } = await openPlayer(t, launchContext(multi2004));
    const auth = { Authorization: `Bearer ${b.token}` };
    const scos = b.scos.filter((s) => s.scormType === 'sco');
    expect(scos.length).toBeGreaterThan(2);
    for (const [i, sco] of scos.slice(0, -1).entries()) {
      await request(t.contentUrl).post(commitUrl(b, sco.itemId)).set(auth).send(ended(i + 1)).expect(200);
    }
    expect((await attemptOf(b.attemptId)).completedAt).toBeNull();
    await request(t.contentUrl).post(commitUrl(b, scos[scos.length - 1].itemId)).set(auth).send(ended(scos.length)).expect(200);
    expect((await attemptOf(b.attemptId)).completedAt).toBeInstanceOf(Date);
    // Every terminating commit at once: whichever is applied last sees the others' completed states.
    const { bootstrap: c } = await openPlayer(t, launchContext(multi2004));
    const authC = { Authorization: `Bearer ${c.token}` };
    const answers = await Promise.all(scos.map((sco, i) => request(t.contentUrl).post(commitUrl(c, sco.itemId)).set(authC).send(ended(i + 1))));
    expect(answers.map((r) => [r.status, r.body.applied])).toEqual(scos.map(() => [200, true]));
    expect((await attemptOf(c.attemptId)).completedAt).toBeInstanceOf(Date);
  });

  it('should keep per-SCO state in a multi-SCO course and record an asset as completed when opened', async () => {
    const { bootstrap: b } = await openPlayer(t, launchContext(multi2004));
    const auth = { Authorization: `Bearer ${b.token}` };
    const asset = b.scos.find((s) => s.scormType === 'asset')!;
    const [first, second] = b.scos.filter((s) => s.scormType === 'sco');
    await request(t.contentUrl).get(`${b.runtimeBase}/scos/${asset.itemId}`).set(auth).expect(200);
    expect((await state(b.attemptId, asset.itemId)).completionStatus).toBe('completed');
    await request(t.contentUrl).post(commitUrl(b, first.itemId)).set(auth).send({ session: 1, seq: 1, cmi: { location: 'A' } }).expect(200);
    await request(t.contentUrl).post(commitUrl(b, second.itemId)).set(auth).send({ session: 2, seq: 2, cmi: { location: 'B' } }).expect(200);
    expect((await state(b.attemptId, first.itemId)).location).toBe('A');
    expect((await state(b.attemptId, second.itemId)).location).toBe('B');
    await request(t.contentUrl).post(commitUrl(b, 'NOPE')).set(auth).send({ session: 1, seq: 3, cmi: {} }).expect(404);
  });
});
