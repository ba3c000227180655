import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../support/app';
import { startAgsPlatform } from '../support/ags-platform';
import { GradesHarness, SCOPE_LINEITEM, SCOPE_SCORE } from '../support/grades-harness';
import { waitFor } from '../support/wait-for';
import { GradeDispatcher } from '../../src/grades/grade-dispatcher';
import { GradeDelivery } from '../../src/grades/grade-delivery.entity';
import { GradesRepository } from '../../src/grades/grades.repository';
import { ToolKey } from '../../src/lti/keys/tool-key.entity';
import { ToolKeysRepository } from '../../src/lti/keys/tool-keys.repository';
import { ToolKeysService } from '../../src/lti/keys/tool-keys.service';
import { ChangeNotices } from '../../src/database/change-notices';

/**
 * Two apps in this process on ONE PostgreSQL database: the per-instance state that issue 11 makes
 * shared, checked at the database level (the same flows through two real server processes are in
 * instances.e2e-spec.ts). PostgreSQL only: SQLite serves one process.
 */
const pg = process.env.TEST_POSTGRES_URL;
const describePg = pg ? describe : describe.skip;

describePg('state shared by two instances on one PostgreSQL database (skipped without TEST_POSTGRES_URL: npm run test:postgres)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ DATABASE_URL: a.config.databaseUrl });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('should end a console session on every instance when it is signed out on one', async () => {
    const res = await request(a.appUrl).post('/console/session').set('Origin', a.appUrl).send({ token: a.token }).expect(200);
    const cookie = String(([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]).split(';')[0];
    await request(b.appUrl).get('/api/courses').set('Cookie', cookie).expect(200); // one secret: b accepts a's session
    await request(b.appUrl).delete('/console/session').set('Cookie', cookie).set('X-CSRF-Token', res.body.csrfToken as string).expect(204);
    await request(a.appUrl).get('/api/courses').set('Cookie', cookie).expect(401);
    expect((await request(a.appUrl).get('/console/session').set('Cookie', cookie).expect(200)).body).toEqual({ signedIn: false });
  });

  it('should count one rate limit across both instances', async () => {
    const from = (app: TestApp) => request(app.appUrl).post('/console/session').set('X-Forwarded-For', '203.0.113.77').send({ token: 'wrong' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await from(i % 2 ? b : a)).status);
    }
    // 10 sign-ins at once per address in all, whichever instance answers (not 10 each).
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
  });

  it('should create our own line item of a link once when both instances send a first grade for it at the same moment', async () => {
    const lms = await startAgsPlatform({ toolJwksUrl: () => `${a.appUrl}/.well-known/jwks.json`, clientId: 'tool-client-1' });
    try {
      const ha = new GradesHarness(a, lms);
      await ha.setUp();
      const hb = Object.assign(new GradesHarness(b, lms), { platformId: ha.platformId, courseId: ha.courseId, versionId: ha.versionId });
      const link = await ha.link({ lineitems: lms.ags.lineItemsUrl(), scope: [SCOPE_SCORE, SCOPE_LINEITEM] }, 'rl-two-instances');
      const done = { completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.8, terminated: true };
      const [xa, xb] = [await ha.attempt(link, 'on-a'), await hb.attempt(link, 'on-b')];
      // Each instance's outbox is woken by its own commit: both look for the line item at once.
      await Promise.all([ha.commit(xa, done), hb.commit(xb, done)]);
      await waitFor(() => lms.ags.scoreRequests().filter((r) => r.status < 300).length === 2, 10_000, 'both grades');
      expect(lms.ags.lineItems).toHaveLength(1);
      expect(lms.ags.requests.filter((r) => r.method === 'POST' && !r.url.includes('/scores'))).toHaveLength(1);
      expect(lms.ags.grade(lms.ags.lineItems[0].id, 'on-a')).toBeDefined();
      expect(lms.ags.grade(lms.ags.lineItems[0].id, 'on-b')).toBeDefined();
    } finally {
      await lms.stop();
    }
  });

  const db = (app: TestApp) => app.server.app.get(DataSource);

  describe('the grade outbox', () => {
    const dispatcher = (app: TestApp) => app.server.app.get(GradeDispatcher, { strict: false });
    const repo = (app: TestApp) => app.server.app.get(GradesRepository, { strict: false });

    beforeAll(async () => {
      // The test claims by hand: neither worker may take a row meanwhile.
      await dispatcher(a).stop();
      await dispatcher(b).stop();
      await db(a).getRepository(GradeDelivery).clear(); // rows an earlier test left to the workers (a progress score after its final one, say)
    });

    const due = (n: number, now: number, patch: Partial<GradeDelivery> = {}): GradeDelivery[] =>
      Array.from({ length: n }, (_, i) => Object.assign(new GradeDelivery(), {
        resourceLinkId: randomUUID(),
        learnerId: randomUUID(),
        platformId: randomUUID(),
        userId: `u${i}`,
        attemptId: null,
        state: 'pending',
        payload: { scoreGiven: i, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded' },
        resultAt: now,
        nextAttemptAt: now - 1000 + i,
        ...patch,
      }));

    it('should give every due row to exactly one of two instances claiming at the same moment (FOR UPDATE SKIP LOCKED)', async () => {
      const now = Date.now();
      await db(a).getRepository(GradeDelivery).insert(due(60, now));
      const claimed = new Map<string, string[]>();
      // Both instances claim in small batches, concurrently, until nothing is left.
      const drain = async (app: TestApp, name: string) => {
        for (;;) {
          const rows = await repo(app).claimDueDeliveries(now, 4, now + 60_000, randomUUID());
          if (!rows.length) {
            return;
          }
          for (const r of rows) {
            claimed.set(r.id, [...(claimed.get(r.id) ?? []), name]);
            expect(r.state).toBe('sending');
          }
        }
      };
      await Promise.all([drain(a, 'a'), drain(b, 'b'), drain(a, 'a2'), drain(b, 'b2')]);
      expect(claimed.size).toBe(60);
      expect([...claimed.values()].filter((by) => by.length > 1)).toEqual([]);
      // Both instances got work: the rows were shared out, not queued behind one claimer.
      const by = new Set([...claimed.values()].map(([n]) => n[0]));
      expect(by).toEqual(new Set(['a', 'b']));
      await db(a).getRepository(GradeDelivery).clear();
    });

    it('should let the other instance take a claimed row once its lease has run out, and not before', async () => {
      const now = Date.now();
      const [row] = due(1, now, { state: 'sending', lockedUntil: now + 5000, claimToken: randomUUID() });
      await db(a).getRepository(GradeDelivery).insert(row);
      expect(await repo(b).claimDueDeliveries(now, 10, now + 60_000, randomUUID())).toEqual([]);
      const token = randomUUID();
      const taken = await repo(b).claimDueDeliveries(now + 5000, 10, now + 65_000, token);
      expect(taken.map((r) => [r.userId, r.state, r.claimToken, r.lockedUntil])).toEqual([['u0', 'sending', token, now + 65_000]]);
      // The first claimer can no longer settle it.
      expect(await repo(a).updateClaimedDelivery({ id: taken[0].id, claimToken: row.claimToken! }, { state: 'sent' })).toBe(false);
      await db(a).getRepository(GradeDelivery).clear();
    });
  });

  it('should sign with one tool key when both instances create the first key at the same moment', async () => {
    // An empty key table, as at the first start of two instances; each service here is a fresh
    // instance's (no cached key) on its own app's connection pool. Without the serialised first
    // insert each made its own key and signed with it for up to 30 s while publishing a set that
    // lacked the other's (a CI run's grades were refused by the LMS with "no applicable key").
    await db(a).getRepository(ToolKey).clear();
    const fresh = (app: TestApp) => new ToolKeysService(new ToolKeysRepository(db(app)), app.server.app.get(ChangeNotices));
    const [sa, sb] = [fresh(a), fresh(b)];
    const [ka, kb] = await Promise.all([sa.currentKid(), sb.currentKid()]);
    expect(ka).toBe(kb);
    expect(await db(b).getRepository(ToolKey).count()).toBe(1);
    expect((await sa.jwks()).keys.map((k) => k.kid)).toEqual([ka]);
    a.server.app.get(ChangeNotices).publish('tool-keys'); // both apps drop the keys they cached before the clear
  });
});
