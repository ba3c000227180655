import { RosterService } from '../../src/roster/roster.service';
import { ViewTokenService } from '../../src/instructor/view-token.service';
import { eventually } from '../support/browser';
import { attachAgs, AgsEmulator } from '../support/emulator-ags';
import { attachNrps, instructorMember, learnerMember, NrpsEmulator } from '../support/emulator-nrps';
import { FinalCommit, instructorViewUrl, playAndCommit, playerUrlAfterLaunch, previewAction } from '../support/instructor-view';
import { LaunchResult, PlatformEmulator, startLtiTestbed, LtiTestbed } from '../support/platform-emulator';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const ROLE = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
const AGS_CLAIM = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';

/** The stable error code on the tool's HTML error page. */
const code = (text: string) => /data-error-code>([^<]+)</.exec(text)?.[1] ?? null;
const heading = (text: string) => /<h1>([^<]*)<\/h1>/.exec(text)?.[1] ?? '';

/** The learner rows of an instructor view page: [user id, the row's text without tags]. */
function rows(page: string): Array<[string, string]> {
  return [...page.matchAll(/<tr data-learner="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => [m[1], m[2].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()]);
}

/**
 * The instructor view (issue 9, "Instructors inside their LMS") over real HTTP with two emulated
 * LMSs of two customers: who gets it, what it lists (roster members who have not started included),
 * that nothing of another context, platform or customer appears, and that its token is the whole
 * authorisation (tampered, expired, wrong origin).
 */
describe('Instructor view: preview banner and the results of a link in its LMS context (e2e)', () => {
  let tb: LtiTestbed;
  let lmsB: PlatformEmulator;
  let nrps: NrpsEmulator;
  let ags: AgsEmulator;
  let customerA: string;
  let lineitem: string;

  async function send(method: string, path: string, body: unknown): Promise<{ id: string }> {
    const res = await fetch(`${tb.app.appUrl}${path}`, { method, headers: { ...tb.app.auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) {
      throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    }
    return (await res.json()) as { id: string };
  }

  /** A launch of link `link` in context `context` as `sub` with `roles`. */
  function launch(lms: PlatformEmulator, sub: string, name: string, o: { roles?: string[]; link?: string; context?: string; nrps?: boolean } = {}): Promise<LaunchResult> {
    const context = o.context ?? 'ctx-0001';
    return lms.launch({
      toolUrl: tb.app.appUrl,
      courseId: tb.courseId,
      claims: {
        sub,
        name,
        email: `${sub}@example.edu`,
        [`${LTI}roles`]: o.roles ?? [`${ROLE}Learner`],
        [`${LTI}resource_link`]: { id: o.link ?? 'link-0001', title: 'Week 1 quiz' },
        [`${LTI}context`]: { id: context, title: `Title of ${context}` },
        [AGS_CLAIM]: lms === tb.emu ? { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitem } : undefined,
        [NRPS_CLAIM]: o.nrps === false ? undefined : { context_memberships_url: `${lms.url}/nrps/${context}/memberships`, service_versions: ['2.0'] },
      },
    });
  }

  /** A learner's launch into the player, then one final commit of the 1.2 SCO (none for `null`). */
  async function play(lms: PlatformEmulator, sub: string, name: string, outcome: FinalCommit, o: { link?: string; context?: string } = {}): Promise<void> {
    await playAndCommit(await playerUrlAfterLaunch(await launch(lms, sub, name, o)), outcome);
  }

  /** An instructor's launch: the answer must lead to the view on the tool origin; returns its URL. */
  async function viewUrlOf(res: LaunchResult): Promise<string> {
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('data-player-url');
    const url = instructorViewUrl(res.text);
    expect(url?.startsWith(`${tb.app.appUrl}/lti/instructor/`)).toBe(true);
    await tb.app.server.app.get(RosterService).idle();
    return url as string;
  }

  beforeAll(async () => {
    tb = await startLtiTestbed();
    nrps = attachNrps(tb.emu);
    nrps.pageSize = 2;
    ags = attachAgs(tb.emu);
    lineitem = ags.addLineItem({ context: 'ctx-0001', label: 'Week 1 quiz' });
    nrps.setMembers('ctx-0001', [
      learnerMember('ada', 'Ada Lovelace'),
      learnerMember('brook', 'Brook Brown'),
      learnerMember('cyd', 'Cyd Notstarted'),
      learnerMember('dee', 'Dee Inactive', { status: 'Inactive' }),
      instructorMember('teacher', 'Tess Teacher'),
    ], 'Biology 101');
    nrps.setMembers('ctx-2', [learnerMember('xena', 'Xena Elsewhere'), learnerMember('yuri', 'Yuri Unstarted')]);
    customerA = (await send('POST', '/api/customers', { name: 'Customer A' })).id;
    const customerB = (await send('POST', '/api/customers', { name: 'Customer B' })).id;
    // every course for both (the licence rules have their own tests: licence-launch e2e)
    await send('POST', '/api/licences', { customerId: customerA });
    await send('POST', '/api/licences', { customerId: customerB });
    await send('PATCH', `/api/platforms/${tb.platformId}`, { customerId: customerA });
    lmsB = await PlatformEmulator.start({ clientId: 'lms-b-client', toolUrl: tb.app.appUrl });
    attachNrps(lmsB).setMembers('ctx-0001', [learnerMember('otto', 'Otto Other'), learnerMember('olga', 'Olga Otherstart')]);
    await send('POST', '/api/platforms', lmsB.registrationBody({ name: 'LMS B', customerId: customerB }));

    // LMS A, context ctx-0001, link link-0001: Ada passes, Brook is in progress; Cyd and Dee never open it.
    await play(tb.emu, 'ada', 'Ada Lovelace', { status: 'passed', raw: 80 });
    await play(tb.emu, 'brook', 'Brook Brown', { status: 'incomplete' });
    // LMS A, another context with another link; LMS B (another customer), the same context and link ids.
    await play(tb.emu, 'xena', 'Xena Elsewhere', { status: 'completed' }, { context: 'ctx-2', link: 'link-ctx-2' });
    await play(lmsB, 'otto', 'Otto Other', { status: 'passed', raw: 100 });
    await play(lmsB, 'ada', 'Ada Twin', { status: 'failed', raw: 10 });
  }, 60_000);

  afterAll(async () => {
    await lmsB?.stop();
    await tb?.close();
  });

  it("should send a learner to the player with no way into the view, whatever the learner's role shape", async () => {
    for (const roles of [[`${ROLE}Learner`], ['Learner'], [`${ROLE}Mentor`], ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student']]) {
      const res = await launch(tb.emu, 'brook', 'Brook Brown', { roles });
      expect(res.status).toBe(200);
      expect(res.text).toContain('data-player-url');
      expect(res.text).not.toContain('/lti/instructor/');
      expect(instructorViewUrl(res.text)).toBeNull();
    }
  });

  it('should show an instructor the preview banner and the learners of that link in that context, enrolled learners who have not started included', async () => {
    const url = await viewUrlOf(await launch(tb.emu, 'teacher', 'Tess Teacher', { roles: [`${ROLE}Instructor`] }));
    const res = await fetch(url);
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page).toContain('Your own play of this activity is a preview');
    expect(page).toContain('nothing you do is graded or sent to the LMS gradebook');
    expect(page).toContain('data-roster-state="ok"');
    expect(page).toContain('<h1>Week 1 quiz</h1>');
    expect(page).toContain('Biology 101 · Emulator LMS');
    const got = await eventually(async () => {
      const r = rows(await (await fetch(url)).text());
      return r.find(([id, text]) => id === 'ada' && text.includes('Sent')) ? r : null;
    }, 'the grade of Ada sent to the gradebook');
    expect(got.map(([id]) => id)).toEqual(['ada', 'brook', 'cyd', 'dee']);
    const text = new Map(got);
    expect(text.get('ada')).toMatch(/^Ada Lovelace ada@example\.edu Active Passed 80 % 3 min 00 s \d{4}-\d\d-\d\d \d\d:\d\d UTC Sent 80 \/ 100$/);
    expect(text.get('brook')).toMatch(/^Brook Brown brook@example\.edu Active In progress — 3 min 00 s \d{4}-\d\d-\d\d \d\d:\d\d UTC /);
    expect(text.get('cyd')).toBe('Cyd Notstarted cyd@example.edu Active Not started — — — Nothing to send yet');
    expect(text.get('dee')).toBe('Dee Inactive dee@example.edu Inactive Not started — — — Nothing to send yet');
    for (const stranger of ['Xena', 'Yuri', 'Otto', 'Olga', 'Ada Twin', 'Tess Teacher']) {
      expect(page).not.toContain(stranger);
    }
    expect(page).toContain('4 learners, 2 started, 1 completed.');
  });

  it('should give the same view to a teaching assistant, a content developer and an administrator, and open their preview in the player, never listing it', async () => {
    for (const role of [`${ROLE}TeachingAssistant`, `${ROLE}ContentDeveloper`, 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator']) {
      const url = await viewUrlOf(await launch(tb.emu, 'teacher', 'Tess Teacher', { roles: [role] }));
      expect(await (await fetch(url)).text()).toContain('data-preview-banner');
    }
    const url = await viewUrlOf(await launch(tb.emu, 'teacher', 'Tess Teacher', { roles: [`${ROLE}Instructor`] }));
    const view = await (await fetch(url)).text();
    const handoff = await (await fetch(previewAction(view, url), { method: 'POST' })).text();
    const player = /data-player-url="([^"]+)"/.exec(handoff)?.[1]?.replace(/&amp;/g, '&') as string;
    expect(player.startsWith(`${tb.app.contentUrl}/player/`)).toBe(true);
    const page = await (await fetch(player)).text();
    expect(page).toContain('"preview":true');
    expect(page).not.toContain('/lti/instructor/'); // the view's token never reaches the content origin
    expect(rows(await (await fetch(url)).text()).map(([id]) => id)).toEqual(['ada', 'brook', 'cyd', 'dee']);
  });

  it("should show another context's and another customer's instructor only their own learners", async () => {
    const ctx2 = rows(await (await fetch(await viewUrlOf(await launch(tb.emu, 'teacher', 'Tess Teacher', { roles: [`${ROLE}Instructor`], context: 'ctx-2', link: 'link-ctx-2' })))).text());
    expect(ctx2.map(([id, text]) => [id, text.split(' ').slice(0, 2).join(' ')])).toEqual([
      ['xena', 'Xena Elsewhere'],
      ['yuri', 'Yuri Unstarted'],
    ]);
    const b = rows(await (await fetch(await viewUrlOf(await launch(lmsB, 'teacher', 'Tess B', { roles: [`${ROLE}Instructor`] })))).text());
    expect(b.map(([id, text]) => [id, text.split(' ').slice(0, 2).join(' ')])).toEqual([
      ['ada', 'Ada Twin'],
      ['olga', 'Olga Otherstart'],
      ['otto', 'Otto Other'],
    ]);
    expect(b.find(([id]) => id === 'ada')?.[1]).toMatch(/Not in the roster Failed 10 %/);
  });

  it('should say the roster is unavailable (and still list who started) when the LMS fails, or offers no roster', async () => {
    nrps.setMembers('ctx-3', [learnerMember('zed', 'Zed Zero')]);
    nrps.failNext(1, 503, 'maintenance');
    await play(tb.emu, 'quinn', 'Quinn Started', { status: 'incomplete' }, { context: 'ctx-3', link: 'link-ctx-3' });
    await tb.app.server.app.get(RosterService).idle();
    const page = await (await fetch(await viewUrlOf(await launch(tb.emu, 'teacher', 'Tess', { roles: [`${ROLE}Instructor`], context: 'ctx-3', link: 'link-ctx-3' })))).text();
    expect(page).toContain('data-roster-state="unavailable"');
    expect(page).toContain('The LMS answered 503 to the memberships request: maintenance');
    expect(rows(page).map(([id]) => id)).toEqual(['quinn']);
    const none = await (await fetch(await viewUrlOf(await launch(tb.emu, 'teacher', 'Tess', { roles: [`${ROLE}Instructor`], context: 'ctx-4', link: 'link-ctx-4', nrps: false })))).text();
    expect(none).toContain('data-roster-state="no-service"');
    expect(none).toContain('No learner has opened this activity yet.');
  });

  it('should answer a readable page for a tampered, expired or foreign token, never serve the view on the content origin, and refuse a suspended customer', async () => {
    const url = await viewUrlOf(await launch(tb.emu, 'teacher', 'Tess Teacher', { roles: [`${ROLE}Instructor`] }));
    const token = url.split('/').pop() as string;
    const [body, mac] = token.split('.');
    const forged = Buffer.from(Buffer.from(body, 'base64url').toString().replace('ctx-0001', 'ctx-2')).toString('base64url');
    for (const bad of [`${forged}.${mac}`, `${body}.${'A'.repeat(43)}`, 'nonsense']) {
      const res = await fetch(`${tb.app.appUrl}/lti/instructor/${bad}`);
      const text = await res.text();
      expect({ status: res.status, code: code(text) }).toEqual({ status: 401, code: 'instructor_view_invalid' });
      expect(heading(text)).toBe('This results link is not valid. Open the activity again from your LMS.');
      expect((await fetch(`${tb.app.appUrl}/lti/instructor/${bad}/preview`, { method: 'POST' })).status).toBe(401);
    }
    const claims = await tb.app.server.app.get(ViewTokenService).verify(token);
    const expired = await tb.app.server.app.get(ViewTokenService).issue(claims, -1);
    const old = await fetch(`${tb.app.appUrl}/lti/instructor/${expired}`);
    const oldText = await old.text();
    expect({ status: old.status, code: code(oldText) }).toEqual({ status: 401, code: 'instructor_view_expired' });
    expect(heading(oldText)).toMatch(/^This results view has expired.*Open the activity again from your LMS/);
    const wrongOrigin = await fetch(`${tb.app.contentUrl}/lti/instructor/${token}`);
    expect({ status: wrongOrigin.status, code: code(await wrongOrigin.text()) }).toEqual({ status: 404, code: 'wrong_origin' });

    await send('PATCH', `/api/customers/${customerA}`, { state: 'suspended' });
    try {
      const res = await fetch(url);
      expect({ status: res.status, code: code(await res.text()) }).toEqual({ status: 403, code: 'lti_customer_suspended' });
    } finally {
      await send('PATCH', `/api/customers/${customerA}`, { state: 'active' });
    }
    expect((await fetch(url)).status).toBe(200);
  });
});
