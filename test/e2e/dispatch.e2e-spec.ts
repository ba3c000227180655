import { DataSource } from 'typeorm';
import { Learner } from '../../src/attempts/learner.entity';
import { LicenceSeat } from '../../src/licences/licence-seat.entity';
import { adminApi } from '../support/admin-api';
import { createTestApp, TestApp } from '../support/app';
import { ensurePlayerBuilt } from '../support/browser';
import { downloadPackage, dispatchLaunch } from '../support/dispatch';
import { errorCode } from '../support/error-page';
import { importFixture } from '../support/player-entry';

/**
 * Dispatch packages over real HTTP (issue 12): the admin API, the zip (which the project's own
 * importer accepts), the bridge page and its launch on the content origin under the customer's
 * licence, the learners' attempts in the customer's report. The browser side is
 * test/browser/dispatch.browser-spec.ts.
 */
describe('Dispatch packages (real HTTP)', () => {
  let app: TestApp;
  let course: string;
  let customer: string;
  let other: string;
  let licence: string;
  const api = adminApi(() => app);
  const db = () => app.server.app.get(DataSource);

  beforeAll(async () => {
    ensurePlayerBuilt();
    app = await createTestApp();
    course = await importFixture(app, 'scorm12-single-sco');
    customer = (await api('POST', '/api/customers', { name: 'Acme' })).body.id;
    other = (await api('POST', '/api/customers', { name: 'Beta' })).body.id;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  const page = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  it('should refuse a dispatch of a course no licence in force covers, then create one once licensed', async () => {
    const refused = await api('POST', `/api/customers/${customer}/dispatches`, { courseId: course });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('dispatch_course_unlicensed');
    expect(refused.body.message).toMatch(/no licence for this course/);
    expect((await api('POST', `/api/customers/${customer}/dispatches`, { courseId: 'nope' })).body.error).toBe('course_not_found');
    expect((await api('POST', `/api/customers/${customer}/dispatches`, {})).body.error).toBe('dispatch_invalid');
    expect((await api('POST', '/api/customers/nope/dispatches', { courseId: course })).status).toBe(404);

    licence = (await api('POST', '/api/licences', { customerId: customer, courseId: course, seatLimit: 2 })).body.id;
    const created = await api('POST', `/api/customers/${customer}/dispatches`, { courseId: course });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customerId: customer, courseId: course, courseTitle: 'Single SCO course (SCORM 1.2)', title: 'Single SCO course (SCORM 1.2)', state: 'active', revokedAt: null });
    expect(created.body.launchUrl).toMatch(new RegExp(`^${app.contentUrl}/dispatch/${created.body.id}\\.[A-Za-z0-9_-]{43}$`));
    expect((await api('GET', `/api/customers/${customer}/dispatches`)).body.map((d: { id: string }) => d.id)).toEqual([created.body.id]);
    // another customer sees none of it
    expect((await api('GET', `/api/customers/${other}/dispatches`)).body).toEqual([]);
    expect((await api('GET', `/api/customers/${other}/dispatches/${created.body.id}`)).body.error).toBe('dispatch_not_found');
  });

  it('should build a SCORM 1.2 and a 2004 zip with a launch page and the signed id, no course file and no secret, which the importer accepts', async () => {
    const d = (await api('POST', `/api/customers/${customer}/dispatches`, { courseId: course, title: 'Safety <basics>' })).body;
    for (const scorm of ['1.2', '2004'] as const) {
      const { zip, files, config } = await downloadPackage(app, customer, d.id, scorm);
      expect([...files.keys()].sort()).toEqual(['dispatch.js', 'imsmanifest.xml', 'index.html']);
      expect(config).toEqual({ bridgeOrigin: new URL(app.contentUrl).origin, dispatchToken: d.launchUrl.split('/dispatch/')[1], scorm, title: 'Safety <basics>' });
      const all = [...files.values()].map((b) => b.toString('utf8')).join('\n');
      expect(all).not.toContain(app.token);
      expect(all).not.toContain('sco.js'); // nothing of the course
      expect(files.get('imsmanifest.xml')?.toString()).toContain(scorm === '1.2' ? '<schemaversion>1.2</schemaversion>' : '<schemaversion>2004 3rd Edition</schemaversion>');
      const imported = await fetch(`${app.appUrl}/api/courses?onDuplicate=separate`, { method: 'POST', headers: app.auth, body: form(zip, `dispatch-${scorm}.zip`) });
      const body = (await imported.json()) as { title: string; currentVersion: { scormVersion: string; warnings: unknown[]; scos: unknown[] } };
      expect(imported.status).toBe(201);
      expect(body).toMatchObject({ title: 'Safety <basics>', currentVersion: { scormVersion: scorm, warnings: [] } });
      expect(body.currentVersion.scos).toHaveLength(1);
    }
    expect((await api('GET', `/api/customers/${customer}/dispatches/${d.id}/package?scorm=3`)).body.error).toBe('dispatch_invalid');
  });

  it('should serve the bridge page on the content origin only, frameable by any LMS, and refuse a made-up or altered id with a readable page', async () => {
    const d = (await api('POST', `/api/customers/${customer}/dispatches`, { courseId: course })).body;
    const ok = await page(d.launchUrl);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(ok.headers.get('x-frame-options')).toBeNull();
    expect(ok.text).toContain('/player-assets/dispatch-bridge.js');
    expect((await page(`${app.contentUrl}/player-assets/dispatch-bridge.js`)).status).toBe(200);
    const onApp = await page(d.launchUrl.replace(app.contentUrl, app.appUrl));
    expect(errorCode(onApp)).toBe('wrong_origin');
    const altered = await page(d.launchUrl.slice(0, -3) + 'AAA');
    expect(altered.status).toBe(404);
    expect(errorCode(altered)).toBe('dispatch_unknown');
    expect(errorCode(await page(`${app.contentUrl}/dispatch/${d.id}`))).toBe('dispatch_unknown');
  });

  it('should admit LMS learners under the licence: a seat each under the dispatch, the seat limit with the LTI wording, a returning learner always', async () => {
    const d = (await api('POST', `/api/customers/${customer}/dispatches`, { courseId: course })).body;
    const token = d.launchUrl.split('/dispatch/')[1];
    const first = await dispatchLaunch(app, token, 'lms-user-1', 'Lovelace, Ada');
    expect(first.status).toBe(200);
    expect(first.body.playerUrl).toMatch(new RegExp(`^${app.contentUrl}/player/`));
    const learner = await db().getRepository(Learner).findOneByOrFail({ platformId: d.id, sub: 'lms-user-1' });
    expect(learner).toMatchObject({ name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' });
    // the player hands the SCO the LMS's learner id and name
    const player = await page(first.body.playerUrl as string);
    expect(player.status).toBe(200);
    const boot = JSON.parse(/id="bridge-bootstrap">([\s\S]*?)<\/script>/.exec(player.text)?.[1] ?? 'null') as { token: string; runtimeBase: string; startItemId: string };
    const state = await (await fetch(`${app.contentUrl}${boot.runtimeBase}/scos/${boot.startItemId}`, { headers: { Authorization: `Bearer ${boot.token}` } })).json();
    expect(state.cmi.core).toMatchObject({ student_id: 'lms-user-1', student_name: 'Lovelace, Ada' });
    // the course result the relay reads: this attempt's only, with the player's token
    const result = await fetch(`${app.contentUrl}${boot.runtimeBase}/result`, { headers: { Authorization: `Bearer ${boot.token}` } });
    expect([result.status, await result.json()]).toEqual([200, { started: true, reported: false, completion: 'incomplete', success: 'unknown' }]);
    expect((await fetch(`${app.contentUrl}${boot.runtimeBase}/result`)).status).toBe(401);
    const other = await fetch(`${app.contentUrl}/runtime/attempts/00000000-0000-4000-8000-000000000000/result`, { headers: { Authorization: `Bearer ${boot.token}` } });
    expect([other.status, ((await other.json()) as { error: string }).error]).toEqual([403, 'attempt_mismatch']);

    expect((await dispatchLaunch(app, token, 'lms-user-2')).status).toBe(200);
    const full = await dispatchLaunch(app, token, 'lms-user-3');
    expect(full.status).toBe(403);
    expect(full.body).toEqual({ error: 'lti_licence_seats_full', message: 'This course has no free place for you: every place your organisation has for it is taken. Please let your teacher or training contact know.' });
    expect((await dispatchLaunch(app, token, 'lms-user-1')).status).toBe(200);
    const seats = await db().getRepository(LicenceSeat).find({ where: { customerId: customer, courseId: course } });
    expect(seats.map((s) => [s.platformId, s.sub]).sort()).toEqual([
      [d.id, 'lms-user-1'],
      [d.id, 'lms-user-2'],
    ]);
    expect(await db().getRepository(Learner).countBy({ platformId: d.id, sub: 'lms-user-3' })).toBe(0);
    // a launch from another origin (a page posting to the bridge) is refused; a missing learner id is named
    const forged = await fetch(`${app.contentUrl}/dispatch/${token}/launch`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: JSON.stringify({ learnerId: 'x' }) });
    expect(forged.status).toBe(403);
    expect((await dispatchLaunch(app, token, '')).body.error).toBe('dispatch_launch_invalid');
  });

  it('should seed a learner the bridge has no record of with the LMS’s own location and suspend data, and leave a known learner’s record alone', async () => {
    const d = (await api('POST', `/api/customers/${customer}/dispatches`, { courseId: course })).body;
    await api('PATCH', `/api/licences/${licence}`, { seatLimit: null });
    const token = d.launchUrl.split('/dispatch/')[1];
    const open = async (learnerId: string, lms: Record<string, string>) => {
      const res = await fetch(`${app.contentUrl}/dispatch/${token}/launch`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ learnerId, ...lms }) });
      const { playerUrl } = (await res.json()) as { playerUrl: string };
      const html = await (await fetch(playerUrl)).text();
      const boot = JSON.parse(/id="bridge-bootstrap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? 'null') as { token: string; runtimeBase: string; startItemId: string };
      const sco = `${app.contentUrl}${boot.runtimeBase}/scos/${boot.startItemId}`;
      const auth = { Authorization: `Bearer ${boot.token}` };
      const state = (await (await fetch(sco, { headers: auth })).json()) as { entry: string; cmi: { suspend_data: string; core: { entry: string; lesson_location: string } } };
      return { state, sco, auth };
    };
    const seeded = await open('from-lms', { lmsLocation: 'p9', lmsSuspendData: 'lms-state' });
    expect(seeded.state.cmi.core).toMatchObject({ entry: 'resume', lesson_location: 'p9' });
    expect(seeded.state.cmi.suspend_data).toBe('lms-state');
    // the player's own commits come after the seed
    const commit = await fetch(`${seeded.sco}/commit`, { method: 'POST', headers: { ...seeded.auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ session: 1, seq: 1, cmi: { suspend_data: 'newer', core: { lesson_location: 'p10', exit: 'suspend' } } }) });
    expect(await commit.json()).toMatchObject({ applied: true });
    // the bridge has a record now: the LMS's (older) values are not applied again
    const again = await open('from-lms', { lmsLocation: 'p9', lmsSuspendData: 'lms-state' });
    expect(again.state.cmi.core.lesson_location).toBe('p10');
    expect(again.state.cmi.suspend_data).toBe('newer');
  });

  it('should refuse every licence state, a suspended customer and a revoked dispatch with a readable reason, keeping the learners’ data', async () => {
    const d = (await api('POST', `/api/customers/${customer}/dispatches`, { courseId: course })).body;
    const token = d.launchUrl.split('/dispatch/')[1];
    await api('PATCH', `/api/licences/${licence}`, { seatLimit: null });
    expect((await dispatchLaunch(app, token, 'kept')).status).toBe(200);
    const expect403 = async (code: string, message: RegExp) => {
      const r = await dispatchLaunch(app, token, 'kept');
      expect(r.status).toBe(403);
      expect(r.body.error).toBe(code);
      expect(r.body.message).toMatch(message);
    };
    await api('PATCH', `/api/licences/${licence}`, { state: 'suspended' });
    await expect403('lti_licence_suspended', /paused your organisation’s access/);
    await api('PATCH', `/api/licences/${licence}`, { state: 'revoked' });
    await expect403('lti_licence_revoked', /withdrawn your organisation’s access/);
    await api('PATCH', `/api/licences/${licence}`, { state: 'active', endsAt: new Date(Date.now() - 3600_000).toISOString() });
    await expect403('lti_licence_expired', /access ended on/);
    await api('PATCH', `/api/licences/${licence}`, { endsAt: null, startsAt: new Date(Date.now() + 86_400_000).toISOString() });
    await expect403('lti_licence_not_started', /This course opens on/);
    await api('PATCH', `/api/licences/${licence}`, { startsAt: null });
    expect((await dispatchLaunch(app, token, 'kept')).status).toBe(200);

    await api('PATCH', `/api/customers/${customer}`, { state: 'suspended' });
    const suspended = await page(d.launchUrl);
    expect(suspended.status).toBe(403);
    expect(errorCode(suspended)).toBe('lti_customer_suspended');
    await expect403('lti_customer_suspended', /access has been paused/);
    await api('PATCH', `/api/customers/${customer}`, { state: 'active' });

    const revoked = await api('POST', `/api/customers/${customer}/dispatches/${d.id}/revoke`);
    expect(revoked.body).toMatchObject({ state: 'revoked', revokedAt: expect.any(String) });
    const gone = await page(d.launchUrl);
    expect(gone.status).toBe(403);
    expect(errorCode(gone)).toBe('dispatch_revoked');
    await expect403('dispatch_revoked', /withdrawn this course package/);
    expect((await api('GET', `/api/customers/${customer}/dispatches/${d.id}/package`)).body.error).toBe('dispatch_revoked');
    // another dispatch of the same course still opens; the revoked one's learner is still there
    const sibling = (await api('POST', `/api/customers/${customer}/dispatches`, { courseId: course })).body;
    expect((await dispatchLaunch(app, sibling.launchUrl.split('/dispatch/')[1], 'kept')).status).toBe(200);
    expect(await db().getRepository(Learner).countBy({ platformId: d.id, sub: 'kept' })).toBe(1);
  });

  it("should count a dispatch's learners and results in the customer's report, and in no other customer's", async () => {
    await api('POST', '/api/licences', { customerId: other, courseId: null });
    const course2 = await importFixture(app, 'scorm12-single-sco');
    const d = (await api('POST', `/api/customers/${other}/dispatches`, { courseId: course2 })).body;
    const token = d.launchUrl.split('/dispatch/')[1];
    for (const [who, status, raw] of [
      ['r1', 'passed', 90],
      ['r2', 'failed', 30],
    ] as const) {
      const { body } = await dispatchLaunch(app, token, who);
      const html = await (await fetch(body.playerUrl as string)).text();
      const boot = JSON.parse(/id="bridge-bootstrap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? 'null') as { token: string; runtimeBase: string; startItemId: string };
      const sco = `${app.contentUrl}${boot.runtimeBase}/scos/${boot.startItemId}`;
      const auth = { Authorization: `Bearer ${boot.token}` };
      expect((await fetch(sco, { headers: auth })).status).toBe(200);
      const commit = await fetch(`${sco}/commit`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ session: 1, seq: 1, terminate: true, cmi: { suspend_data: '', core: { lesson_status: status, exit: '', session_time: '00:01:00', score: { raw: String(raw), min: '0', max: '100' } } } }),
      });
      expect(commit.status).toBe(200);
    }
    const report = (await api('GET', `/api/customers/${other}/report`)).body;
    expect(report.courses.find((c: { courseId: string }) => c.courseId === course2)).toMatchObject({ learners: 2, attempts: 2, completions: 2, passed: 1, failed: 1, passRate: 0.5, averageScore: 0.6 });
    const acme = (await api('GET', `/api/customers/${customer}/report`)).body;
    expect(acme.courses.find((c: { courseId: string }) => c.courseId === course2)).toBeUndefined();
    // "Learners & grades" filtered by customer lists them too
    const listed = (await api('GET', `/api/attempts?courseId=${course2}&customerId=${other}`)).body;
    expect(listed.map((a: { learner: { sub: string } }) => a.learner.sub).sort()).toEqual(['r1', 'r2']);
    expect((await api('GET', `/api/attempts?courseId=${course2}&customerId=${customer}`)).body).toEqual([]);
  });
});

function form(zip: Buffer, name: string): FormData {
  const f = new FormData();
  f.append('package', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), name);
  return f;
}
