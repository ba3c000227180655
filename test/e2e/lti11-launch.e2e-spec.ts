import { adminApi } from '../support/admin-api';
import { errorCode, errorHeading } from '../support/error-page';
import { attachLti11, Lti11Consumer } from '../support/emulator/lti11';
import { playLaunch } from '../support/learner-play';
import { LtiTestbed, startLtiTestbed } from '../support/platform-emulator';
import { ManualClock } from '../support/manual-clock';
import { GradeDispatcher } from '../../src/grades/grade-dispatcher';

/**
 * LTI 1.1 launches and Basic Outcomes (issue 12) through the platform emulator's 1.1 consumer, which
 * signs with oauth-1.0a and checks the tool's outcome signatures and body hashes with it: the OAuth
 * checks, the customer's licence, the same learner/link/attempt model, and outcomes through the outbox.
 */
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

describe('LTI 1.1 launches and outcomes (real HTTP, emulated LMS)', () => {
  let tb: LtiTestbed;
  let lms: Lti11Consumer;
  let customer: string;
  let credentialId: string;
  const clock = new ManualClock();
  const api = adminApi(() => tb.app);
  const launchUrl = () => `${tb.app.appUrl}/lti/1p1/courses/${tb.courseId}`;
  const attempts = async (): Promise<Array<Record<string, any>>> => (await api('GET', `/api/attempts?courseId=${tb.courseId}`)).body;
  const settled = () => tb.app.server.app.get(GradeDispatcher, { strict: false }).idle();
  const outcome = (res: { status: number; text: string }) => ({ status: res.status, code: errorCode(res) });
  /** The consumer signs with the tool's clock (a ManualClock moved by the outage test). */
  const now = () => Math.floor(clock.now() / 1000);
  const launch = (user: string, link = 'rl-1', extra: Record<string, string | undefined> = {}, sign: Parameters<Lti11Consumer['launch']>[2] = {}) =>
    lms.launch(launchUrl(), lms.launchParams(user, link, extra), { timestamp: now(), ...sign });

  beforeAll(async () => {
    tb = await startLtiTestbed({ clock });
    customer = (await api('POST', '/api/customers', { name: 'Old LMS College' })).body.id as string;
    const created = await api('POST', `/api/customers/${customer}/lti11-credentials`, { label: 'Blackboard 9.1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customerId: customer, label: 'Blackboard 9.1', status: 'active', revokedAt: null, lastUsedAt: null });
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    credentialId = created.body.id as string;
    lms = attachLti11(tb.emu, created.body.consumerKey as string, created.body.secret as string);
    expect((await api('POST', '/api/licences', { customerId: customer, courseId: tb.courseId })).status).toBe(201);
  });

  afterAll(async () => {
    await tb?.close();
  });

  it('should list keys without their secret, keep the secret sealed in the database, and name errors', async () => {
    const list = await api('GET', `/api/customers/${customer}/lti11-credentials`);
    expect(list.body).toEqual([expect.objectContaining({ id: credentialId, consumerKey: lms.key, status: 'active' })]);
    expect(JSON.stringify(list.body)).not.toContain(lms.secret);
    const { DataSource } = await import('typeorm');
    const rows = await tb.app.server.app.get(DataSource).query('SELECT * FROM lti11_credentials');
    expect(JSON.stringify(rows)).not.toContain(lms.secret);
    expect((await api('GET', '/api/customers/nope/lti11-credentials')).body.error).toBe('customer_not_found');
    expect((await api('POST', '/api/customers/nope/lti11-credentials', {})).status).toBe(404);
    expect((await api('POST', `/api/customers/${customer}/lti11-credentials`, { label: 5 })).body.error).toBe('lti11_credential_invalid');
    expect((await api('DELETE', `/api/customers/${customer}/lti11-credentials/nope`)).body.error).toBe('lti11_credential_not_found');
    // the key's platform row is not an LTI 1.3 registration: not listed, not editable
    expect(((await api('GET', '/api/platforms')).body as Array<{ id: string }>).map((p) => p.id)).toEqual([tb.platformId]);
    expect((await api('PATCH', `/api/platforms/${list.body[0].platformId}`, { name: 'x' })).status).toBe(404);
  });

  it('should serve the configuration XML of a course for the customer, without key or secret, whose launch URL works', async () => {
    const res = await fetch(`${tb.app.appUrl}/api/customers/${customer}/lti11-cartridge.xml?courseId=${tb.courseId}`, { headers: tb.app.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const xml = await res.text();
    const { XMLParser, XMLValidator } = await import('fast-xml-parser');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false }).parse(xml).cartridge_basiclti_link;
    expect(doc.launch_url).toBe(launchUrl());
    expect(doc.title).toBe((await api('GET', `/api/courses/${tb.courseId}`)).body.title);
    expect(doc.custom.property).toMatchObject({ '#text': tb.courseId, '@_name': 'course_id' });
    expect(xml).not.toContain(lms.key);
    expect(xml).not.toContain(lms.secret);
    expect((await api('GET', `/api/customers/${customer}/lti11-cartridge.xml`)).body.error).toBe('lti11_cartridge_invalid');
    expect((await api('GET', `/api/customers/${customer}/lti11-cartridge.xml?courseId=nope`)).body.error).toBe('course_not_found');
    expect((await fetch(`${tb.app.appUrl}/api/customers/${customer}/lti11-cartridge.xml?courseId=${tb.courseId}`)).status).toBe(401);
  });

  it('should launch a learner into the player, on the same learner/link/attempt model, and resume the attempt', async () => {
    const lastUsed = async () => ((await api('GET', `/api/customers/${customer}/lti11-credentials`)).body as Array<{ lastUsedAt: string | null }>)[0].lastUsedAt;
    expect(await lastUsed()).toBeNull();
    const usedAt = new Date(clock.now()).toISOString();
    const first = await launch('u-1', 'rl-1');
    expect(outcome(first)).toEqual({ status: 200, code: null });
    expect(await lastUsed()).toBe(usedAt);
    expect(first.text).toContain('data-player-url');
    await playLaunch(tb, first, null);
    const again = await launch('u-1', 'rl-1');
    await playLaunch(tb, again, null);
    const mine = (await attempts()).filter((a) => a.learner.sub === 'u-1');
    expect(mine).toEqual([expect.objectContaining({ number: 1, resourceLinkTitle: 'Week 1 (LTI 1.1)', learner: expect.objectContaining({ name: 'Learner u-1' }) })]);
    // "last used" moves with launches, to the minute (a launch within the minute writes nothing)
    clock.advance(30_000);
    expect(outcome(await launch('u-1', 'rl-1'))).toEqual({ status: 200, code: null });
    expect(await lastUsed()).toBe(usedAt);
    clock.advance(31_000);
    const laterAt = new Date(clock.now()).toISOString();
    expect(outcome(await launch('u-1', 'rl-1'))).toEqual({ status: 200, code: null });
    expect(await lastUsed()).toBe(laterAt);
    // the custom parameter works as in 1.3, on the generic launch URL
    const generic = await lms.launch(`${tb.app.appUrl}/lti/1p1/launch`, lms.launchParams('u-2', 'rl-2', { custom_course_id: tb.courseId }), { timestamp: now() });
    expect(outcome(generic)).toEqual({ status: 200, code: null });
    const none = await lms.launch(`${tb.app.appUrl}/lti/1p1/launch`, lms.launchParams('u-2', 'rl-2'), { timestamp: now() });
    expect(outcome(none)).toEqual({ status: 404, code: 'lti_course_missing' });
  });

  it('should refuse a bad signature, an old or future timestamp, a replayed nonce and bad parameters, creating nothing', async () => {
    const before = (await attempts()).map((x) => x.learner.sub);
    const cases: Array<[string, () => Promise<{ status: number; text: string }>, number, string]> = [
      ['wrong secret', () => launch('x-1', 'rl-x', {}, { secret: 'not-the-secret' }), 401, 'lti11_signature_invalid'],
      ['unknown key', () => launch('x-1', 'rl-x', {}, { key: 'who-is-this' }), 401, 'lti11_consumer_unknown'],
      ['old timestamp', () => launch('x-1', 'rl-x', {}, { timestamp: now() - 301 }), 401, 'lti11_timestamp_invalid'],
      ['future timestamp', () => launch('x-1', 'rl-x', {}, { timestamp: now() + 301 }), 401, 'lti11_timestamp_invalid'],
      ['message type', () => launch('x-1', 'rl-x', { lti_message_type: 'ContentItemSelectionRequest' }), 400, 'lti11_message_type_unsupported'],
      ['version', () => launch('x-1', 'rl-x', { lti_version: 'LTI-2p0' }), 400, 'lti11_version_wrong'],
      ['no resource link', () => launch('x-1', 'rl-x', { resource_link_id: undefined }), 400, 'lti11_resource_link_missing'],
      ['no user', () => launch('x-1', 'rl-x', { user_id: undefined }), 400, 'lti11_user_missing'],
      ['not signed', () => lms.post(launchUrl(), lms.launchParams('x-1', 'rl-x')), 400, 'lti11_params_missing'],
    ];
    for (const [name, run, status, code] of cases) {
      const res = await run();
      expect({ name, ...outcome(res) }).toEqual({ name, status, code });
    }
    // a parameter changed after signing
    const signed = await launch('x-2', 'rl-x');
    expect(outcome(signed).status).toBe(200);
    const tampered = await lms.post(launchUrl(), { ...signed.form, user_id: 'someone-else', oauth_nonce: 'fresh' });
    expect(outcome(tampered)).toEqual({ status: 401, code: 'lti11_signature_invalid' });
    // the same signed form again, and two copies of a new one at once: exactly one goes through
    expect(outcome(await lms.post(launchUrl(), signed.form))).toEqual({ status: 401, code: 'lti11_nonce_replayed' });
    const fresh = await launch('x-3', 'rl-x', {}, { nonce: 'parallel-nonce' });
    expect(outcome(fresh).status).toBe(200);
    const [a, b] = await Promise.all([lms.post(launchUrl(), { ...fresh.form }), lms.post(launchUrl(), { ...fresh.form })]);
    expect([outcome(a).code, outcome(b).code]).toEqual(['lti11_nonce_replayed', 'lti11_nonce_replayed']);
    expect(errorHeading(tampered)).toMatch(/^The signature of this LTI 1.1 launch does not match/);
    expect((await attempts()).filter((x) => x.learner.sub === 'x-1')).toEqual([]);
    expect((await attempts()).map((x) => x.learner.sub).sort()).toEqual([...before, 'x-2', 'x-3'].sort()); // the two that went through, once each
  });

  it('should rate-limit launches per client address like LTI 1.3 logins, before any check, with a readable page', async () => {
    const from = (address: string) =>
      fetch(launchUrl(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': address }, body: 'user_id=x', redirect: 'manual' });
    const statuses: number[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const round = await Promise.all(Array.from({ length: 50 }, () => from('203.0.113.77')));
      statuses.push(...round.map((r) => r.status));
    }
    // the burst of 300 reaches the checks (not signed: 400); the clock stands still, so the next is
    // refused before any check
    expect(statuses).toEqual(Array(300).fill(400));
    const refused = await from('203.0.113.77');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    const page = { text: await refused.text() };
    expect(errorCode(page)).toBe('lti11_launch_rate_limited');
    expect(errorHeading(page)).toMatch(/^Too many launches from your network at once/);
    expect((await from('203.0.113.78')).status).toBe(400); // another address has its own counter
    clock.advance(50); // 20 a second: one more
    expect((await from('203.0.113.77')).status).toBe(400);
    expect((await from('203.0.113.77')).status).toBe(429);
  });

  it('should obey the customer and the licence exactly as LTI 1.3 launches do, with the same pages', async () => {
    const licenceId = ((await api('GET', `/api/licences?customerId=${customer}`)).body as Array<{ id: string }>)[0].id;
    const before = (await attempts()).map((a) => a.id).sort();
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['licence', { state: 'suspended' }, 'lti_licence_suspended', /^This course is not available right now: the course provider has paused your organisation’s access to it\./],
      ['licence', { state: 'revoked' }, 'lti_licence_revoked', /^This course is no longer available here/],
      ['licence', { state: 'active', startsAt: '2099-03-01T09:00:00Z' }, 'lti_licence_not_started', /^This course opens on 1 March 2099/],
      ['licence', { startsAt: null, endsAt: '2020-01-31T17:30:00Z' }, 'lti_licence_expired', /^This course is no longer available here: your organisation’s access ended on 31 January 2020/],
      ['licence', { endsAt: null, seatLimit: 1 }, 'lti_licence_seats_full', /^This course has no free place for you/],
      ['customer', { state: 'suspended' }, 'lti_customer_suspended', /^This course is not available right now: your organisation’s access has been paused/],
    ];
    for (const [what, patch, code, words] of cases) {
      const path = what === 'licence' ? `/api/licences/${licenceId}` : `/api/customers/${customer}`;
      expect((await api('PATCH', path, patch)).status).toBe(200);
      const res = await launch('new-learner', 'rl-1');
      expect({ patch, ...outcome(res) }).toEqual({ patch, status: 403, code });
      expect(errorHeading(res)).toMatch(words);
    }
    // the instructor's wording
    const teacher = await launch('t-1', 'rl-1', { roles: 'Instructor' });
    expect(errorHeading(teacher)).toMatch(/^Launches from this LMS are paused: the course provider has suspended the customer "Old LMS College"/);
    expect((await attempts()).map((a) => a.id).sort()).toEqual(before);
    await api('PATCH', `/api/customers/${customer}`, { state: 'active' });
    // a seat holder keeps access when the licence is full; the newcomer does not
    expect(outcome(await launch('u-1', 'rl-1'))).toEqual({ status: 200, code: null });
    expect(outcome(await launch('new-learner', 'rl-1')).code).toBe('lti_licence_seats_full');
    await api('PATCH', `/api/licences/${licenceId}`, { seatLimit: null });
  });

  it('should send an instructor to the instructor view, with a preview attempt and no outcome', async () => {
    const res = await launch('t-1', 'rl-1', { roles: 'urn:lti:role:ims/lis/Instructor' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-instructor-url');
    const view = await (await fetch(/data-instructor-url="([^"]+)"/.exec(res.text)![1].replace(/&amp;/g, '&'))).text();
    expect(view).toContain('Learner u-1');
    expect((await attempts()).filter((a) => a.learner.sub === 't-1')).toEqual([expect.objectContaining({ preview: true })]);
  });

  it('should send the final result through Basic Outcomes (signed, with the body hash), retry it through an outage, and resend it from the API', async () => {
    const first = await launch('o-1', 'rl-out');
    await playLaunch(tb, first, { status: 'passed', raw: 80 });
    await settled();
    expect(lms.outcomeRequests.map((r) => ({ verified: r.verified, why: r.why, sourcedId: r.sourcedId, score: r.score }))).toEqual([{ verified: true, why: null, sourcedId: 'sourced-rl-out-o-1', score: '0.8' }]);
    expect(lms.gradebook.get('sourced-rl-out-o-1')).toBe('0.8');
    const delivery = async () => (await attempts()).find((a) => a.learner.sub === 'o-1')!.gradeDelivery;
    expect(await delivery()).toMatchObject({ kind: 'lti11', state: 'sent', lastError: null, tries: 1 });

    // an incomplete result sends nothing (Basic Outcomes carries a final score only)
    const pending = await launch('o-2', 'rl-out');
    await playLaunch(tb, pending, { status: 'incomplete' });
    await settled();
    expect(lms.outcomeRequests.filter((r) => r.sourcedId === 'sourced-rl-out-o-2')).toEqual([]);

    // an outage: 503 twice, then through, with the same retries as AGS
    tb.emu.failNext(2, 503, '/outcomes');
    const second = await launch('o-3', 'rl-out');
    await playLaunch(tb, second, { status: 'completed' });
    await settled();
    const mine = async () => (await attempts()).find((a) => a.learner.sub === 'o-3')!.gradeDelivery;
    expect(await mine()).toMatchObject({ kind: 'lti11', state: 'retry', tries: 1, lastStatus: 503 });
    clock.advance(3_000);
    await settled();
    expect(await mine()).toMatchObject({ state: 'retry', tries: 2 });
    clock.advance(6_000);
    await settled();
    expect(await mine()).toMatchObject({ state: 'sent', tries: 3, lastError: null });
    expect(lms.gradebook.get('sourced-rl-out-o-3')).toBe('1');

    // the console's resend sends it again, signed afresh
    const count = lms.outcomeRequests.length;
    const resent = await api('POST', `/api/grade-deliveries/${(await delivery()).id}/resend`);
    expect(resent.status).toBe(200);
    clock.advance(2_000);
    await settled();
    expect(lms.outcomeRequests.slice(count)).toEqual([expect.objectContaining({ verified: true, sourcedId: 'sourced-rl-out-o-1', score: '0.8' })]);
    expect(await delivery()).toMatchObject({ state: 'sent' });
  });

  it('should carry a 1.1 learner’s progress, grade and seat over to 1.3 launches with the lti1p1 claim, and refuse a bad oauth_consumer_key_sign', async () => {
    // progress under LTI 1.1: an open attempt with a location and suspend data
    const old = await launch('m-1', 'rl-mig');
    await playLaunch(tb, old, { status: 'incomplete' }, { location: 'page-7', suspendData: 'bookmark-42', terminate: false });
    const byLearner = async (sub: string) => (await attempts()).filter((a) => a.learner.sub === sub);
    const [attempt] = await byLearner('m-1');
    const licenceId = ((await api('GET', `/api/licences?customerId=${customer}`)).body as Array<{ id: string }>)[0].id;
    const seats = async () => (await api('GET', `/api/licences/${licenceId}`)).body.seatsUsed as number;
    const seatsBefore = await seats();

    // the LMS moves to LTI 1.3: its registration belongs to the same customer
    expect((await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId: customer })).status).toBe(200);
    const launch13 = (sub: string, link: string, lti1p1: Record<string, string | undefined>, claims: Record<string, unknown> = {}) =>
      tb.emu.launch({
        toolUrl: tb.app.appUrl,
        courseId: tb.courseId,
        claims: { sub, [`${LTI}resource_link`]: { id: link, title: 'Week 1 (LTI 1.3)' }, [`${LTI}roles`]: [LEARNER], ...claims },
        lti1p1: { consumerKey: lms.key, secret: lms.secret, ...lti1p1 },
      });
    const forged = await launch13('lms13-m1', 'rl-mig', { userId: 'm-1', forgeSign: 'lWd54kFo5qU7xshAna6v8BwoBm6tmUjc6GTax6+12ps=' });
    expect(outcome(forged)).toEqual({ status: 401, code: 'lti_migration_signature_invalid' });
    const wrongSecret = await launch13('lms13-m1', 'rl-mig', { userId: 'm-1', secret: 'an-old-secret' });
    expect(outcome(wrongSecret)).toEqual({ status: 401, code: 'lti_migration_signature_invalid' });
    expect(await byLearner('m-1')).toEqual([attempt]);
    expect(await byLearner('lms13-m1')).toEqual([]);

    // a good claim: the same attempt resumes, at the same place, under the 1.3 user
    const now13 = await launch13('lms13-m1', 'rl-mig', { userId: 'm-1' });
    expect(outcome(now13)).toEqual({ status: 200, code: null });
    const state = await playLaunch(tb, now13, null);
    expect(JSON.stringify(state)).toContain('page-7');
    expect(JSON.stringify(state)).toContain('bookmark-42');
    expect(await byLearner('m-1')).toEqual([]);
    expect((await byLearner('lms13-m1')).map((a) => ({ id: a.id, number: a.number, title: a.resourceLinkTitle }))).toEqual([{ id: attempt.id, number: 1, title: 'Week 1 (LTI 1.3)' }]);
    expect(await seats()).toBe(seatsBefore); // the seat moved with the learner: no second one

    // a learner whose grade went back through Basic Outcomes keeps it (Canvas names the 1.1 user in its own claim)
    const graded = (await byLearner('o-1'))[0];
    const canvas = await launch13('canvas-o1', 'rl-out', { userId: undefined }, { [`${LTI}lti11_legacy_user_id`]: 'o-1' });
    expect(outcome(canvas)).toEqual({ status: 200, code: null });
    expect((await byLearner('canvas-o1')).map((a) => ({ id: a.id, delivery: a.gradeDelivery?.state }))).toEqual([{ id: graded.id, delivery: 'sent' }]);

    // a claim naming a key of no customer of this LMS maps nothing and refuses nothing
    const stranger = await tb.emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, claims: { sub: 'lms13-x', [`${LTI}roles`]: [LEARNER] }, lti1p1: { consumerKey: 'someone-elses', secret: 'x', userId: 'u-1' } });
    expect(outcome(stranger)).toEqual({ status: 200, code: null });
    expect((await byLearner('u-1')).length).toBe(1);
  });

  it('should refuse a revoked key’s launches and keep its learners’ records', async () => {
    const before = await attempts();
    const revoked = await api('DELETE', `/api/customers/${customer}/lti11-credentials/${credentialId}`);
    expect(revoked.body).toMatchObject({ status: 'revoked' });
    expect(outcome(await launch('u-1', 'rl-1'))).toEqual({ status: 401, code: 'lti11_consumer_revoked' });
    expect(await attempts()).toEqual(before);
  });
});
