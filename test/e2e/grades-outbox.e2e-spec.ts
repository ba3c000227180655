import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestApp, TestApp } from '../support/app';
import { AgsPlatform, startAgsPlatform } from '../support/ags-platform';
import { attachAgs } from '../support/emulator-ags';
import { PlatformEmulator } from '../support/platform-emulator';
import { GradesHarness, manifest, SCOPE_LINEITEM, SCOPE_SCORE } from '../support/grades-harness';
import { waitFor } from '../support/wait-for';
import { ManualClock } from '../support/manual-clock';
import { GradeDispatcher } from '../../src/grades/grade-dispatcher';
import { ResourceLink } from '../../src/attempts/resource-link.entity';

/**
 * The app runs on a ManualClock: backoff, the one-second spacing and lock expiry happen when the test
 * moves the clock, and "nothing more is sent" is checked after moving it far ahead, not by sleeping.
 * Retry timing is the production default (2 s doubling up to 10 min); only HTTP timeouts are real time.
 */
const GRADE_ENV = { GRADE_HTTP_TIMEOUT_MS: '3000' };
/** Past every wake-up the outbox could have planned (the longest backoff, the fallback poll). */
const LATER = 60 * 60_000;
const final = (scaled: number) => ({ completionStatus: 'completed', successStatus: 'passed', scoreScaled: scaled, terminated: true });

describe('Grade outbox → AGS (e2e, real HTTP)', () => {
  let lms: AgsPlatform;
  let app: TestApp;
  let clock: ManualClock;
  let h: GradesHarness;

  beforeEach(async () => {
    lms = await startAgsPlatform({ toolJwksUrl: () => `${app.appUrl}/.well-known/jwks.json`, clientId: 'tool-client-1' });
    clock = new ManualClock();
    app = await createTestApp(GRADE_ENV, { clock });
    h = new GradesHarness(app, lms, clock);
    await h.setUp();
  });

  /** The row's planned next try, as a delay from the app's now. */
  const nextTryIn = async () => (await h.deliveries())[0].nextAttemptAt - clock.now();

  afterEach(async () => {
    await app?.close();
    await lms?.stop();
  });

  const accepted = () => lms.ags.scoreRequests().filter((r) => r.status >= 200 && r.status < 300);

  it('should deliver a completed result with the src/grades/README.md fields, a signed assertion and the AGS headers', async () => {
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem, scope: [SCOPE_SCORE] });
    const attempt = await h.attempt(link, 'learner-1');
    await h.commit(attempt, final(0.8));
    await h.settled();

    expect(accepted()).toHaveLength(1);
    const [req] = accepted();
    expect(req.score).toMatchObject({ userId: 'learner-1', activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 80, scoreMaximum: 100 });
    expect(req.score.timestamp).toBe(new Date(clock.now()).toISOString()); // the commit's time on the app's clock
    expect(req.headers['content-type']).toBe('application/vnd.ims.lis.v1.score+json');
    expect(req.headers.authorization).toMatch(/^Bearer tok-/);
    expect(req.headers['user-agent']).toBeTruthy();
    expect(new URL(req.url).pathname).toBe(new URL(lineitem).pathname + '/scores');

    expect(lms.tokenRequests).toHaveLength(1);
    const claims = lms.tokenRequests[0].claims;
    expect(claims).toMatchObject({ iss: 'tool-client-1', sub: 'tool-client-1', aud: lms.tokenEndpoint, 'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'dep-1' });
    expect(typeof claims.jti).toBe('string');
    expect(lms.tokenRequests[0].scope).toBe(SCOPE_SCORE);

    expect(await h.deliveries()).toMatchObject([{ state: 'sent', lastError: null, tries: 1, sentAt: clock.now() }]);
  });

  it('should reuse the cached access token for later scores', async () => {
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem });
    await h.commit(await h.attempt(link, 'a'), final(0.5));
    await h.commit(await h.attempt(link, 'b'), final(0.6));
    await h.settled();
    expect(accepted()).toHaveLength(2);
    expect(lms.tokenRequests).toHaveLength(1);
  });

  it('should retry through an outage and deliver the newest result exactly once', async () => {
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem });
    const attempt = await h.attempt(link, 'learner-2');
    lms.ags.failNext(4, 503);
    await h.commit(attempt, { completionStatus: 'incomplete', scoreScaled: 0.2 });
    await h.settled();
    expect(lms.ags.scoreRequests().map((r) => r.status)).toEqual([503]);
    // backoff with jitter: between half and all of 2 s, then of 4 s, 8 s …
    for (const [tries, exp] of [[1, 2000], [2, 4000]]) {
      const wait = await nextTryIn();
      expect(wait).toBeGreaterThanOrEqual(exp / 2);
      expect(wait).toBeLessThanOrEqual(exp);
      await h.advance(wait - 1);
      expect(lms.ags.scoreRequests()).toHaveLength(tries); // not a millisecond early
      await h.advance(1);
      expect(lms.ags.scoreRequests()).toHaveLength(tries + 1);
    }
    await h.commit(attempt, final(0.9)); // a newer result while retrying replaces the payload

    for (let i = 0; i < 5 && lms.ags.grade(lineitem, 'learner-2')?.score.scoreGiven !== 90; i++) {
      await h.advance(await nextTryIn());
    }
    expect(lms.ags.scoreRequests().map((r) => r.status)).toEqual([503, 503, 503, 503, 200]);
    await h.advance(LATER);
    const finals = accepted().filter((r) => r.score.scoreGiven === 90);
    expect(finals).toHaveLength(1);
    expect(accepted().at(-1)?.score).toMatchObject({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 90 });
    const [row] = await h.deliveries();
    expect(row.state).toBe('sent');
  });

  it('should retry when the token endpoint fails, then deliver', async () => {
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem });
    lms.failTokenNext(2, 500);
    await h.commit(await h.attempt(link, 'tok'), final(0.7));
    await h.settled();
    await h.advance(await nextTryIn());
    expect(lms.ags.grade(lineitem, 'tok')).toBeUndefined();
    await h.advance(await nextTryIn());
    expect(lms.ags.grade(lineitem, 'tok')).toBeDefined();
    expect(lms.tokenRequests.map((t) => t.status)).toEqual([500, 500, 200]);
  });

  it('should refresh the token once on a 401 and send again', async () => {
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem });
    lms.ags.unauthorizedNext(1);
    await h.commit(await h.attempt(link, 'learner-3'), final(0.75));
    await h.settled();
    expect(lms.ags.grade(lineitem, 'learner-3')).toBeDefined();
    expect(lms.ags.scoreRequests().map((r) => r.status)).toEqual([401, 200]);
    expect(lms.tokenRequests.filter((t) => t.status === 200)).toHaveLength(2);
    const jtis = lms.tokenRequests.map((t) => t.claims.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
  });

  it('should mark a Canvas 400 stale-timestamp answer superseded', async () => {
    lms.ags.behaviour = 'canvas';
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem });
    lms.ags.results.set(`${lineitem}|learner-4`, { timestamp: Date.now() + 3_600_000, score: {} });
    await h.commit(await h.attempt(link, 'learner-4'), final(0.5));
    await h.settled();
    const [row] = await h.deliveries();
    expect(row.state).toBe('superseded');
    expect(row.lastStatus).toBe(400);
    expect(row.lastError).toMatch(/before last updated timestamp/);
    await h.advance(LATER); // not retried
    expect(lms.ags.scoreRequests()).toHaveLength(1);
  });

  it('should post to …/lineitem/scores?type_id= and mark a Moodle 409 superseded', async () => {
    lms.ags.behaviour = 'moodle';
    const lineitem = lms.ags.addLineItem();
    expect(lineitem).toMatch(/\/lineitem\?type_id=1$/);
    const link = await h.link({ lineitem });
    const attempt = await h.attempt(link, 'learner-5');
    await h.commit(attempt, final(0.4));
    await h.settled();
    expect(lms.ags.grade(lineitem, 'learner-5')).toBeDefined();
    const url = new URL(lms.ags.scoreRequests()[0].url);
    expect(url.pathname).toMatch(/\/lineitems\/1\/lineitem\/scores$/);
    expect(url.search).toBe('?type_id=1');

    // A newer result within the same second: sent 1 s later with a later whole-second timestamp (no 409).
    await h.advance(300);
    await h.commit(attempt, final(0.6));
    await h.settled();
    expect(lms.ags.scoreRequests()).toHaveLength(1); // waiting for the second to pass
    await h.advance(699);
    expect(lms.ags.scoreRequests()).toHaveLength(1);
    await h.advance(1);
    expect(lms.ags.grade(lineitem, 'learner-5')?.score.scoreGiven).toBe(60);
    const [first, second] = lms.ags.scoreRequests();
    expect(second.status).toBe(200);
    expect(Date.parse(second.score.timestamp as string) - Date.parse(first.score.timestamp as string)).toBe(1000);
    expect(Math.floor(Date.parse(second.score.timestamp as string) / 1000)).toBeGreaterThan(Math.floor(Date.parse(first.score.timestamp as string) / 1000));

    // The gradebook holds a newer grade set elsewhere: 409 → superseded, not retried.
    lms.ags.results.set(`${lineitem}|learner-5`, { timestamp: Date.now() + 3_600_000, score: {} });
    await h.commit(attempt, final(0.7));
    await h.advance(1000);
    const [row] = await h.deliveries();
    expect(row.state).toBe('superseded');
    expect(row.lastStatus).toBe(409);
    expect(lms.ags.scoreRequests()).toHaveLength(3);
  });

  it('should mark another 4xx failed with the platform message, and resend it on request', async () => {
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem });
    lms.ags.failNext(1, 422, 'User not found in course or is not a student');
    await h.commit(await h.attempt(link, 'learner-6'), final(0.65));
    await h.settled();
    const [failed] = await h.deliveries();
    expect(failed.state).toBe('failed');
    expect(failed.lastError).toMatch(/422.*User not found/);
    await h.advance(LATER); // not retried on its own
    expect(lms.ags.scoreRequests()).toHaveLength(1);

    const list = (await (await fetch(`${app.appUrl}/api/attempts?courseId=${h.courseId}`, { headers: app.auth })).json()) as Array<Record<string, any>>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ learner: { sub: 'learner-6', name: 'Learner learner-6' }, completion: 'completed', success: 'passed', score: 0.65 });
    expect(list[0].gradeDelivery).toMatchObject({ id: failed.id, state: 'failed', lastStatus: 422 });

    const unauth = await fetch(`${app.appUrl}/api/grade-deliveries/${failed.id}/resend`, { method: 'POST' });
    expect(unauth.status).toBe(401);
    const resend = await fetch(`${app.appUrl}/api/grade-deliveries/${failed.id}/resend`, { method: 'POST', headers: app.auth });
    expect(resend.status).toBe(200);
    await h.settled();
    expect(lms.ags.grade(lineitem, 'learner-6')).toBeDefined();
    const missing = await fetch(`${app.appUrl}/api/grade-deliveries/nope/resend`, { method: 'POST', headers: app.auth });
    expect(missing.status).toBe(404);
  });

  it('should find or create its own line item once when the claim has only lineitems', async () => {
    const lineitems = lms.ags.lineItemsUrl();
    const link = await h.link({ lineitems, scope: [SCOPE_SCORE, SCOPE_LINEITEM] }, 'rl-only-container');
    await Promise.all([h.commit(await h.attempt(link, 'x1'), final(0.5)), h.commit(await h.attempt(link, 'x2'), final(0.7))]);
    await h.settled();
    expect(accepted()).toHaveLength(2);
    expect(lms.ags.lineItems).toHaveLength(1);
    expect(lms.ags.lineItems[0]).toMatchObject({ resourceLinkId: 'rl-only-container', label: 'Unit 1 quiz', scoreMaximum: 100 });
    expect(lms.ags.requests.filter((r) => r.method === 'POST' && !r.url.includes('/scores'))).toHaveLength(1);
    const stored = await h.db.getRepository(ResourceLink).findOneByOrFail({ id: link.id });
    expect(stored.lineItemUrl).toBe(lms.ags.lineItems[0].id);
    // A later result reuses the stored line item.
    await h.commit(await h.attempt(link, 'x3'), final(0.9));
    await h.settled();
    expect(accepted()).toHaveLength(3);
    expect(lms.ags.lineItems).toHaveLength(1);
  });

  it('should give a result that arrived during the line item look-up its own, later timestamp', async () => {
    // The first send of a link with only `lineitems` looks the line item up before it stamps its
    // score; a final result committed meanwhile once took the timestamp stamped for the progress
    // score, and the platform, holding a score for that instant already, kept the progress one.
    const link = await h.link({ lineitems: lms.ags.lineItemsUrl(), scope: [SCOPE_SCORE, SCOPE_LINEITEM] }, 'rl-slow-lookup');
    const attempt = await h.attempt(link, 'z1');
    lms.ags.latencyMs = 300;
    await h.commit(attempt, { completionStatus: 'incomplete', scoreScaled: 0.2 });
    await waitFor(() => lms.ags.requests.length > 0, 5000, 'the line item look-up');
    await h.commit(attempt, final(0.9));
    await h.settled();
    lms.ags.latencyMs = 0;
    for (let i = 0; i < 5 && lms.ags.grade(lms.ags.lineItems[0]?.id ?? '', 'z1')?.score.scoreGiven !== 90; i++) {
      await h.advance(Math.max(await nextTryIn(), 0));
    }
    expect(lms.ags.grade(lms.ags.lineItems[0].id, 'z1')?.score).toMatchObject({ gradingProgress: 'FullyGraded', scoreGiven: 90 });
    const stamps = accepted().map((r) => Date.parse(String(r.score.timestamp)));
    expect(stamps).toEqual([...stamps].sort((x, y) => x - y));
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  it('should find an existing line item for the link instead of creating a second one', async () => {
    lms.ags.addLineItem({ resourceLinkId: 'rl-existing', label: 'Made by the LMS' });
    const link = await h.link({ lineitems: lms.ags.lineItemsUrl(), scope: [SCOPE_SCORE, SCOPE_LINEITEM] }, 'rl-existing');
    await h.commit(await h.attempt(link, 'y1'), final(0.5));
    await h.settled();
    expect(accepted()).toHaveLength(1);
    expect(lms.ags.lineItems).toHaveLength(1);
  });

  it('should queue nothing without an AGS claim, nor for a preview attempt', async () => {
    const none = await h.link(null);
    await h.commit(await h.attempt(none, 'n1'), final(1));
    const withAgs = await h.link({ lineitem: lms.ags.addLineItem() });
    await h.commit(await h.attempt(withAgs, 'teacher', { preview: true }), final(1));
    await h.advance(LATER);
    expect(await h.deliveries()).toHaveLength(0);
    expect(lms.ags.requests).toHaveLength(0);
  });

  it('should send the highest attempt', async () => {
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem });
    const first = await h.attempt(link, 'hi', { number: 1 });
    await h.commit(first, final(0.9));
    await h.settled();
    expect(lms.ags.grade(lineitem, 'hi')).toBeDefined();
    await h.commit(await h.attempt(link, 'hi', { number: 2 }), final(0.3));
    await h.advance(LATER);
    expect(accepted()).toHaveLength(1);
    expect(lms.ags.grade(lineitem, 'hi')?.score.scoreGiven).toBe(90);
  });

  it('should re-claim a send whose lock expired, and ignore the stale claim when it ends', async () => {
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem });
    lms.ags.hangNext(1);
    await h.commit(await h.attempt(link, 'lock'), final(0.55));
    await waitFor(() => lms.ags.requests.some((r) => r.status === -1), 8000, 'hung request');
    const [row] = await h.deliveries();
    expect(row.state).toBe('sending');
    // the lock covers a token request, a line item look-up and the POST: 4 × GRADE_HTTP_TIMEOUT_MS + 1 s
    expect(row.lockedUntil! - clock.now()).toBe(13_000);
    clock.advance(12_999);
    await new Promise((r) => setTimeout(r, 50));
    expect(lms.ags.scoreRequests()).toHaveLength(1); // still locked
    clock.advance(1); // the hung send is still in flight (its timeout is real time): wait for the new claim's answer
    await waitFor(() => lms.ags.grade(lineitem, 'lock'), 8000, 'delivery after lock expiry');
    lms.ags.releaseHung();
    await h.settled();
    const [after] = await h.deliveries();
    expect(after.state).toBe('sent');
    expect(accepted()).toHaveLength(1);
  });

  it('should not POST from a send whose lease ran out while it waited: the worker that took the row over sends it once', async () => {
    const lineitem = lms.ags.addLineItem();
    const link = await h.link({ lineitem });
    lms.failTokenNext(1, 503); // the first try gets no token: the retry below asks for one
    await h.commit(await h.attempt(link, 'slow'), final(0.6));
    await h.settled();
    lms.delayTokens(400);
    const tokensBefore = lms.tokenRequests.length;
    clock.advance(await nextTryIn());
    // The retry waits for its token (an expired one: the token endpoint is slow) while its lease runs out and the row is claimed again.
    await waitFor(() => lms.tokenRequests.length > tokensBefore, 8000, 'the token request of the retry');
    clock.advance(13_000);
    await h.settled();
    lms.delayTokens(0);
    await h.advance(LATER);
    expect(accepted()).toHaveLength(1);
    expect(lms.ags.grade(lineitem, 'slow')?.score.scoreGiven).toBe(60);
    expect((await h.deliveries())[0].state).toBe('sent');
  });
});

describe('Grade outbox across a server restart (e2e)', () => {
  it('should deliver a result exactly once after the server was restarted mid-delivery', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-grades-restart-'));
    let app: TestApp | undefined;
    const lms = await startAgsPlatform({ toolJwksUrl: () => `${app!.appUrl}/.well-known/jwks.json`, clientId: 'tool-client-1' });
    try {
      app = await createTestApp({ ...GRADE_ENV, STORAGE_DIR: dir, KEEP_STORAGE: '1' }, { clock: new ManualClock() });
      const h = new GradesHarness(app, lms);
      await h.setUp(manifest('1.2', ['sco1'], { masteryScore: 70 }));
      const lineitem = lms.ags.addLineItem();
      const link = await h.link({ lineitem });
      lms.ags.hangNext(1);
      await h.commit(await h.attempt(link, 'restart'), { completionStatus: 'completed', scoreRaw: 85, terminated: true });
      await waitFor(() => lms.ags.requests.some((r) => r.status === -1), 8000, 'the hung request');
      await app.close();
      lms.ags.releaseHung();
      expect(lms.ags.grade(lineitem, 'restart')).toBeUndefined();

      const clock = new ManualClock();
      app = await createTestApp({ ...GRADE_ENV, STORAGE_DIR: dir, KEEP_STORAGE: '1' }, { clock });
      const dispatcher = app.server.app.get(GradeDispatcher, { strict: false });
      await dispatcher.idle(); // the stopped send released its claim: the new process sends it at once
      expect(lms.ags.grade(lineitem, 'restart')?.score).toMatchObject({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 85 });
      clock.advance(LATER);
      await dispatcher.idle();
      expect(lms.ags.scoreRequests().filter((r) => r.status === 200)).toHaveLength(1);
    } finally {
      await app?.close();
      await lms.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Grade outbox with the full PlatformEmulator (e2e)', () => {
  it('should get a token from the emulator token endpoint and post the score to its AGS routes', async () => {
    const emu = await PlatformEmulator.start();
    const app = await createTestApp(GRADE_ENV, { clock: new ManualClock() });
    try {
      emu.useTool(app.appUrl);
      emu.addClient('tool-client-1', 'dep-1', `${app.appUrl}/lti/launch`);
      const ags = attachAgs(emu);
      const h = new GradesHarness(app, { url: emu.url, tokenEndpoint: emu.tokenEndpoint } as AgsPlatform);
      await h.setUp();
      const lineitem = ags.addLineItem();
      const link = await h.link({ lineitem, scope: [SCOPE_SCORE] });
      await h.commit(await h.attempt(link, 'emu-learner'), final(0.42));
      await h.settled();
      expect(ags.grade(lineitem, 'emu-learner')?.score).toMatchObject({ scoreGiven: 42, gradingProgress: 'FullyGraded' });
    } finally {
      await app.close();
      await emu.stop();
    }
  });
});
