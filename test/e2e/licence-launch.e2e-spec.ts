import { adminApi } from '../support/admin-api';
import { errorCode, errorHeading } from '../support/error-page';
import { buildFixtureZip } from '../support/scorm-package.builder';
import { LaunchOptions, LaunchResult, LtiTestbed, parseAutoPost, PlatformEmulator, startLtiTestbed } from '../support/platform-emulator';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const INSTRUCTOR = { [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'] };

const code = errorCode;
const heading = errorHeading;

function outcome(res: LaunchResult): { status: number | 'ok'; code: string | null } {
  return { status: res.status < 400 ? 'ok' : res.status, code: code(res) };
}

const OK = { status: 'ok', code: null };

/**
 * The licence rules at launch and in Deep Linking (issue 9), through two emulated LMSs of two
 * customers: which courses each may see and open, every licence state and date, seats (concurrent
 * first launches, lowering the limit, seat holders when full), and that refusals change nothing.
 */
describe('Licences at launch and in Deep Linking (real HTTP, two emulated LMSs)', () => {
  let tb: LtiTestbed;
  let lmsB: PlatformEmulator;
  let courseX: string;
  let courseY: string;
  let acme: string;
  let beta: string;
  const api = adminApi(() => tb.app);

  const launchA = (sub: string, course: string, o: Partial<LaunchOptions> = {}) => tb.emu.launch({ toolUrl: tb.app.appUrl, courseId: course, claims: { sub, ...o.claims }, ...withoutClaims(o) });
  const launchB = (sub: string, course: string, o: Partial<LaunchOptions> = {}) => lmsB.launch({ toolUrl: tb.app.appUrl, courseId: course, claims: { sub, ...o.claims }, ...withoutClaims(o) });
  const attempts = async (course: string): Promise<Array<{ id: string; learner: { sub: string } }>> => (await api('GET', `/api/attempts?courseId=${course}`)).body;
  const licence = async (body: Record<string, unknown>): Promise<string> => {
    const res = await api('POST', '/api/licences', body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const seats = async (id: string): Promise<{ seatsUsed: number; status: string; warnings: string[] }> => {
    const { seatsUsed, status, warnings } = (await api('GET', `/api/licences/${id}`)).body;
    return { seatsUsed, status, warnings };
  };

  beforeAll(async () => {
    tb = await startLtiTestbed();
    courseX = tb.courseId;
    const form = new FormData();
    form.append('package', new Blob([new Uint8Array(await buildFixtureZip('scorm12-multi-sco'))], { type: 'application/zip' }), 'y.zip');
    courseY = ((await (await fetch(`${tb.app.appUrl}/api/courses`, { method: 'POST', headers: tb.app.auth, body: form })).json()) as { id: string }).id;
    lmsB = await PlatformEmulator.start({ clientId: 'lms-b-client', toolUrl: tb.app.appUrl });
  });

  afterAll(async () => {
    await lmsB?.stop();
    await tb?.close();
  });

  it('should launch every course without any licence while no customer exists (a single-organisation install)', async () => {
    expect(outcome(await launchA('solo', courseX))).toEqual(OK);
    expect(outcome(await launchA('solo', courseY))).toEqual(OK);
    acme = (await api('POST', '/api/customers', { name: 'Acme Training' })).body.id as string;
    beta = (await api('POST', '/api/customers', { name: 'Beta College' })).body.id as string;
    expect((await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId: acme })).status).toBe(200);
    expect((await api('POST', '/api/platforms', lmsB.registrationBody({ name: 'LMS B', customerId: beta }))).status).toBe(201);
  });

  it('should refuse a course the customer has no licence for, worded for learner and instructor, creating nothing', async () => {
    const before = (await attempts(courseX)).length;
    const learner = await launchA('a-1', courseX);
    expect(outcome(learner)).toEqual({ status: 403, code: 'lti_licence_missing' });
    expect(heading(learner)).toBe('This course is not part of your organisation’s licence with the course provider, so it cannot be opened here. Please let your teacher or training contact know.');
    const instructor = await launchA('t-1', courseX, { claims: INSTRUCTOR });
    expect(outcome(instructor)).toEqual({ status: 403, code: 'lti_licence_missing' });
    expect(heading(instructor)).toMatch(/^Your organisation has no licence for this course on the course provider’s tool, so learners cannot open it\. Ask the course provider to license it/);
    expect((await attempts(courseX)).length).toBe(before);
  });

  it('should let each customer’s LMS see in Deep Linking and open only the courses licensed to it', async () => {
    const ax = await licence({ customerId: acme, courseId: courseX });
    const by = await licence({ customerId: beta, courseId: courseY });
    expect(await pickerCourses(tb.emu)).toEqual([courseX]);
    expect(await pickerCourses(lmsB)).toEqual([courseY]);
    expect(outcome(await launchA('a-1', courseX))).toEqual(OK);
    expect(outcome(await launchA('a-1', courseY))).toEqual({ status: 403, code: 'lti_licence_missing' });
    expect(outcome(await launchB('b-1', courseY))).toEqual(OK);
    expect(outcome(await launchB('b-1', courseX))).toEqual({ status: 403, code: 'lti_licence_missing' });
    // a course id forged into the picker's answer is refused with a page, and nothing goes back to the LMS
    const returns = tb.emu.deepLinkReturns.length;
    const forged = await pickerAnswer(tb.emu, courseY);
    expect({ status: forged.status, code: code(forged) }).toEqual({ status: 403, code: 'lti_licence_missing' });
    expect(tb.emu.deepLinkReturns.length).toBe(returns);
    expect(parseAutoPost((await pickerAnswer(tb.emu, courseX)).text)?.action).toBe(`${tb.emu.url}/deep-linking/return`);
    // an every-course licence opens the whole catalogue
    const all = await licence({ customerId: acme });
    expect(await pickerCourses(tb.emu)).toEqual([courseX, courseY].sort());
    expect(outcome(await launchA('a-1', courseY))).toEqual(OK);
    for (const id of [ax, by, all]) {
      expect((await api('DELETE', `/api/licences/${id}`)).status).toBe(204);
    }
    // deleting a licence keeps the seats its learners took
    expect(outcome(await launchA('a-1', courseX))).toEqual({ status: 403, code: 'lti_licence_missing' });
    const again = await licence({ customerId: acme, courseId: courseX, seatLimit: 1 });
    expect(await seats(again)).toEqual({ seatsUsed: 1, status: 'seats_full', warnings: ['seats_full'] });
    await api('DELETE', `/api/licences/${again}`);
  });

  it('should refuse each licence state and date with its own page, list nothing in Deep Linking, and let in once usable', async () => {
    const id = await licence({ customerId: beta, courseId: courseX, state: 'suspended' });
    const cases: Array<[Record<string, unknown>, string, RegExp, RegExp]> = [
      [{ state: 'suspended' }, 'lti_licence_suspended', /^This course is not available right now: the course provider has paused your organisation’s access to it\. Your progress is kept\./, /^The course provider has suspended your organisation’s licence for this course/],
      [{ state: 'revoked' }, 'lti_licence_revoked', /^This course is no longer available here: the course provider has withdrawn your organisation’s access to it\. Your progress is kept\./, /^The course provider has revoked your organisation’s licence for this course/],
      [{ state: 'active', startsAt: '2099-03-01T09:00:00Z' }, 'lti_licence_not_started', /^This course opens on 1 March 2099, 09:00 UTC, when your organisation’s access starts\./, /^Your organisation’s licence for this course starts on 1 March 2099, 09:00 UTC/],
      [{ startsAt: null, endsAt: '2020-01-31T17:30:00Z' }, 'lti_licence_expired', /^This course is no longer available here: your organisation’s access ended on 31 January 2020, 17:30 UTC\. Your progress is kept\./, /^Your organisation’s licence for this course ended on 31 January 2020, 17:30 UTC/],
    ];
    for (const [patch, errorCode, learnerWords, instructorWords] of cases) {
      expect((await api('PATCH', `/api/licences/${id}`, patch)).status).toBe(200);
      const learner = await launchB('b-2', courseX);
      expect({ patch, ...outcome(learner) }).toEqual({ patch, status: 403, code: errorCode });
      expect(heading(learner)).toMatch(learnerWords);
      const instructor = await launchB('t-2', courseX, { claims: INSTRUCTOR });
      expect({ patch, ...outcome(instructor) }).toEqual({ patch, status: 403, code: errorCode });
      expect(heading(instructor)).toMatch(instructorWords);
      expect(await pickerCourses(lmsB)).toEqual([]);
    }
    expect((await attempts(courseX)).filter((a) => a.learner.sub === 'b-2')).toEqual([]);
    expect((await api('PATCH', `/api/licences/${id}`, { endsAt: new Date(Date.now() + 24 * 3600 * 1000).toISOString() })).body).toMatchObject({ status: 'usable', warnings: ['ending_soon'] });
    expect(outcome(await launchB('b-2', courseX))).toEqual(OK);
    expect(await pickerCourses(lmsB)).toEqual([courseX]);
    await api('DELETE', `/api/licences/${id}`);
  });

  it('should keep learners’ attempts and seats through suspension and revocation, and resume the same attempt after', async () => {
    const id = await licence({ customerId: beta, courseId: courseY, seatLimit: 10 });
    expect(outcome(await launchB('keeper', courseY))).toEqual(OK);
    const mine = async () => (await attempts(courseY)).filter((a) => a.learner.sub === 'keeper').map((a) => a.id);
    const before = await mine();
    expect(before).toHaveLength(1);
    const used = (await seats(id)).seatsUsed; // keeper's, and b-1's from the earlier test
    expect(used).toBe(2);
    for (const state of ['suspended', 'revoked'] as const) {
      await api('PATCH', `/api/licences/${id}`, { state });
      expect(code(await launchB('keeper', courseY))).toBe(`lti_licence_${state}`);
      expect(await mine()).toEqual(before);
      expect((await seats(id)).seatsUsed).toBe(used);
    }
    await api('PATCH', `/api/licences/${id}`, { state: 'active' });
    expect(outcome(await launchB('keeper', courseY))).toEqual(OK);
    expect(await mine()).toEqual(before);
    await api('DELETE', `/api/licences/${id}`);
  });

  it('should give exactly `limit` seats to concurrent first launches, keep seat holders in when full, and keep seats when the limit is lowered', async () => {
    const customer = (await api('POST', '/api/customers', { name: 'Gamma Seats' })).body.id as string;
    const lmsC = await PlatformEmulator.start({ clientId: 'lms-c-client', toolUrl: tb.app.appUrl });
    try {
      expect((await api('POST', '/api/platforms', lmsC.registrationBody({ name: 'LMS C', customerId: customer }))).status).toBe(201);
      const launchC = (sub: string, course = courseX, o: Partial<LaunchOptions> = {}) => lmsC.launch({ toolUrl: tb.app.appUrl, courseId: course, claims: { sub, ...o.claims }, ...withoutClaims(o) });
      const id = await licence({ customerId: customer, courseId: courseX, seatLimit: 3 });
      // the LMS's resource link is new too: the concurrent launches also race to create it
      const subs = Array.from({ length: 9 }, (_, i) => `c-${i}`);
      const results = await Promise.all(subs.map((sub) => launchC(sub)));
      const admitted = subs.filter((_, i) => outcome(results[i]).code === null);
      expect(results.map((r) => outcome(r)).filter((o) => o.code !== null)).toEqual(Array.from({ length: 6 }, () => ({ status: 403, code: 'lti_licence_seats_full' })));
      expect(admitted).toHaveLength(3);
      expect(await seats(id)).toEqual({ seatsUsed: 3, status: 'seats_full', warnings: ['seats_full'] });
      const learner = results.find((r) => code(r) !== null) as LaunchResult;
      expect(heading(learner)).toBe('This course has no free place for you: every place your organisation has for it is taken. Please let your teacher or training contact know.');
      expect(heading(await launchC('t-c', courseX, { claims: INSTRUCTOR }))).toMatch(/^Every seat of your organisation’s licence for this course is taken/);
      // only the admitted learners have attempts
      expect((await attempts(courseX)).map((a) => a.learner.sub).filter((s) => s.startsWith('c-')).sort()).toEqual([...admitted].sort());
      // a seat holder keeps access when the licence is full, and after the limit is lowered below the seats used
      expect(outcome(await launchC(admitted[0]))).toEqual(OK);
      expect((await api('PATCH', `/api/licences/${id}`, { seatLimit: 1 })).body).toMatchObject({ seatLimit: 1, seatsUsed: 3, status: 'seats_full' });
      for (const sub of admitted) {
        expect(outcome(await launchC(sub))).toEqual(OK);
      }
      expect(code(await launchC('c-new'))).toBe('lti_licence_seats_full');
      // raising it to 4 lets exactly one more in
      expect((await api('PATCH', `/api/licences/${id}`, { seatLimit: 4 })).body).toMatchObject({ seatsUsed: 3, status: 'usable', warnings: [] });
      const more = await Promise.all(['c-new', 'c-newer'].map((sub) => launchC(sub)));
      expect(more.map((r) => code(r)).sort()).toEqual([null, 'lti_licence_seats_full'].sort());
      expect(await seats(id)).toEqual({ seatsUsed: 4, status: 'seats_full', warnings: ['seats_full'] });

      // the most generous licence applies: an unlimited every-course licence lets new learners in beside the full one
      const all = await licence({ customerId: customer, seatLimit: null });
      expect(outcome(await launchC('c-extra'))).toEqual(OK);
      expect((await seats(id)).seatsUsed).toBe(5);
      await api('PATCH', `/api/licences/${all}`, { state: 'suspended' });
      expect(code(await launchC('c-late'))).toBe('lti_licence_seats_full');
      await api('DELETE', `/api/licences/${all}`);
    } finally {
      await lmsC.stop();
    }
  });

  it('should count a learner once across the catalogue under an every-course limit', async () => {
    const customer = (await api('POST', '/api/customers', { name: 'Delta Catalogue' })).body.id as string;
    const lmsD = await PlatformEmulator.start({ clientId: 'lms-d-client', toolUrl: tb.app.appUrl });
    try {
      expect((await api('POST', '/api/platforms', lmsD.registrationBody({ name: 'LMS D', customerId: customer }))).status).toBe(201);
      const launchD = (sub: string, course: string) => lmsD.launch({ toolUrl: tb.app.appUrl, courseId: course, claims: { sub } });
      const id = await licence({ customerId: customer, seatLimit: 2 });
      expect(outcome(await launchD('d-1', courseX))).toEqual(OK);
      expect(outcome(await launchD('d-1', courseY))).toEqual(OK);
      expect(await seats(id)).toEqual({ seatsUsed: 1, status: 'usable', warnings: [] });
      expect(outcome(await launchD('d-2', courseY))).toEqual(OK);
      expect(await seats(id)).toEqual({ seatsUsed: 2, status: 'seats_full', warnings: ['seats_full'] });
      expect(code(await launchD('d-3', courseX))).toBe('lti_licence_seats_full');
      // d-2, already counted, opens another course of the catalogue though the licence is full
      expect(outcome(await launchD('d-2', courseX))).toEqual(OK);
      expect((await seats(id)).seatsUsed).toBe(2);
      // the API's per-course view: X counts d-1 and d-2
      const courseLicence = await licence({ customerId: customer, courseId: courseX, seatLimit: 10 });
      expect(await seats(courseLicence)).toEqual({ seatsUsed: 2, status: 'usable', warnings: [] });
    } finally {
      await lmsD.stop();
    }
  });

  /** The course ids the emulated LMS's Deep Linking picker offers (sorted). */
  async function pickerCourses(lms: PlatformEmulator): Promise<string[]> {
    const res = await lms.launch({ toolUrl: tb.app.appUrl, messageType: 'deep-linking' });
    expect(res.status).toBe(200);
    return [...res.text.matchAll(/name="course_id" value="([^"]+)"/g)].map((m) => m[1]).sort();
  }

  /** Opens the picker and answers it with this course id, listed or not (a forged form). */
  async function pickerAnswer(lms: PlatformEmulator, courseId: string): Promise<{ status: number; text: string }> {
    const res = await lms.launch({ toolUrl: tb.app.appUrl, messageType: 'deep-linking' });
    const session = /name="session" value="([^"]+)"/.exec(res.text)?.[1] as string;
    const answer = await fetch(`${tb.app.appUrl}/lti/deep-linking/respond`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ session, course_id: courseId, action: 'add' }),
    });
    return { status: answer.status, text: await answer.text() };
  }
});

function withoutClaims(o: Partial<LaunchOptions>): Partial<LaunchOptions> {
  const { claims: _claims, ...rest } = o;
  return rest;
}
