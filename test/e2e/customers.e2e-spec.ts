import * as fs from 'node:fs';
import * as path from 'node:path';
import { adminApi } from '../support/admin-api';
import { errorCode, errorHeading } from '../support/error-page';
import { listFiles } from '../support/app';
import { ManualClock } from '../support/manual-clock';
import { LaunchOptions, LaunchResult, PlatformEmulator, startLtiTestbed, LtiTestbed } from '../support/platform-emulator';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const INSTRUCTOR = { [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'] };

const code = errorCode;
const heading = errorHeading;

function expectLaunched(res: LaunchResult): void {
  expect({ status: res.status < 400 ? 'ok' : res.status, code: code(res) }).toEqual({ status: 'ok', code: null });
}

describe('Customers (issue 9): API, platform binding, registration links, launch rules (real HTTP, emulator)', () => {
  let tb: LtiTestbed;
  let emu: PlatformEmulator;
  const clock = new ManualClock();
  const launch = (o: Partial<LaunchOptions> = {}) => emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, ...o });

  const api = adminApi(() => tb.app);

  async function attemptCount(): Promise<number> {
    return ((await api('GET', `/api/attempts?courseId=${tb.courseId}`)).body as unknown[]).length;
  }

  beforeAll(async () => {
    tb = await startLtiTestbed({ clock });
    emu = tb.emu;
  });

  afterAll(async () => {
    await tb.close();
  });

  describe('launches before any customer exists', () => {
    it('should launch from an unassigned platform as before (a single-organisation install needs no set-up)', async () => {
      expectLaunched(await launch());
      expect((await launch({ messageType: 'deep-linking', courseId: undefined })).status).toBe(200);
    });
  });

  describe('/api/customers', () => {
    it('should create, read, list, change and delete a customer', async () => {
      const created = await api('POST', '/api/customers', { name: '  Acme Training  ', contact: 'ops@acme.test' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'Acme Training',
        contact: 'ops@acme.test',
        notes: null,
        state: 'active',
        platformIds: [],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const id = created.body.id as string;
      expect((await api('GET', `/api/customers/${id}`)).body).toEqual(created.body);
      const changed = await api('PATCH', `/api/customers/${id}`, { notes: 'Gold contract', contact: '' });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ name: 'Acme Training', notes: 'Gold contract', contact: null, state: 'active' });
      expect((await api('GET', '/api/customers')).body).toEqual([changed.body]);
      expect((await api('DELETE', `/api/customers/${id}`)).status).toBe(204);
      expect(await api('GET', `/api/customers/${id}`)).toEqual({ status: 404, body: { error: 'customer_not_found', message: `No customer with id "${id}" exists.` } });
      expect((await api('GET', '/api/customers')).body).toEqual([]);
    });

    it('should refuse invalid bodies with customer_invalid naming the field', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{}, /^name must be a non-empty string/],
        [{ name: '   ' }, /^name must be a non-empty string/],
        [{ name: 'x'.repeat(201) }, /at most 200 characters/],
        [{ name: 'A', state: 'paused' }, /^state must be one of active, suspended/],
        [{ name: 'A', contact: 42 }, /^contact must be a string/],
        [{ name: 'A', colour: 'red' }, /no field "colour"/],
      ];
      for (const [body, message] of cases) {
        const res = await api('POST', '/api/customers', body);
        expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status: 400, error: 'customer_invalid' });
        expect(res.body.message).toMatch(message);
      }
      const someone = (await api('POST', '/api/customers', { name: 'Null Checks' })).body.id as string;
      for (const body of [{ name: null }, { state: null }, { name: '' }]) {
        const res = await api('PATCH', `/api/customers/${someone}`, body);
        expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status: 400, error: 'customer_invalid' });
      }
      expect((await api('DELETE', `/api/customers/${someone}`)).status).toBe(204);
      expect((await api('PATCH', '/api/customers/nope', { name: 'B' })).body.error).toBe('customer_not_found');
      expect((await api('DELETE', '/api/customers/nope')).status).toBe(404);
    });

    it('should refuse the API without the admin token', async () => {
      const res = await fetch(`${tb.app.appUrl}/api/customers`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('unauthorized');
    });

    it('should be in the OpenAPI description', async () => {
      const doc = (await (await fetch(`${tb.app.appUrl}/api/docs.json`)).json()) as { paths: Record<string, Record<string, { summary?: string }>> };
      expect(Object.keys(doc.paths['/api/customers']).sort()).toEqual(['get', 'post']);
      expect(Object.keys(doc.paths['/api/customers/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
      expect(Object.keys(doc.paths['/api/customers/{id}/registration-links']).sort()).toEqual(['get', 'post']);
      expect(doc.paths['/api/customers/{id}/registration-links/{linkId}'].delete.summary).toMatch(/Revoke/);
    });
  });

  describe('platforms bound to customers, and the launch rules', () => {
    let customerId: string;

    afterAll(async () => {
      await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId: null });
      await api('DELETE', `/api/customers/${customerId}`);
    });

    it('should refuse every launch from an unassigned platform once a customer exists, saying why to learner and instructor, creating nothing', async () => {
      const before = await attemptCount();
      customerId = (await api('POST', '/api/customers', { name: 'Beta College' })).body.id as string;
      await api('POST', '/api/licences', { customerId }); // every course: the licence rules are licence-launch.e2e-spec's
      const learner = await launch();
      expect({ status: learner.status, code: code(learner) }).toEqual({ status: 403, code: 'lti_platform_unassigned' });
      expect(heading(learner)).toMatch(/^This course cannot be opened from here yet: this LMS is not linked to an organisation/);
      const instructor = await launch({ claims: INSTRUCTOR });
      expect({ status: instructor.status, code: code(instructor) }).toEqual({ status: 403, code: 'lti_platform_unassigned' });
      expect(heading(instructor)).toContain(`This LMS registration ("${emu.registrationBody().name}") is not assigned to a customer`);
      const picker = await launch({ messageType: 'deep-linking', courseId: undefined });
      expect({ status: picker.status, code: code(picker) }).toEqual({ status: 403, code: 'lti_platform_unassigned' });
      expect(await attemptCount()).toBe(before);
    });

    it('should bind a platform to a customer with PATCH customerId, refuse an unknown id, and launch once bound', async () => {
      const unknown = await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId: 'no-such-customer' });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error).toBe('customer_not_found');
      expect(unknown.body.message).toContain('"no-such-customer"');
      expect((await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId: 7 })).body).toEqual({ error: 'platform_invalid', message: 'customerId must be the id of a customer, or null.' });
      const bound = await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId });
      expect(bound.status).toBe(200);
      expect(bound.body.customerId).toBe(customerId);
      expect((await api('GET', `/api/customers/${customerId}`)).body.platformIds).toEqual([tb.platformId]);
      expectLaunched(await launch());
      expect((await launch({ messageType: 'deep-linking', courseId: undefined })).status).toBe(200);
    });

    it('should refuse launches and Deep Linking of a suspended customer with a page for each role, keep its data, and launch again once active', async () => {
      const before = await attemptCount();
      expect(before).toBeGreaterThan(0);
      expect((await api('PATCH', `/api/customers/${customerId}`, { state: 'suspended' })).body.state).toBe('suspended');
      const learner = await launch();
      expect({ status: learner.status, code: code(learner) }).toEqual({ status: 403, code: 'lti_customer_suspended' });
      expect(heading(learner)).toMatch(/^This course is not available right now: your organisation’s access has been paused.*Your progress is kept/);
      const instructor = await launch({ claims: INSTRUCTOR });
      expect(code(instructor)).toBe('lti_customer_suspended');
      expect(heading(instructor)).toContain('the course provider has suspended the customer "Beta College"');
      const picker = await launch({ messageType: 'deep-linking', courseId: undefined });
      expect({ status: picker.status, code: code(picker) }).toEqual({ status: 403, code: 'lti_customer_suspended' });
      expect(await attemptCount()).toBe(before);
      // deleting a customer that has platforms is refused: suspension is how its data is kept
      const del = await api('DELETE', `/api/customers/${customerId}`);
      expect(del.status).toBe(409);
      expect(del.body.error).toBe('customer_in_use');
      await api('PATCH', `/api/customers/${customerId}`, { state: 'active' });
      expectLaunched(await launch());
    });

    it('should unassign with customerId null, after which the platform launches nothing while customers exist', async () => {
      const res = await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId: null });
      expect(res.body.customerId).toBeNull();
      expect(code(await launch())).toBe('lti_platform_unassigned');
    });
  });

  describe('registration links', () => {
    let customerId: string;
    let other: PlatformEmulator;
    const register = (url: string, lms: PlatformEmulator) =>
      fetch(`${url}?${new URLSearchParams({ openid_configuration: `${lms.url}/.well-known/openid-configuration`, registration_token: 'reg-token-123' })}`);

    beforeAll(async () => {
      customerId = (await api('POST', '/api/customers', { name: 'Gamma Corp' })).body.id as string;
      await api('POST', '/api/licences', { customerId }); // every course: the licence rules are licence-launch.e2e-spec's
      other = await PlatformEmulator.start({ toolUrl: tb.app.appUrl });
    });

    afterAll(async () => {
      await other.stop();
    });

    it('should register a second LMS through a single-use link, bind it to the customer, and refuse the link afterwards', async () => {
      const created = await api('POST', `/api/customers/${customerId}/registration-links`, {});
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        customerId,
        status: 'usable',
        expiresAt: null,
        maxUses: 1,
        uses: 0,
        revokedAt: null,
        createdAt: expect.any(String),
        url: expect.stringMatching(new RegExp(`^${tb.app.appUrl}/lti/register/[A-Za-z0-9_-]{43}$`)),
      });
      const url = created.body.url as string;
      const token = url.split('/').pop() as string;
      const res = await register(url, other);
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain('data-client-id>dyn-client-1<');
      expect(page).toContain('<dd data-customer>Gamma Corp</dd>');
      const platforms = (await api('GET', '/api/platforms')).body as Array<Record<string, unknown>>;
      const bound = platforms.find((p) => p.issuer === other.issuer);
      expect(bound).toMatchObject({ clientId: 'dyn-client-1', registeredBy: 'dynamic', customerId });
      expect((await api('GET', `/api/customers/${customerId}`)).body.platformIds).toEqual([bound?.id]);
      // the new LMS launches (bound to an active customer); the unassigned first LMS still does not
      expectLaunched(await other.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, clientId: 'dyn-client-1' }));
      expect(code(await launch())).toBe('lti_platform_unassigned');

      const again = await register(url, other);
      expect(again.status).toBe(410);
      expect(code({ text: await again.text() })).toBe('lti_registration_link_used');
      expect(other.registrations).toHaveLength(1);
      expect((await api('GET', `/api/customers/${customerId}/registration-links`)).body).toEqual([expect.objectContaining({ id: created.body.id, status: 'used', uses: 1 })]);
      // only the token's hash is stored: neither the answer of the list nor the database holds the token
      expect(JSON.stringify((await api('GET', `/api/customers/${customerId}/registration-links`)).body)).not.toContain(token);
      for (const f of listFiles(tb.app.storageDir)) {
        expect(fs.readFileSync(path.join(tb.app.storageDir, f)).includes(token)).toBe(false);
      }
    });

    it('should refuse an expired, a revoked and an unknown link with a readable page, contacting no LMS', async () => {
      const expiresAt = new Date(clock.now() + 60_000).toISOString();
      const expiring = await api('POST', `/api/customers/${customerId}/registration-links`, { expiresAt, maxUses: 5 });
      expect(expiring.body).toMatchObject({ status: 'usable', maxUses: 5, uses: 0, expiresAt });
      const revoked = await api('POST', `/api/customers/${customerId}/registration-links`, {});
      const revoke = await api('DELETE', `/api/customers/${customerId}/registration-links/${revoked.body.id}`);
      expect(revoke.status).toBe(200);
      expect(revoke.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
      clock.advance(60_000);
      const seen = other.received.length;
      const cases: Array<[string, number, string, RegExp]> = [
        [expiring.body.url, 410, 'lti_registration_link_expired', /has expired\. Nothing was registered/],
        [revoked.body.url, 410, 'lti_registration_link_revoked', /withdrawn by the course provider/],
        [`${tb.app.appUrl}/lti/register/not-a-real-token`, 404, 'lti_registration_link_unknown', /not valid/],
      ];
      for (const [url, status, errorCode, words] of cases) {
        const res = await register(url, other);
        const text = await res.text();
        expect({ status: res.status, code: code({ text }) }).toEqual({ status, code: errorCode });
        expect(heading({ text })).toMatch(words);
      }
      expect(other.received.length).toBe(seen);
      expect((await api('GET', `/api/customers/${customerId}/registration-links`)).body.map((l: { status: string }) => l.status).sort()).toEqual(['expired', 'revoked', 'used']);
    });

    it('should let exactly one of two LMSs registering at once through a single-use link in', async () => {
      const lmsA = await PlatformEmulator.start({ toolUrl: tb.app.appUrl });
      const lmsB = await PlatformEmulator.start({ toolUrl: tb.app.appUrl });
      try {
        const { url } = (await api('POST', `/api/customers/${customerId}/registration-links`, {})).body as { url: string };
        const answers = await Promise.all([register(url, lmsA), register(url, lmsB)]);
        const outcomes = await Promise.all(answers.map(async (r) => ({ status: r.status, code: code({ text: await r.text() }) })));
        expect(outcomes.map((o) => o.status).sort()).toEqual([200, 410]);
        expect(outcomes.find((o) => o.status === 410)?.code).toBe('lti_registration_link_used');
        const platforms = (await api('GET', '/api/platforms')).body as Array<{ issuer: string; customerId: string | null }>;
        const stored = platforms.filter((p) => p.issuer === lmsA.issuer || p.issuer === lmsB.issuer);
        expect(stored).toHaveLength(1);
        expect(stored[0].customerId).toBe(customerId);
      } finally {
        await lmsA.stop();
        await lmsB.stop();
      }
    });

    it('should refuse bad link requests with named errors', async () => {
      const past = await api('POST', `/api/customers/${customerId}/registration-links`, { expiresAt: new Date(clock.now() - 1000).toISOString() });
      expect(past.status).toBe(400);
      expect(past.body.error).toBe('registration_link_invalid');
      expect(past.body.message).toMatch(/in the past/);
      for (const body of [{ maxUses: 0 }, { maxUses: 1.5 }, { expiresAt: 'tomorrow' }, { uses: 3 }]) {
        const res = await api('POST', `/api/customers/${customerId}/registration-links`, body);
        expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status: 400, error: 'registration_link_invalid' });
      }
      expect((await api('POST', '/api/customers/nope/registration-links', {})).body.error).toBe('customer_not_found');
      expect((await api('GET', '/api/customers/nope/registration-links')).status).toBe(404);
      expect((await api('DELETE', `/api/customers/${customerId}/registration-links/nope`)).body.error).toBe('registration_link_not_found');
    });
  });
});
