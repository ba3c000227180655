import { adminSend, importCourseCopy, playAs, ScoOutcome } from '../support/learner-play';
import { attachNrps, instructorMember, learnerMember } from '../support/emulator-nrps';
import { PlatformEmulator, startLtiTestbed, LtiTestbed } from '../support/platform-emulator';
import { DataSource } from 'typeorm';
import { RosterService } from '../../src/roster/roster.service';
import { LicencesService } from '../../src/licences/licences.service';
import { ReportsRepository } from '../../src/reports/reports.repository';
import { ReportsService } from '../../src/reports/reports.service';

/** A learner whose name a spreadsheet would run as a formula if the CSV did not defuse it. */
const FORMULA_NAME = "=HYPERLINK(\"http://evil.test\",\"x\")";

/**
 * Reports per customer and per course (issue 9), end to end: two customers, each with its own LMS
 * (two platform emulators), learners launching through LTI and committing through the runtime API,
 * and every figure of the reports checked against those commits.
 */
describe('Reports per customer and per course (real HTTP, two LMSs, SQLite or PostgreSQL)', () => {
  let tb: LtiTestbed;
  let lmsB: PlatformEmulator;
  let customerA: string;
  let customerB: string;
  let courseX: string;
  let courseY: string;

  async function api(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string; headers: Headers }> {
    const res = await fetch(`${tb.app.appUrl}${path}`, { headers: { ...tb.app.auth, ...headers } });
    // the BOM kept, to see what a spreadsheet gets
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, body, text, headers: res.headers };
  }

  const send = (method: string, path: string, body: unknown) => adminSend(tb, method, path, body);
  const play = (lms: PlatformEmulator, courseId: string, sub: string, name: string, outcome: ScoOutcome, opts: { instructor?: boolean } = {}) =>
    playAs(tb, lms, courseId, { sub, name, ...opts }, outcome);

  beforeAll(async () => {
    tb = await startLtiTestbed();
    courseX = tb.courseId;
    await send('PATCH', `/api/courses/${courseX}`, { title: 'Course X' });
    courseY = await importCourseCopy(tb, 'Course Y');
    customerA = (await send('POST', '/api/customers', { name: 'Acme, "North"' })).id;
    customerB = (await send('POST', '/api/customers', { name: 'Beta College' })).id;
    await send('PATCH', `/api/platforms/${tb.platformId}`, { customerId: customerA });
    // A: course X for 10 learners until 10 days from now (ending soon), course Y unlimited; B: every course, and course Y of its own (unused)
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
    await send('POST', '/api/licences', { customerId: customerA, courseId: courseX, seatLimit: 10, endsAt: soon });
    await send('POST', '/api/licences', { customerId: customerA, courseId: courseY });
    await send('POST', '/api/licences', { customerId: customerB, courseId: null });
    await send('POST', '/api/licences', { customerId: customerB, courseId: courseY, seatLimit: 5 });
    lmsB = await PlatformEmulator.start({ clientId: 'lms-b-client', toolUrl: tb.app.appUrl });
    await send('POST', '/api/platforms', lmsB.registrationBody({ name: 'LMS B', customerId: customerB }));
    // Both LMSs offer NRPS for the launches' context (ctx-0001), where courses X and Y are placed:
    // A's roster has greg (never starts), an instructor and an inactive learner besides those who play; B's has hank (never starts).
    attachNrps(tb.emu).setMembers('ctx-0001', [
      ...['alice', 'bob', 'carol', 'greg'].map((u) => learnerMember(u, `${u} A`)),
      instructorMember('teacher', 'Teacher A'),
      learnerMember('ivy', 'Ivy A', { status: 'Inactive' }),
    ]);
    attachNrps(lmsB).setMembers('ctx-0001', ['dave', 'erin', 'alice', 'frank', 'hank'].map((u) => learnerMember(u, `${u} B`)));

    // Customer A's LMS: three learners on course X, one of them on course Y too, and an instructor's preview.
    await play(tb.emu, courseX, 'alice', 'Alice A', { status: 'passed', raw: 90 });
    await play(tb.emu, courseX, 'bob', 'Bob A', { status: 'failed', raw: 40 });
    await play(tb.emu, courseX, 'carol', FORMULA_NAME, { status: 'incomplete' });
    await play(tb.emu, courseY, 'alice', 'Alice A', { status: 'completed' });
    await play(tb.emu, courseX, 'teacher', 'Teacher A', { status: 'passed', raw: 100 }, { instructor: true });
    // Customer B's LMS: course X only; its "alice" is another person (another LMS).
    await play(lmsB, courseX, 'dave', 'Dave B', { status: 'passed', raw: 70 });
    await play(lmsB, courseX, 'erin', 'Erin B', { status: 'passed', raw: 100 });
    await play(lmsB, courseX, 'alice', 'Alice B', { status: 'failed', raw: 20 });
    await play(lmsB, courseX, 'frank', 'Frank B', null);
    await tb.app.server.app.get(RosterService).idle(); // the rosters are fetched after the launches
  }, 60_000);

  afterAll(async () => {
    await lmsB?.stop();
    await tb?.close();
  });

  const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  it("should report a customer's totals and courses from its own learners' commits only", async () => {
    const a = await api(`/api/customers/${customerA}/report`);
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      customerId: customerA,
      name: 'Acme, "North"',
      state: 'active',
      // alice, bob, carol; the instructor's preview is not counted
      totals: { learners: 3, attempts: 4, completions: 3, passed: 1, failed: 1, passRate: 0.5, averageScore: 0.65, lastActivityAt: iso, enrolledNotStarted: 4 },
      // the licences as the licences API shows them, seats and warnings included
      // (ordered by course title: Course X, then Course Y)
      licences: ((await api(`/api/licences?customerId=${customerA}`)).body as Array<{ courseId: string }>).sort((x, y) => Number(y.courseId === courseX) - Number(x.courseId === courseX)),
      courses: [
        // greg has not started X; bob, carol and greg have not started Y (the instructor and the inactive ivy are not counted)
        { courseId: courseX, title: 'Course X', learners: 3, attempts: 3, completions: 2, passed: 1, failed: 1, passRate: 0.5, averageScore: 0.65, lastActivityAt: iso, enrolledNotStarted: 1 },
        { courseId: courseY, title: 'Course Y', learners: 1, attempts: 1, completions: 1, passed: 0, failed: 0, passRate: null, averageScore: null, lastActivityAt: iso, enrolledNotStarted: 3 },
      ],
    });
    const b = await api(`/api/customers/${customerB}/report`);
    expect(b.body.totals).toEqual({ learners: 4, attempts: 4, completions: 3, passed: 2, failed: 1, passRate: 0.6667, averageScore: 0.6333, lastActivityAt: iso, enrolledNotStarted: 1 });
    // course Y is licensed to B on its own: listed although none of B's learners opened it
    // (Y is placed in no context of B's LMS: no roster, so "enrolled, not started" is unknown there)
    expect(b.body.courses.map((c: { courseId: string; attempts: number; learners: number; enrolledNotStarted: number | null }) => [c.courseId, c.learners, c.attempts, c.enrolledNotStarted])).toEqual([
      [courseX, 4, 4, 1],
      [courseY, 0, 0, null],
    ]);
    const bLicences = b.body.licences.map((l: { courseId: string | null; seatLimit: number | null }) => [l.courseId, l.seatLimit]);
    expect(bLicences).toEqual([
      [null, null], // every course first
      [courseY, 5],
    ]);
    expect(a.body.licences.find((l: { courseId: string }) => l.courseId === courseX)).toMatchObject({ seatLimit: 10, warnings: ['ending_soon'] });
  });

  it("should never count another customer's learners: each report's learners are exactly the attempts list of that customer", async () => {
    for (const [customerId, subs] of [
      [customerA, ['alice', 'bob', 'carol']],
      [customerB, ['alice', 'dave', 'erin', 'frank']],
    ] as const) {
      const list = await api(`/api/attempts?courseId=${courseX}&customerId=${customerId}&previews=false`);
      expect(list.status).toBe(200);
      const learners = (list.body as Array<{ learner: { id: string; sub: string } }>).map((r) => r.learner);
      expect(learners.map((l) => l.sub).sort()).toEqual([...subs]);
      const report = (await api(`/api/customers/${customerId}/report`)).body;
      expect(report.courses.find((c: { courseId: string }) => c.courseId === courseX).learners).toBe(new Set(learners.map((l) => l.id)).size);
      // the report's last activity is the latest of the attempts' own
      const last = (list.body as Array<{ lastActivityAt: string }>).map((r) => r.lastActivityAt).sort().pop();
      expect(report.courses.find((c: { courseId: string }) => c.courseId === courseX).lastActivityAt).toBe(last);
    }
    // the two "alice"s are two learners of two LMSs: each customer's list holds its own
    const aliceA = (await api(`/api/attempts?courseId=${courseX}&customerId=${customerA}`)).body.find((r: any) => r.learner.sub === 'alice');
    const aliceB = (await api(`/api/attempts?courseId=${courseX}&customerId=${customerB}`)).body.find((r: any) => r.learner.sub === 'alice');
    expect([aliceA.learner.name, aliceA.success, aliceB.learner.name, aliceB.success]).toEqual(['Alice A', 'passed', 'Alice B', 'failed']);
  });

  it('should list every customer and every course with their figures', async () => {
    const customers = await api('/api/reports/customers');
    expect(customers.status).toBe(200);
    expect(customers.body).toEqual([
      { customerId: customerA, name: 'Acme, "North"', state: 'active', courses: 2, licences: 2, licenceWarnings: 1, learners: 3, attempts: 4, completions: 3, passed: 1, failed: 1, passRate: 0.5, averageScore: 0.65, lastActivityAt: iso, enrolledNotStarted: 4 },
      { customerId: customerB, name: 'Beta College', state: 'active', courses: 1, licences: 2, licenceWarnings: 0, learners: 4, attempts: 4, completions: 3, passed: 2, failed: 1, passRate: 0.6667, averageScore: 0.6333, lastActivityAt: iso, enrolledNotStarted: 1 },
    ]);
    const courses = await api('/api/reports/courses');
    expect(courses.body).toEqual([
      // scores 0.9, 0.4, 0.7, 1, 0.2 → 0.64; passed 3 of 5 with a success status
      { courseId: courseX, title: 'Course X', customers: 2, learners: 7, attempts: 7, completions: 5, passed: 3, failed: 2, passRate: 0.6, averageScore: 0.64, lastActivityAt: iso, enrolledNotStarted: 2 },
      { courseId: courseY, title: 'Course Y', customers: 1, learners: 1, attempts: 1, completions: 1, passed: 0, failed: 0, passRate: null, averageScore: null, lastActivityAt: iso, enrolledNotStarted: 3 },
    ]);
    const x = await api(`/api/reports/courses/${courseX}`);
    expect(x.body).toEqual({
      courseId: courseX,
      title: 'Course X',
      totals: courses.body[0],
      customers: [
        { customerId: customerA, name: 'Acme, "North"', learners: 3, attempts: 3, completions: 2, passed: 1, failed: 1, passRate: 0.5, averageScore: 0.65, lastActivityAt: iso, enrolledNotStarted: 1 },
        { customerId: customerB, name: 'Beta College', learners: 4, attempts: 4, completions: 3, passed: 2, failed: 1, passRate: 0.6667, averageScore: 0.6333, lastActivityAt: iso, enrolledNotStarted: 1 },
      ],
    });
  });

  it('should answer each view as CSV, quoted and safe from spreadsheet formulas', async () => {
    const report = await api(`/api/customers/${customerA}/report?format=csv`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(report.headers.get('content-disposition')).toBe('attachment; filename="Acme_North_-report.csv"');
    const json = (await api(`/api/customers/${customerA}/report`)).body;
    expect(report.text).toBe(
      '\uFEFFcustomer,course_id,course,learners,attempts,completions,passed,failed,pass_rate_percent,average_score_percent,last_activity_at,enrolled_not_started\r\n' +
        `"Acme, ""North""",${courseX},Course X,3,3,2,1,1,50,65,${json.courses[0].lastActivityAt},1\r\n` +
        `"Acme, ""North""",${courseY},Course Y,1,1,1,0,0,,,${json.courses[1].lastActivityAt},3\r\n`,
    );
    // Accept: text/csv asks for the same
    expect((await api(`/api/customers/${customerA}/report`, { Accept: 'text/csv' })).text).toBe(report.text);

    // the customer's licences, the report's other part, as a CSV of their own (and B's every-course one)
    const licences = await api(`/api/licences?customerId=${customerA}&format=csv`);
    expect(licences.status).toBe(200);
    expect(licences.headers.get('content-disposition')).toBe('attachment; filename="Acme_North_-licences.csv"');
    const [lx, ly] = (await api(`/api/licences?customerId=${customerA}`)).body as Array<Record<string, any>>;
    expect(lx.seatsUsed).toBe(4); // alice, bob, carol and the teacher
    expect(licences.text).toBe(
      '\uFEFFlicence_id,customer_id,customer,course_id,course,seat_limit,seats_used,starts_at,ends_at,state,status,warnings,notes,created_at\r\n' +
        `${lx.id},${customerA},"Acme, ""North""",${courseX},Course X,10,4,,${lx.endsAt},active,usable,ending_soon,,${lx.createdAt}\r\n` +
        `${ly.id},${customerA},"Acme, ""North""",${courseY},Course Y,,${ly.seatsUsed},,,active,usable,,,${ly.createdAt}\r\n`,
    );
    const every = (await api(`/api/licences?customerId=${customerB}&format=csv`)).text.split('\r\n');
    expect(every[1]).toMatch(new RegExp(`^[^,]+,${customerB},Beta College,,\\(every course\\),,4,,,active,usable,,,`));
    expect((await api('/api/licences?format=csv')).text.split('\r\n').filter((l) => l !== '')).toHaveLength(1 + 4);

    const courses = (await api('/api/reports/courses?format=csv')).text.split('\r\n');
    expect(courses[0]).toBe('\uFEFFcourse_id,course,customers,learners,attempts,completions,passed,failed,pass_rate_percent,average_score_percent,last_activity_at,enrolled_not_started');
    expect(courses[1]).toMatch(new RegExp(`^${courseX},Course X,2,7,7,5,3,2,60,64,[^,]+,2$`));
    const perCustomer = (await api(`/api/reports/courses/${courseX}?format=csv`)).text.split('\r\n');
    expect(perCustomer[1]).toMatch(new RegExp(`^Course X,${customerA},"Acme, ""North""",3,3,2,1,1,50,65,`));
    expect(perCustomer[2]).toMatch(new RegExp(`^Course X,${customerB},Beta College,4,4,3,2,1,66.7,63.3,`));
    const customersCsv = (await api('/api/reports/customers?format=csv')).text.split('\r\n');
    expect(customersCsv[2]).toMatch(new RegExp(`^${customerB},Beta College,active,1,2,0,4,4,3,2,1,66.7,63.3,`));

    const attempts = (await api(`/api/attempts?courseId=${courseX}&customerId=${customerA}&format=csv`)).text.split('\r\n');
    expect(attempts[0]).toBe('\uFEFFlearner_sub,learner_name,learner_email,attempt,link,completion,success,score_percent,time_spent_seconds,started_at,ended_at,last_activity_at,passback_state,passback_message,preview');
    const carol = attempts.find((l) => l.startsWith('carol,')) as string;
    expect(carol.split(',').slice(0, 2)).toEqual(['carol', `"'=HYPERLINK(""http://evil.test""`]);
    expect(carol).toContain(`"'${FORMULA_NAME.replace(/"/g, '""')}"`);
    expect(attempts.filter((l) => l.endsWith(',yes'))).toEqual([expect.stringMatching(/^teacher,Teacher A,/)]); // previews are listed unless previews=false
    expect(attempts.filter((l) => l !== '')).toHaveLength(1 + 4);
    expect((await api(`/api/attempts?courseId=${courseX}&customerId=${customerA}&previews=false&format=csv`)).text.split('\r\n').filter((l) => l !== '')).toHaveLength(1 + 3);
  });

  it('should refuse an unknown customer or course, and a bad format, with a named error', async () => {
    expect(await api('/api/customers/nope/report')).toMatchObject({ status: 404, body: { error: 'customer_not_found', message: 'No customer with id "nope" exists.' } });
    expect(await api('/api/reports/courses/nope')).toMatchObject({ status: 404, body: { error: 'course_not_found', message: 'No course with id "nope" exists.' } });
    expect(await api(`/api/attempts?courseId=${courseX}&customerId=nope`)).toMatchObject({ status: 404, body: { error: 'customer_not_found' } });
    expect(await api('/api/reports/customers?format=xlsx')).toMatchObject({ status: 400, body: { error: 'invalid_query', message: 'format must be json or csv.' } });
    expect(await api('/api/licences?format=xlsx')).toMatchObject({ status: 400, body: { error: 'invalid_query', message: 'format must be json or csv.' } });
    expect(await api(`/api/attempts?courseId=${courseX}&previews=maybe`)).toMatchObject({ status: 400, body: { error: 'invalid_query', message: 'previews must be true or false.' } });
    expect((await fetch(`${tb.app.appUrl}/api/reports/courses`)).status).toBe(401);
  });

  it('should follow a platform to its new customer, and gather the LMSs of no customer in a course report', async () => {
    await send('PATCH', `/api/platforms/${tb.platformId}`, { customerId: null });
    try {
      expect((await api(`/api/customers/${customerA}/report`)).body.totals).toMatchObject({ learners: 0, attempts: 0, passRate: null, averageScore: null, lastActivityAt: null });
      const x = (await api(`/api/reports/courses/${courseX}`)).body;
      expect(x.customers.map((c: { customerId: string | null; name: string | null; learners: number }) => [c.customerId, c.name, c.learners])).toEqual([
        [customerB, 'Beta College', 4],
        [null, null, 3],
      ]);
      expect(x.totals).toMatchObject({ customers: 1, learners: 7 });
    } finally {
      await send('PATCH', `/api/platforms/${tb.platformId}`, { customerId: customerA });
    }
  });

  it('should read attempts in pages and give the same figures whatever the page size, each attempt once', async () => {
    const ds = tb.app.server.app.get(DataSource);
    const licences = tb.app.server.app.get(LicencesService);
    // every counted attempt, from the attempts list (the instructor's preview left out)
    const counted = new Set<string>();
    for (const course of [courseX, courseY]) {
      for (const r of (await api(`/api/attempts?courseId=${course}&previews=false`)).body as Array<{ id: string }>) {
        counted.add(r.id);
      }
    }
    expect(counted.size).toBe(8);
    const answers = async (reports: ReportsService) => [
      await reports.customersOverview(),
      await reports.customerReport(customerA),
      await reports.customerReport(customerB),
      await reports.coursesOverview(),
      await reports.courseReport(courseX),
      await reports.courseReport(courseY),
    ];
    const served = [
      (await api('/api/reports/customers')).body,
      (await api(`/api/customers/${customerA}/report`)).body,
      (await api(`/api/customers/${customerB}/report`)).body,
      (await api('/api/reports/courses')).body,
      (await api(`/api/reports/courses/${courseX}`)).body,
      (await api(`/api/reports/courses/${courseY}`)).body,
    ];
    for (const pageSize of [1, 2, 3]) {
      const repo = Object.assign(new ReportsRepository(ds), { pageSize });
      const read: string[] = [];
      let pages = 0;
      for await (const page of repo.attemptPages({})) {
        pages++;
        expect(page.attempts.length).toBeLessThanOrEqual(pageSize);
        read.push(...page.attempts.map((a) => a.id));
        // each page brings the SCO states of its own attempts
        expect(new Set(page.states.map((s) => s.attemptId))).toEqual(new Set(page.attempts.map((a) => a.id)));
      }
      expect(pages).toBe(Math.ceil(8 / pageSize));
      expect(read.sort()).toEqual([...counted].sort()); // none skipped, none twice
      // the figures served (one page) are those of many small pages
      expect(JSON.parse(JSON.stringify(await answers(new ReportsService(repo, licences))))).toEqual(served);
    }
  });

  it('should be in the OpenAPI description', async () => {
    const doc = (await (await fetch(`${tb.app.appUrl}/api/docs.json`)).json()) as { paths: Record<string, Record<string, { summary?: string; parameters?: Array<{ name: string }> }>> };
    for (const p of ['/api/customers/{id}/report', '/api/reports/customers', '/api/reports/courses', '/api/reports/courses/{id}', '/api/licences']) {
      expect(doc.paths[p]?.get?.parameters?.map((q) => q.name)).toContain('format');
    }
    expect(doc.paths['/api/attempts'].get.parameters?.map((q) => q.name).sort()).toEqual(['courseId', 'customerId', 'format', 'previews']);
  });
});
