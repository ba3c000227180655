import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { ScoState } from '../../src/attempts/sco-state.entity';
import { Attempt } from '../../src/attempts/attempt.entity';
import { Learner } from '../../src/attempts/learner.entity';
import { launchBrowser, scoFrame, TestBrowser, withScreenshot, eventually } from '../support/browser';
import { startLtiTestbed, LtiTestbed } from '../support/platform-emulator';
import { attachAgs, AgsEmulator } from '../support/emulator-ags';
import { FIXTURE_PACKAGES_DIR } from '../support/scorm-package.builder';
import { importFixtureCourse, ltiPlayerUrl } from '../support/lti-player';

/**
 * The player in a real browser, entered through a real LTI launch from the platform emulator. The
 * fixture SCOs are imported with `?commit=none` on every resource href, so the SCO only calls
 * Initialize and the test drives the rest of the SCORM API from inside the SCO frame.
 */
describe('Player in Chromium (LTI launch → SCORM runtime → server)', () => {
  let tb: LtiTestbed;
  let browser: TestBrowser;
  let ags: AgsEmulator;
  const courses: Record<string, string> = {};

  async function importDriven(name: string): Promise<string> {
    const manifest = fs.readFileSync(path.join(FIXTURE_PACKAGES_DIR, name, 'imsmanifest.xml'), 'utf8').replace(/(<resource\b[^>]*\bhref=")([^"?]+)(")/g, '$1$2?commit=none$3');
    return importFixtureCourse(tb, name, { files: { 'imsmanifest.xml': manifest } });
  }

  /** A resource-link launch from the emulator; returns the player URL the tool handed the browser. */
  const ltiLaunch = (courseId: string, sub: string, linkId?: string, extraClaims?: Record<string, unknown>) => ltiPlayerUrl(tb, courseId, sub, linkId, extraClaims);

  const db = () => tb.app.server.app.get(DataSource);
  async function stateOf(sub: string, itemId: string): Promise<ScoState | null> {
    const learner = await db().getRepository(Learner).findOne({ where: { sub } });
    if (!learner) {return null;}
    const attempts = await db().getRepository(Attempt).find({ where: { learnerId: learner.id }, order: { number: 'DESC' } });
    if (!attempts.length) {return null;}
    return db().getRepository(ScoState).findOne({ where: { attemptId: attempts[0].id, itemId } });
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    tb = await startLtiTestbed();
    ags = attachAgs(tb.emu);
    courses.s12 = await importDriven('scorm12-single-sco');
    courses.s2004 = await importDriven('scorm2004-3rd-single-sco');
    courses.multi = await importDriven('scorm2004-4th-multi-sco');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await tb?.close();
  });

  it('SCORM 1.2: the SCO finds window.API, suspends, and resumes in the same place on the next launch', async () => {
    const page = await browser.context.newPage();
    const sub = 'browser-learner-12';
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/player-assets/')) {
        scripts.push(new URL(r.url()).pathname);
      }
    });
    await withScreenshot(page, '12-suspend-resume', async () => {
      await page.goto(await ltiLaunch(courses.s12, sub));
      const frame = await scoFrame(page, 'index.html');
      // a 1.2 course downloads the 1.2 runtime only, never the 2004 one with its sequencing engine
      expect(scripts).toEqual(['/player-assets/player-scorm12.js']);
      const first = await frame.evaluate(() => {
        const api = (window.parent as unknown as { API: Record<string, (...a: string[]) => string> }).API;
        const out = {
          entry: api.LMSGetValue('cmi.core.entry'),
          name: api.LMSGetValue('cmi.core.student_name'),
          id: api.LMSGetValue('cmi.core.student_id'),
          // beyond SCORM 1.2's 4,096 and scorm-again's stock 64,000: the server's MAX_SUSPEND_DATA_CHARS applies
          bigSet: api.LMSSetValue('cmi.suspend_data', 'z'.repeat(100_000)),
          tooBig: api.LMSSetValue('cmi.suspend_data', 'z'.repeat(256_001)),
        };
        api.LMSSetValue('cmi.core.lesson_location', 'page-3');
        api.LMSSetValue('cmi.core.lesson_status', 'incomplete');
        api.LMSSetValue('cmi.core.exit', 'suspend');
        api.LMSSetValue('cmi.core.session_time', '00:00:42');
        api.LMSCommit('');
        api.LMSFinish('');
        return out;
      });
      expect(first).toEqual({ entry: 'ab-initio', name: 'Learner, Ada', id: sub, bigSet: 'true', tooBig: 'false' });
      const saved = await eventually(async () => {
        const s = await stateOf(sub, 'ITEM-1');
        return s?.terminated ? s : null;
      }, 'the terminating commit');
      expect(saved).toMatchObject({ location: 'page-3', exit: 'suspend', completionStatus: 'incomplete', totalTimeSeconds: 42 });
      expect(saved.suspendData).toHaveLength(100_000);

      await page.goto(await ltiLaunch(courses.s12, sub));
      const again = await scoFrame(page, 'index.html');
      const resumed = await again.evaluate(() => {
        const api = (window.parent as unknown as { API: Record<string, (...a: string[]) => string> }).API;
        return { entry: api.LMSGetValue('cmi.core.entry'), location: api.LMSGetValue('cmi.core.lesson_location'), suspend: api.LMSGetValue('cmi.suspend_data').length, total: api.LMSGetValue('cmi.core.total_time') };
      });
      expect(resumed).toMatchObject({ entry: 'resume', location: 'page-3', suspend: 100_000 });
      expect(resumed.total).toMatch(/^0+:00:42(\.0+)?$/); // server-summed session time
    });
    await page.close();
  });

  it('SCORM 1.2 passed with a score: the LMS gradebook receives it as Completed / FullyGraded', async () => {
    const page = await browser.context.newPage();
    const sub = 'browser-learner-graded';
    const lineitem = ags.addLineItem({ label: 'Graded in the browser' });
    await withScreenshot(page, '12-grade-passback', async () => {
      const url = await ltiLaunch(courses.s12, sub, 'link-graded', {
        'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitem },
      });
      await page.goto(url);
      const frame = await scoFrame(page, 'index.html');
      await frame.evaluate(() => {
        const api = (window.parent as unknown as { API: Record<string, (...a: string[]) => string> }).API;
        api.LMSSetValue('cmi.core.score.raw', '90');
        api.LMSSetValue('cmi.core.lesson_status', 'passed');
        api.LMSFinish('');
      });
      const grade = await eventually(async () => {
        const g = ags.grade(lineitem, sub);
        return g?.score.gradingProgress === 'FullyGraded' ? g : null;
      }, 'the score at the LMS', 15_000);
      expect(grade.score).toMatchObject({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', userId: sub });
      expect(Number(grade.score.scoreGiven) / Number(grade.score.scoreMaximum)).toBeCloseTo(0.9, 5);
    });
    await page.close();
  });

  it('SCORM 1.2 finished without a status: completed at the LMS, and a review visit reads "completed" and keeps the grade', async () => {
    const page = await browser.context.newPage();
    const sub = 'browser-learner-review';
    const lineitem = ags.addLineItem({ label: 'Reviewed in the browser' });
    const claims = { 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitem } };
    const completed = () => eventually(async () => (ags.grade(lineitem, sub)?.score.activityProgress === 'Completed' ? ags.grade(lineitem, sub) : null), 'the completion at the LMS', 15_000);
    await withScreenshot(page, '12-review-visit', async () => {
      await page.goto(await ltiLaunch(courses.s12, sub, 'link-review', claims));
      const first = await scoFrame(page, 'index.html');
      await first.evaluate(() => {
        const api = (window.parent as unknown as { API: Record<string, (...a: string[]) => string> }).API;
        api.LMSSetValue('cmi.core.session_time', '00:00:05');
        api.LMSFinish('');
      });
      expect((await completed()).score).toMatchObject({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 100 });

      await page.goto(await ltiLaunch(courses.s12, sub, 'link-review', claims));
      const review = await scoFrame(page, 'index.html');
      const seen = await review.evaluate(() => {
        const api = (window.parent as unknown as { API: Record<string, (...a: string[]) => string> }).API;
        const status = api.LMSGetValue('cmi.core.lesson_status');
        api.LMSSetValue('cmi.core.lesson_location', 'reviewed');
        api.LMSCommit('');
        return status;
      });
      expect(seen).toBe('completed');
      const s = await eventually(async () => {
        const row = await stateOf(sub, 'ITEM-1');
        return row?.location === 'reviewed' ? row : null;
      }, 'the review commit');
      expect(s.completionStatus).toBe('completed');
    });
    await page.close();
    await new Promise((r) => setTimeout(r, 500));
    const sent = ags.scoreRequests().filter((r) => r.url.includes(new URL(lineitem).pathname));
    expect(sent.map((r) => r.score.activityProgress)).not.toContain('InProgress');
    expect(ags.grade(lineitem, sub)?.score).toMatchObject({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 100 });
  });

  it('SCORM 2004: data set right before the tab is closed still reaches the server (unload commit)', async () => {
    const page = await browser.context.newPage();
    const sub = 'browser-learner-close';
    await withScreenshot(page, '2004-tab-closed', async () => {
      await page.goto(await ltiLaunch(courses.s2004, sub));
      const frame = await scoFrame(page, '.html');
      const entry = await frame.evaluate(() => {
        const api = (window.parent as unknown as { API_1484_11: Record<string, (...a: string[]) => string> }).API_1484_11;
        const e = api.GetValue('cmi.entry');
        api.SetValue('cmi.location', 'L7');
        api.SetValue('cmi.suspend_data', 'written just before closing');
        api.SetValue('cmi.exit', 'suspend');
        return e;
      });
      expect(entry).toBe('ab-initio');
    });
    await page.close({ runBeforeUnload: true });
    const saved = await eventually(async () => {
      const learner = await db().getRepository(Learner).findOne({ where: { sub } });
      if (!learner) {return null;}
      const attempt = await db().getRepository(Attempt).findOne({ where: { learnerId: learner.id } });
      const states = attempt ? await db().getRepository(ScoState).find({ where: { attemptId: attempt.id } }) : [];
      return states.find((s) => s.location === 'L7') ?? null;
    }, 'the unload commit');
    expect(saved.suspendData).toBe('written just before closing');
    expect(saved.exit).toBe('suspend');
  });

  it('an expired session shows "relaunch from your LMS", keeps the unsent data, and the next launch delivers it', async () => {
    const page = await browser.context.newPage();
    const sub = 'browser-learner-expired';
    await withScreenshot(page, 'expired-token', async () => {
      await page.goto(await ltiLaunch(courses.s12, sub));
      const frame = await scoFrame(page, 'index.html');
      // the server answers as it does for an expired token (see runtime-commit.e2e-spec for the real refusal)
      await page.route('**/commit', (route) => route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: 'runtime_token_expired', message: 'Your session has expired; relaunch the course from your LMS to continue.' }) }));
      await frame.evaluate(() => {
        const api = (window.parent as unknown as { API: Record<string, (...a: string[]) => string> }).API;
        api.LMSSetValue('cmi.core.lesson_location', 'after-expiry');
        api.LMSSetValue('cmi.suspend_data', 'kept on this device');
        api.LMSCommit('');
      });
      await expect(eventually(async () => ((await page.locator('#bridge-message').isVisible()) ? page.locator('#bridge-message').textContent() : null), 'the message')).resolves.toMatch(/relaunch the course from your LMS/i);
      expect((await stateOf(sub, 'ITEM-1'))?.location ?? null).not.toBe('after-expiry');
      // what the refused commit carried is kept on this device for the next launch
      expect(await page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith('scorm-bridge:pending:')))).toBe(true);
      await page.unroute('**/commit');
    });
    await page.close();
    const next = await browser.context.newPage();
    await withScreenshot(next, 'expired-token-relaunch', async () => {
      await next.goto(await ltiLaunch(courses.s12, sub));
      const frame = await scoFrame(next, 'index.html');
      const saved = await eventually(async () => {
        const s = await stateOf(sub, 'ITEM-1');
        return s?.location === 'after-expiry' ? s : null;
      }, 'the replayed commit');
      expect(saved.suspendData).toBe('kept on this device');
      const seen = await frame.evaluate(() => (window.parent as unknown as { API: Record<string, (...a: string[]) => string> }).API.LMSGetValue('cmi.suspend_data'));
      expect(seen).toBe('kept on this device');
    });
    await next.close();
  });

  it('multi-SCO with sequencing: TOC choices and Next launch each SCO with its own state; an asset is recorded; adl.nav.request goes through the engine', async () => {
    const page = await browser.context.newPage();
    const sub = 'browser-learner-multi';
    await withScreenshot(page, 'multi-sco-toc', async () => {
      await page.goto(await ltiLaunch(courses.multi, sub));
      const intro = await scoFrame(page, 'intro.html');
      const toc = await page.locator('#bridge-toc button').allTextContents();
      // the sequencing engine's tree: the cluster is listed (choosing it flows into it); the invisible item is not
      expect(toc).toEqual(['Introduction', 'Module', 'Lesson', 'Glossary', 'Final quiz']);
      await intro.evaluate(() => {
        const api = (window.parent as unknown as { API_1484_11: Record<string, (...a: string[]) => string> }).API_1484_11;
        api.SetValue('cmi.completion_status', 'completed');
        api.SetValue('cmi.exit', 'normal');
        api.Terminate('');
      });
      await page.locator('#bridge-toc button', { hasText: 'Lesson' }).click();
      const lesson = await scoFrame(page, 'lesson.html');
      const lessonStart = await lesson.evaluate(() => {
        const api = (window.parent as unknown as { API_1484_11: Record<string, (...a: string[]) => string> }).API_1484_11;
        const out = { entry: api.GetValue('cmi.entry'), threshold: api.GetValue('cmi.completion_threshold') };
        api.SetValue('cmi.location', 'lesson-1');
        api.SetValue('cmi.progress_measure', '0.8');
        return out;
      });
      expect(lessonStart).toEqual({ entry: 'ab-initio', threshold: '0.75' });
      // leave the lesson without Terminate: the player commits what it had
      await page.locator('#bridge-next').click();
      await eventually(async () => page.frames().some((f) => f.url().includes('glossary.html')), 'the glossary asset');
      const lessonState = await eventually(async () => {
        const s = await stateOf(sub, 'LESSON');
        return s?.location === 'lesson-1' ? s : null;
      }, 'the lesson state');
      expect(lessonState.completionStatus).toBe('completed'); // 0.8 ≥ threshold 0.75
      expect((await stateOf(sub, 'INTRO'))?.completionStatus).toBe('completed');
      expect((await eventually(() => stateOf(sub, 'GLOSSARY'), 'the asset visit')).completionStatus).toBe('completed');

      await page.locator('#bridge-toc button', { hasText: 'Final quiz' }).click();
      const quiz = await scoFrame(page, 'quiz.html');
      expect(await page.locator('#bridge-next').isHidden()).toBe(true); // hideLMSUI continue
      await quiz.evaluate(() => {
        const api = (window.parent as unknown as { API_1484_11: Record<string, (...a: string[]) => string> }).API_1484_11;
        api.SetValue('cmi.score.scaled', '0.9');
        api.SetValue('adl.nav.request', 'previous');
        api.Terminate('');
      });
      // the engine flows back into the module: its last child is the remediation, hidden from the table
      // of contents (isvisible="false") but still delivered by flow
      await eventually(async () => page.frames().some((f) => f.url().includes('hidden.html')), 'navigation to the previous item');
      const quizState = await eventually(async () => {
        const row = await stateOf(sub, 'QUIZ');
        return row?.terminated ? row : null;
      }, 'the quiz state');
      expect(quizState.successStatus).toBe('passed'); // 0.9 ≥ minNormalizedMeasure 0.6
    });
    await page.close();
  });
});
