import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { Attempt } from '../../src/attempts/attempt.entity';
import { Learner } from '../../src/attempts/learner.entity';
import { ScoState } from '../../src/attempts/sco-state.entity';
import { lmsSeatId } from '../../src/dispatch/dispatch-launch.service';
import { LicenceSeat } from '../../src/licences/licence-seat.entity';
import { adminApi } from '../support/admin-api';
import { createTestApp, TestApp } from '../support/app';
import { eventually, launchBrowser, scoFrame, signedInConsole, TestBrowser, withScreenshot } from '../support/browser';
import { readZip } from '../support/zip-read';
import { downloadPackage } from '../support/dispatch';
import { buildFixtureZip, FIXTURE_PACKAGES_DIR } from '../support/scorm-package.builder';
import { ScormLms, startScormLms } from '../support/scorm-lms';

type Call = { fn: string; args: string[]; result: string; error: string };
type Api12 = Record<string, (...a: string[]) => string>;

/**
 * A dispatch package in a real browser (issue 12): a minimal SCORM LMS of the tests
 * (test/support/scorm-lms.ts, on 127.0.0.1) serves the unzipped package and launches it, framed or in
 * a new window; the package page frames the bridge (localhost, another origin), which plays the
 * hosted course and relays its values to the LMS's own API. The fixture SCOs are imported with
 * `?commit=none`, so the test drives the SCORM API from inside the SCO frame.
 */
describe('Dispatch package in Chromium (a SCORM LMS of the tests → package → bridge → hosted course)', () => {
  let app: TestApp;
  let lms: ScormLms;
  let browser: TestBrowser;
  let customer: string;
  let licence: string;
  let course12: string;
  let course2004: string;
  let courseMulti12: string;
  let courseExam2004: string;
  const dispatches: Record<string, { id: string; launchUrl: string }> = {};
  const api = adminApi(() => app);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-pkg-'));
  const db = () => app.server.app.get(DataSource);

  async function importDriven(name: string, extra: Record<string, string> = {}): Promise<Buffer> {
    const manifest = fs.readFileSync(path.join(FIXTURE_PACKAGES_DIR, name, 'imsmanifest.xml'), 'utf8').replace(/(<resource\b[^>]*\bhref=")([^"?]+)(")/g, '$1$2?commit=none$3');
    return buildFixtureZip(name, { files: { 'imsmanifest.xml': manifest, ...extra } });
  }
  async function upload(zip: Buffer, url = '/api/courses?onDuplicate=separate'): Promise<string> {
    const f = new FormData();
    f.append('package', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), 'course.zip');
    const res = await fetch(`${app.appUrl}${url}`, { method: 'POST', headers: app.auth, body: f });
    const body = (await res.json()) as { id: string };
    if (res.status !== 201) {
      throw new Error(`upload failed: ${res.status} ${JSON.stringify(body)}`);
    }
    return body.id;
  }
  /** Dispatches the course, downloads its package and serves it unzipped from the test LMS. */
  async function publish(name: string, courseId: string, scorm: '1.2' | '2004'): Promise<void> {
    const d = (await api('POST', `/api/customers/${customer}/dispatches`, { courseId })).body;
    dispatches[name] = d;
    const { files } = await downloadPackage(app, customer, d.id, scorm);
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, data] of files) {
      fs.writeFileSync(path.join(dir, file), data);
    }
    lms.addPackage(name, dir);
  }
  const calls = (p: Page): Promise<Call[]> => p.evaluate(() => (window as unknown as { lmsCalls: Call[] }).lmsCalls);
  const committed = (p: Page): Promise<Record<string, string> | null> => p.evaluate(() => (window as unknown as { lmsCommitted(): Record<string, string> | null }).lmsCommitted());
  const sco = (p: Page): Promise<Frame> => scoFrame(p, `${app.contentUrl}/content/`, 15_000);
  const bridgeText = async (p: Page): Promise<string> =>
    eventually(async () => {
      const f = p.frames().find((x) => x.url().startsWith(`${app.contentUrl}/dispatch/`));
      const text = f ? await f.evaluate(() => document.body.innerText) : '';
      return /code/i.test(text) ? text : null;
    }, 'the bridge page’s refusal', 10_000);
  /** Waits until the LMS has committed these values (a step's expectation names at least one value that step changes). */
  const lmsHolds = (p: Page, want: Record<string, string>) =>
    eventually(async () => {
      const held = await committed(p);
      return !!held && Object.entries(want).every(([k, v]) => held[k] === v);
    }, `the LMS holding ${JSON.stringify(want)}`);
  /** In the SCO frame whose URL has `file`: sets the values on the player's API (1.2 or 2004), then ends the SCO session. */
  async function playSco(p: Page, file: string, values: Record<string, string>): Promise<void> {
    const frame = await scoFrame(p, file, 15_000);
    await frame.evaluate((v) => {
      const w = window.parent as unknown as { API?: Api12; API_1484_11?: Api12 };
      const a = (w.API_1484_11 ?? w.API) as Api12;
      const v2004 = !!w.API_1484_11;
      for (const [k, x] of Object.entries(v)) {
        a[v2004 ? 'SetValue' : 'LMSSetValue'](k, x);
      }
      a[v2004 ? 'Terminate' : 'LMSFinish']('');
    }, values);
  }
  async function stateOf(dispatchId: string, sub: string): Promise<ScoState | null> {
    const learner = await db().getRepository(Learner).findOneBy({ platformId: dispatchId, sub });
    const attempt = learner ? await db().getRepository(Attempt).findOne({ where: { learnerId: learner.id }, order: { number: 'DESC' } }) : null;
    return attempt ? db().getRepository(ScoState).findOneBy({ attemptId: attempt.id }) : null;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    app = await createTestApp();
    lms = await startScormLms();
    customer = (await api('POST', '/api/customers', { name: 'Acme' })).body.id;
    course12 = await upload(await importDriven('scorm12-single-sco'));
    course2004 = await upload(await importDriven('scorm2004-3rd-single-sco'));
    licence = (await api('POST', '/api/licences', { customerId: customer, courseId: null })).body.id;
    await publish('p12', course12, '1.2');
    await publish('p2004', course2004, '2004');
    courseMulti12 = await upload(await importDriven('scorm12-multi-sco'));
    await publish('m12', courseMulti12, '1.2');
    courseExam2004 = await upload(await importDriven('scorm2004-rollup-exam'));
    await publish('m2004', courseExam2004, '2004');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await lms?.close();
    await app?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('SCORM 1.2 framed by the LMS: the hosted SCO gets the LMS learner, its values land in the LMS API, and after a tab close the relaunch resumes', async () => {
    const page = await browser.context.newPage();
    const url = lms.url({ pkg: 'p12', scorm: '1.2', learner: 'emp-1001', name: 'Hopper, Grace' });
    await withScreenshot(page, 'dispatch-12-framed', async () => {
      await page.goto(url);
      const frame = await sco(page);
      const first = await frame.evaluate(() => {
        const a = (window.parent as unknown as { API: Api12 }).API;
        const out = { id: a.LMSGetValue('cmi.core.student_id'), name: a.LMSGetValue('cmi.core.student_name'), entry: a.LMSGetValue('cmi.core.entry') };
        a.LMSSetValue('cmi.core.lesson_location', 'page-2');
        a.LMSSetValue('cmi.suspend_data', 'answers=1,2');
        a.LMSSetValue('cmi.core.lesson_status', 'incomplete');
        a.LMSSetValue('cmi.core.exit', 'suspend');
        a.LMSSetValue('cmi.core.session_time', '00:00:30');
        a.LMSCommit('');
        return out;
      });
      expect(first).toEqual({ id: 'emp-1001', name: 'Hopper, Grace', entry: 'ab-initio' });
      // the LMS's own API received the values and committed them
      await eventually(async () => (await committed(page))?.['cmi.core.lesson_location'] === 'page-2', 'the LMS commit of the location');
      expect(await committed(page)).toMatchObject({ 'cmi.core.lesson_location': 'page-2', 'cmi.suspend_data': 'answers=1,2', 'cmi.core.lesson_status': 'incomplete', 'cmi.core.session_time': '00:00:30.00' });
      const lmsCalls = await calls(page);
      expect(lmsCalls[0]).toMatchObject({ fn: 'Initialize', result: 'true' });
      expect(lmsCalls.filter((c) => c.fn === 'SetValue' && c.result !== 'true')).toEqual([]);
      // the bridge recorded the attempt under the LMS's learner id and name
      const learner = await db().getRepository(Learner).findOneByOrFail({ platformId: dispatches.p12.id, sub: 'emp-1001' });
      expect(learner.name).toBe('Grace Hopper');
      // the seat names the LMS by the origin the bridge page checked, not the dispatch (docs/dispatch.md "Seats")
      expect(await db().getRepository(LicenceSeat).findBy({ customerId: customer, sub: 'emp-1001' })).toMatchObject([{ platformId: lmsSeatId(customer, lms.origin), courseId: course12 }]);
      expect(await stateOf(dispatches.p12.id, 'emp-1001')).toMatchObject({ location: 'page-2', suspendData: 'answers=1,2', completionStatus: 'incomplete' });
    });
    await page.close({ runBeforeUnload: true }); // the tab is closed mid-course: the package page finishes with exit=suspend
    const again = await browser.context.newPage();
    await withScreenshot(again, 'dispatch-12-relaunch', async () => {
      await again.goto(url);
      const frame = await sco(again);
      const resumed = await frame.evaluate(() => {
        const a = (window.parent as unknown as { API: Api12 }).API;
        const out = { entry: a.LMSGetValue('cmi.core.entry'), location: a.LMSGetValue('cmi.core.lesson_location'), suspend: a.LMSGetValue('cmi.suspend_data') };
        a.LMSSetValue('cmi.core.lesson_status', 'passed');
        a.LMSSetValue('cmi.core.score.raw', '85');
        a.LMSSetValue('cmi.core.score.max', '100');
        a.LMSSetValue('cmi.core.score.min', '0');
        a.LMSFinish('');
        return out;
      });
      expect(resumed).toEqual({ entry: 'resume', location: 'page-2', suspend: 'answers=1,2' });
      await eventually(async () => (await calls(again)).some((c) => c.fn === 'Finish'), 'the LMS Finish after the SCO finished');
      expect(await committed(again)).toMatchObject({ 'cmi.core.lesson_status': 'passed', 'cmi.core.score.raw': '85', 'cmi.core.lesson_location': 'page-2' });
      expect(await stateOf(dispatches.p12.id, 'emp-1001')).toMatchObject({ successStatus: 'passed', scoreRaw: 85 });
    });
    await again.close();
    const report = (await api('GET', `/api/customers/${customer}/report`)).body;
    expect(report.courses.find((c: { courseId: string }) => c.courseId === course12)).toMatchObject({ learners: 1, completions: 1, passed: 1 });
  });

  it('SCORM 2004 in a new window: the package finds the LMS API through window.opener and the SCO’s result, interactions, objectives and comments reach it', async () => {
    const page = await browser.context.newPage();
    await withScreenshot(page, 'dispatch-2004-window', async () => {
      const popup = page.context().waitForEvent('page');
      await page.goto(lms.url({ pkg: 'p2004', scorm: '2004', learner: 'emp-2002', name: 'Turing, Alan', mode: 'window' }));
      const win = await popup;
      const frame = await sco(win);
      const got = await frame.evaluate(() => {
        const a = (window.parent as unknown as { API_1484_11: Api12 }).API_1484_11;
        const out = { id: a.GetValue('cmi.learner_id'), name: a.GetValue('cmi.learner_name') };
        a.SetValue('cmi.score.scaled', '1'); // the course's passing score is 1.0 (its manifest): the runtime evaluates success from it
        a.SetValue('cmi.success_status', 'passed');
        a.SetValue('cmi.completion_status', 'completed');
        a.SetValue('cmi.location', 'end');
        a.SetValue('cmi.session_time', 'PT1M');
        a.SetValue('cmi.interactions.0.id', 'urn:q:1');
        a.SetValue('cmi.interactions.0.type', 'choice');
        a.SetValue('cmi.interactions.0.learner_response', 'a[,]c');
        a.SetValue('cmi.interactions.0.result', 'incorrect');
        a.SetValue('cmi.interactions.0.description', 'Pick the safe ones');
        const o = a.GetValue('cmi.objectives._count'); // after the course's own objectives (its manifest)
        a.SetValue(`cmi.objectives.${o}.id`, 'urn:obj:1');
        a.SetValue(`cmi.objectives.${o}.success_status`, 'passed');
        a.SetValue(`cmi.objectives.${o}.score.scaled`, '0.9');
        a.SetValue('cmi.comments_from_learner.0.comment', 'Clear.');
        a.SetValue('cmi.comments_from_learner.0.location', 'end');
        a.Commit('');
        a.Terminate('');
        return out;
      });
      expect(got).toEqual({ id: 'emp-2002', name: 'Turing, Alan' });
      await eventually(async () => (await calls(page)).some((c) => c.fn === 'Finish'), 'the LMS Terminate');
      expect(await committed(page)).toMatchObject({
        'cmi.completion_status': 'completed',
        'cmi.success_status': 'passed',
        'cmi.score.scaled': '1',
        'cmi.location': 'end',
        'cmi.session_time': 'PT0H1M0S',
        'cmi.interactions.0.id': 'urn:q:1',
        'cmi.interactions.0.learner_response': 'a[,]c',
        'cmi.interactions.0.result': 'incorrect',
        'cmi.interactions.0.description': 'Pick the safe ones',
        'cmi.comments_from_learner.0.comment': 'Clear.',
        'cmi.comments_from_learner.0.location': 'end',
      });
      // the LMS's objectives: the course's own, found or added by id, and the SCO's new one with its values
      const held = (await committed(page)) ?? {};
      const at = Object.keys(held).find((k) => held[k] === 'urn:obj:1')?.replace(/\.id$/, '');
      expect(at && [held[`${at}.success_status`], held[`${at}.score.scaled`]]).toEqual(['passed', '0.9']);
      expect(held['cmi.objectives.0.id']).toBe('PRIMARY-OBJ');
      expect((await calls(page)).filter((c) => c.fn === 'SetValue' && c.result !== 'true')).toEqual([]);
      await win.close();
    });
    await page.close();
  });

  it('a new course version reaches the imported package without re-import', async () => {
    const version = await upload(await importDriven('scorm12-single-sco', { 'extra.txt': 'v2' }), `/api/courses/${course12}/versions`);
    expect(version).toBe(course12);
    const current = (await api('GET', `/api/courses/${course12}`)).body.currentVersion.id as string;
    const page = await browser.context.newPage();
    await withScreenshot(page, 'dispatch-new-version', async () => {
      await page.goto(lms.url({ pkg: 'p12', scorm: '1.2', learner: 'emp-new', name: 'New, Nora' }));
      const frame = await sco(page);
      expect(frame.url()).toContain(`/content/${current}/`);
    });
    await page.close();
  });

  it('resumes from the LMS’s own suspend data and location when the bridge has no record of the learner', async () => {
    const page = await browser.context.newPage();
    await withScreenshot(page, 'dispatch-lms-resume', async () => {
      // what this LMS kept from an earlier session the bridge never recorded (e.g. another dispatch of the course)
      await page.goto(`${lms.origin}/blank.html`);
      await page.evaluate(() =>
        localStorage.setItem('lms:p12:emp-4004', JSON.stringify({ 'cmi.core.lesson_location': 'chapter-7', 'cmi.suspend_data': 'kept-by-lms', 'cmi.core.exit': 'suspend', 'cmi.core.lesson_status': 'incomplete' })),
      );
      await page.goto(lms.url({ pkg: 'p12', scorm: '1.2', learner: 'emp-4004', name: 'Hamilton, Margaret' }));
      const frame = await sco(page);
      const resumed = await frame.evaluate(() => {
        const a = (window.parent as unknown as { API: Api12 }).API;
        return { entry: a.LMSGetValue('cmi.core.entry'), location: a.LMSGetValue('cmi.core.lesson_location'), suspend: a.LMSGetValue('cmi.suspend_data') };
      });
      expect(resumed).toEqual({ entry: 'resume', location: 'chapter-7', suspend: 'kept-by-lms' });
      expect(await stateOf(dispatches.p12.id, 'emp-4004')).toMatchObject({ location: 'chapter-7', suspendData: 'kept-by-lms' });
    });
    await page.close();
  });

  it('interactions, objectives and comments reach the LMS’s own arrays once each; a value the LMS refuses comes back to the SCO on its next Commit', async () => {
    const url = lms.url({ pkg: 'p12', scorm: '1.2', learner: 'emp-7007', name: 'Ride, Sally' });
    const page = await browser.context.newPage();
    await withScreenshot(page, 'dispatch-records-12', async () => {
      await page.goto(url);
      const frame = await sco(page);
      await frame.evaluate(() => {
        const a = (window.parent as unknown as { API: Api12 }).API;
        a.LMSSetValue('cmi.interactions.0.id', 'q1');
        a.LMSSetValue('cmi.interactions.0.type', 'choice');
        a.LMSSetValue('cmi.interactions.0.student_response', 'a');
        a.LMSSetValue('cmi.interactions.0.correct_responses.0.pattern', 'b');
        a.LMSSetValue('cmi.interactions.0.result', 'wrong');
        a.LMSSetValue('cmi.interactions.0.latency', '00:00:05');
        a.LMSSetValue('cmi.interactions.0.objectives.0.id', 'obj-1');
        a.LMSSetValue('cmi.objectives.0.id', 'obj-1');
        a.LMSSetValue('cmi.objectives.0.status', 'failed');
        a.LMSSetValue('cmi.objectives.0.score.raw', '40');
        a.LMSSetValue('cmi.comments', 'Too short.');
        a.LMSSetValue('cmi.core.exit', 'suspend');
        a.LMSCommit('');
      });
      await eventually(async () => (await committed(page))?.['cmi.interactions.0.result'] === 'wrong', 'the interaction in the LMS');
      expect(await committed(page)).toMatchObject({
        'cmi.interactions.0.id': 'q1',
        'cmi.interactions.0.type': 'choice',
        'cmi.interactions.0.student_response': 'a',
        'cmi.interactions.0.correct_responses.0.pattern': 'b',
        'cmi.interactions.0.latency': '00:00:05',
        'cmi.interactions.0.objectives.0.id': 'obj-1',
        'cmi.objectives.0.id': 'obj-1',
        'cmi.objectives.0.status': 'failed',
        'cmi.objectives.0.score.raw': '40',
        'cmi.comments': 'Too short.',
      });
      // a response over 1.2's 255 characters: the hosted runtime takes it, this LMS refuses it (405) …
      const long = 'x'.repeat(300);
      expect(await frame.evaluate((v) => {
        const a = (window.parent as unknown as { API: Api12 }).API;
        a.LMSSetValue('cmi.interactions.1.id', 'q2');
        a.LMSSetValue('cmi.interactions.1.type', 'fill-in');
        a.LMSSetValue('cmi.interactions.1.student_response', v);
        a.LMSSetValue('cmi.objectives.0.status', 'passed');
        return a.LMSCommit('');
      }, long)).toBe('true');
      await eventually(async () => (await calls(page)).some((c) => c.fn === 'SetValue' && c.args[0] === 'cmi.interactions.1.student_response' && c.error === '405'), 'the LMS’s refusal');
      // … and a Commit of the SCO after the refusal reached the player answers it (false, 405), once
      const answer = () =>
        frame.evaluate(() => {
          const a = (window.parent as unknown as { API: Api12 }).API;
          return a.LMSCommit('') === 'false' ? [a.LMSGetLastError(), a.LMSCommit(''), a.LMSGetLastError()] : null;
        });
      expect(await eventually(answer, 'a Commit answering the LMS’s refusal')).toEqual(['405', 'true', '0']);
      // the objective, found by its id, was updated in place
      expect(await committed(page)).toMatchObject({ 'cmi.objectives.0.status': 'passed', 'cmi.interactions.1.id': 'q2' });
      expect(await committed(page)).not.toHaveProperty('cmi.objectives.1.id');
    });
    await page.close({ runBeforeUnload: true });
    // a relaunch: what the LMS got before is not journaled again; a new interaction is its next entry
    const again = await browser.context.newPage();
    await withScreenshot(again, 'dispatch-records-12-relaunch', async () => {
      await again.goto(url);
      const frame = await sco(again);
      await frame.evaluate(() => {
        const a = (window.parent as unknown as { API: Api12 }).API;
        const next = a.LMSGetValue('cmi.interactions._count');
        a.LMSSetValue(`cmi.interactions.${next}.id`, 'q3');
        a.LMSSetValue(`cmi.interactions.${next}.result`, 'correct');
        a.LMSCommit('');
      });
      await eventually(async () => Object.values((await committed(again)) ?? {}).includes('q3'), 'the new interaction in the LMS');
      const held = (await committed(again)) ?? {};
      expect(Object.entries(held).filter(([k]) => /^cmi\.interactions\.\d+\.id$/.test(k)).map(([, v]) => v)).toEqual(['q1', 'q2', 'q3']);
      expect(held['cmi.comments']).toBe('Too short.');
    });
    await again.close();
  }, 60_000);

  it('a multi-SCO course: the LMS’s one SCO gets the course’s result after each SCO (the project’s roll-up), not the last SCO’s values, and stays open while the learner moves between SCOs in the player', async () => {
    const page = await browser.context.newPage();
    await withScreenshot(page, 'dispatch-multi-sco', async () => {
      await page.goto(lms.url({ pkg: 'm12', scorm: '1.2', learner: 'emp-6001', name: 'Johnson, Katherine' }));
      const player = await eventually(async () => page.frames().find((f) => f.url().startsWith(`${app.contentUrl}/player/`)), 'the player frame');
      /** Opens a SCO from the player's table of contents (a click event: the LMS's 640-pixel frame leaves it out of view). */
      const open = (title: string) => player.locator('#bridge-toc button', { hasText: title }).dispatchEvent('click');

      await playSco(page, 'sco1.html', { 'cmi.core.lesson_status': 'passed', 'cmi.core.score.raw': '90', 'cmi.core.session_time': '00:01:00' });
      // one SCO of three done: the course is incomplete, its score the mean of the SCOs that report one
      await lmsHolds(page, { 'cmi.core.lesson_status': 'incomplete', 'cmi.core.score.raw': '90', 'cmi.core.score.min': '0', 'cmi.core.score.max': '100', 'cmi.core.session_time': '00:01:00.00' });
      await open('Lesson 2');
      await playSco(page, 'sco2.html', { 'cmi.core.lesson_status': 'completed', 'cmi.core.session_time': '00:02:00' });
      await lmsHolds(page, { 'cmi.core.lesson_status': 'incomplete', 'cmi.core.score.raw': '90', 'cmi.core.session_time': '00:03:00.00' });
      await open('Lesson 3');
      await playSco(page, 'module2/sco3.html', { 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '60', 'cmi.core.session_time': '00:03:00' }); // below its mastery score 75.5: failed
      // every SCO completed, one failed: the course failed; the score is the mean of 90 and 60
      await lmsHolds(page, { 'cmi.core.lesson_status': 'failed', 'cmi.core.score.raw': '75', 'cmi.core.session_time': '00:06:00.00' });
      // the LMS session stayed open through the SCOs' own LMSFinish calls
      expect((await calls(page)).filter((c) => c.fn === 'Finish')).toEqual([]);
      expect((await calls(page)).filter((c) => c.fn === 'SetValue' && c.result !== 'true')).toEqual([]);
      // what the LMS holds is what the bridge records
      const report = (await api('GET', `/api/customers/${customer}/report`)).body;
      expect(report.courses.find((c: { courseId: string }) => c.courseId === courseMulti12)).toMatchObject({ learners: 1, completions: 1, passed: 0 });
    });
    await page.close({ runBeforeUnload: true });
  }, 60_000);

  it('a SCORM 2004 course with sequencing: the LMS gets the root activity’s result after the server’s rollup (the exam decides), as the bridge records it', async () => {
    const page = await browser.context.newPage();
    await withScreenshot(page, 'dispatch-multi-sco-2004', async () => {
      await page.goto(lms.url({ pkg: 'm2004', scorm: '2004', learner: 'emp-6002', name: 'Vaughan, Dorothy' }));
      const player = await eventually(async () => page.frames().find((f) => f.url().startsWith(`${app.contentUrl}/player/`)), 'the player frame');
      await playSco(page, 'intro.html', { 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed', 'cmi.score.scaled': '1', 'cmi.session_time': 'PT1M' });
      await lmsHolds(page, { 'cmi.completion_status': 'incomplete', 'cmi.session_time': 'PT0H1M0S' });
      await player.locator('#bridge-toc button', { hasText: 'Exam' }).dispatchEvent('click');
      await playSco(page, 'exam.html', { 'cmi.completion_status': 'completed', 'cmi.success_status': 'failed', 'cmi.score.scaled': '0.4', 'cmi.session_time': 'PT2M' });
      // the root: completed, failed, and the exam's measure alone (the SCOs' mean would be 0.7)
      await lmsHolds(page, { 'cmi.completion_status': 'completed', 'cmi.success_status': 'failed', 'cmi.score.scaled': '0.4', 'cmi.score.raw': '40', 'cmi.session_time': 'PT0H3M0S' });
      expect((await calls(page)).filter((c) => c.fn === 'Finish')).toEqual([]);
      const report = (await api('GET', `/api/customers/${customer}/report`)).body;
      expect(report.courses.find((c: { courseId: string }) => c.courseId === courseExam2004)).toMatchObject({ learners: 1, completions: 1, passed: 0 });
    });
    await page.close({ runBeforeUnload: true });
  }, 60_000);

  it('frames without an origin: a srcdoc frame plays with its inherited origin; a sandbox without allow-same-origin gets a readable page, and nothing is exchanged', async () => {
    const page = await browser.context.newPage();
    await withScreenshot(page, 'dispatch-null-origin', async () => {
      // srcdoc: location.origin is "null" but the document has the LMS's origin, which the relay checks
      await page.goto(lms.url({ pkg: 'p12', scorm: '1.2', learner: 'emp-5005', name: 'Noether, Emmy', mode: 'srcdoc' }));
      const frame = await sco(page);
      expect(await page.frames().find((f) => f.url() === 'about:srcdoc')?.evaluate(() => [location.origin, self.origin])).toEqual(['null', lms.origin]);
      await frame.evaluate(() => {
        const a = (window.parent as unknown as { API: Api12 }).API;
        a.LMSSetValue('cmi.core.lesson_location', 'srcdoc-page');
        a.LMSCommit('');
      });
      await eventually(async () => (await committed(page))?.['cmi.core.lesson_location'] === 'srcdoc-page', 'the LMS commit from a srcdoc package');
      expect(await db().getRepository(LicenceSeat).countBy({ platformId: lmsSeatId(customer, lms.origin), sub: 'emp-5005' })).toBe(1);

      // sandboxed without allow-same-origin: the package page says why and touches nothing
      await page.goto(lms.url({ pkg: 'p12', scorm: '1.2', learner: 'emp-5006', name: 'Germain, Sophie', mode: 'sandbox' }));
      const pkg = await eventually(async () => page.frames().find((f) => f.url().endsWith('/pkg/p12/index.html')), 'the sandboxed package page');
      const said = await eventually(async () => pkg.evaluate(() => document.getElementById('dispatch-message')?.textContent), 'the package page’s message');
      expect(said).toMatch(/sandboxed frame that has no origin[\s\S]*allow-same-origin/);
      expect(await calls(page)).toEqual([]);
      expect(page.frames().some((f) => f.url().startsWith(`${app.contentUrl}/`))).toBe(false);

      // the bridge page itself, framed by a page without an origin (declared or as the browser says): refused, readably
      await page.goto(`${lms.origin}/blank.html`);
      await page.setContent(`<iframe src="${dispatches.p12.launchUrl}?lms=null"></iframe>`);
      expect(await bridgeText(page)).toMatch(/frame without an origin[\s\S]*dispatch_frame_sandboxed/);
      const inner = `<iframe src='${dispatches.p12.launchUrl}?lms=${encodeURIComponent(lms.origin)}'></iframe>`;
      await page.setContent(`<iframe sandbox="allow-scripts" srcdoc="${inner}"></iframe>`);
      expect(await bridgeText(page)).toMatch(/frame without an origin[\s\S]*dispatch_frame_sandboxed/);
      expect(await db().getRepository(Learner).countBy({ sub: 'emp-5006' })).toBe(0);
    });
    await page.close();
  });

  it('refuses with a readable page inside the LMS frame: licence states, suspended customer, revoked dispatch, a bridge framed by another page', async () => {
    const page = await browser.context.newPage();
    const url = lms.url({ pkg: 'p12', scorm: '1.2', learner: 'emp-3003', name: 'Liskov, Barbara' });
    await withScreenshot(page, 'dispatch-refusals', async () => {
      await api('PATCH', `/api/licences/${licence}`, { state: 'suspended' });
      await page.goto(url);
      expect(await bridgeText(page)).toMatch(/paused your organisation’s access[\s\S]*lti_licence_suspended/);
      await api('PATCH', `/api/licences/${licence}`, { state: 'active', endsAt: new Date(Date.now() - 60_000).toISOString() });
      await page.goto(url);
      expect(await bridgeText(page)).toMatch(/access ended on[\s\S]*lti_licence_expired/);
      await api('PATCH', `/api/licences/${licence}`, { endsAt: null });
      await api('PATCH', `/api/customers/${customer}`, { state: 'suspended' });
      await page.goto(url);
      expect(await bridgeText(page)).toMatch(/access has been paused[\s\S]*lti_customer_suspended/);
      await api('PATCH', `/api/customers/${customer}`, { state: 'active' });
      // nothing was recorded for the refused learner
      expect(await db().getRepository(Learner).countBy({ sub: 'emp-3003' })).toBe(0);

      // the bridge page framed by a page that declares another origin than its own: no launch
      await page.goto(`${lms.origin}/blank.html`);
      await page.setContent(`<iframe src="${dispatches.p12.launchUrl}?lms=${encodeURIComponent('https://lms.example')}"></iframe>`);
      expect(await bridgeText(page)).toMatch(/opens only inside your LMS[\s\S]*dispatch_launch_invalid/);

      await api('POST', `/api/customers/${customer}/dispatches/${dispatches.p12.id}/revoke`);
      await page.goto(url);
      expect(await bridgeText(page)).toMatch(/withdrawn this course package[\s\S]*dispatch_revoked/);
    });
    await page.close();
  });

  it('the console dispatches a course to the customer, downloads its zip and revokes it after a confirmation', async () => {
    const page = await signedInConsole(browser, app.appUrl, app.token);
    await withScreenshot(page, 'dispatch-console', async () => {
      await page.goto(`${app.appUrl}/console/#/customers/${customer}`);
      const section = page.getByTestId('dispatches');
      await section.getByLabel('Course', { exact: true }).selectOption({ label: 'SCORM 2004 3rd edition course' });
      await section.getByLabel('Title in the LMS', { exact: true }).fill('Quiz for Acme');
      await section.getByRole('button', { name: 'Create dispatch' }).click();
      const row = section.getByRole('row', { name: /Quiz for Acme/ });
      await row.waitFor();
      const download = page.waitForEvent('download');
      await row.getByRole('link', { name: 'Download the SCORM 2004 zip of Quiz for Acme' }).click();
      const file = await (await download).path();
      const files = await readZip(fs.readFileSync(file));
      expect([...files.keys()].sort()).toEqual(['dispatch.js', 'imsmanifest.xml', 'index.html']);
      expect(files.get('imsmanifest.xml')?.toString()).toContain('<title>Quiz for Acme</title>');
      await row.getByRole('button', { name: 'Revoke Quiz for Acme' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.textContent()).resolves.toContain('Learners’ attempts and results are kept');
      await dialog.getByRole('button', { name: 'Revoke dispatch' }).click();
      await section.locator('tr[data-state="revoked"]', { hasText: 'Quiz for Acme' }).waitFor();
      await expect(page.locator('#toast').textContent()).resolves.toBe('Dispatch “Quiz for Acme” revoked.');
      const listed = (await api('GET', `/api/customers/${customer}/dispatches`)).body as Array<{ title: string; state: string }>;
      expect(listed.find((d) => d.title === 'Quiz for Acme')?.state).toBe('revoked');
    });
    await page.close();
  });
});
