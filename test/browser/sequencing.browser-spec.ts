import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { Attempt } from '../../src/attempts/attempt.entity';
import { Learner } from '../../src/attempts/learner.entity';
import { eventually, launchBrowser, scoFrame, TestBrowser, withScreenshot } from '../support/browser';
import { importFixtureCourse, ltiPlayerUrl } from '../support/lti-player';
import { attachAgs, AgsEmulator } from '../support/emulator-ags';
import { LtiTestbed, startLtiTestbed } from '../support/platform-emulator';

const RESULTS = path.resolve(__dirname, '../../test-results');

type Control = 'hidden' | 'disabled' | 'enabled';
interface Controls {
  previous: Control;
  next: Control;
  suspend: Control;
  exit: Control;
  /** The table of contents as shown (null when hidden); disabled entries marked. */
  toc: string[] | null;
}

/**
 * SCORM 2004 sequencing in the player (docs/sequencing.md, "The player"): the sequencing fixtures of
 * fixtures/packages/seq-* imported as they are, launched from the LTI platform emulator, played by
 * clicking the SCOs' own answer buttons and the player's controls in Chromium. Each test asserts the
 * SCOs the engine delivered, in order, and the controls the player showed on the way.
 */
describe('Sequencing in Chromium (LTI launch → engine-driven navigation)', () => {
  let tb: LtiTestbed;
  let browser: TestBrowser;
  let ags: AgsEmulator;
  const courses: Record<string, string> = {};

  beforeAll(async () => {
    browser = await launchBrowser();
    tb = await startLtiTestbed();
    ags = attachAgs(tb.emu);
    for (const name of ['seq-pretest', 'seq-forced-order', 'seq-remediation', 'seq-random-test', 'seq-global-objectives', 'seq-suspend-resume']) {
      courses[name] = await importFixtureCourse(tb, name);
    }
    fs.mkdirSync(RESULTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await tb?.close();
  });

  /** A player page launched as `sub`, recording the page of every SCO delivered into the content frame. */
  async function open(course: string, sub: string, claims: Record<string, unknown> = {}): Promise<{ page: Page; delivered: string[] }> {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1100, height: 700 });
    const delivered: string[] = [];
    page.on('framenavigated', (f) => {
      const m = /\/content\/.*\/([^/?#]+\.html)/.exec(f.url());
      if (f !== page.mainFrame() && m) {
        delivered.push(m[1]);
      }
    });
    await page.goto(await ltiPlayerUrl(tb, courses[course], sub, undefined, claims));
    return { page, delivered };
  }

  /** Clicks one of the SCO's own buttons (sco.js sets its values, commits and terminates). */
  async function answer(page: Page, file: string, label: string): Promise<void> {
    const frame = await scoFrame(page, file);
    await frame.getByRole('button', { name: label, exact: true }).click();
  }

  function controls(page: Page): Promise<Controls> {
    return page.evaluate(() => {
      const state = (id: string): 'hidden' | 'disabled' | 'enabled' => {
        const b = document.getElementById(id) as HTMLButtonElement;
        return b.closest('[hidden]') ? 'hidden' : b.disabled ? 'disabled' : 'enabled';
      };
      const toc = document.getElementById('bridge-toc') as HTMLElement;
      return {
        previous: state('bridge-prev'),
        next: state('bridge-next'),
        suspend: state('bridge-suspend'),
        exit: state('bridge-exit'),
        toc: toc.hidden ? null : Array.from(toc.querySelectorAll('button')).map((b) => `${b.textContent ?? ''}${b.disabled ? ' (disabled)' : ''}`),
      };
    });
  }

  /** Waits until the controls read `expected` (they follow the engine's validity update), then asserts them. */
  async function expectControls(page: Page, expected: Partial<Controls>): Promise<void> {
    const matches = (c: Controls) => Object.entries(expected).every(([k, v]) => JSON.stringify(c[k as keyof Controls]) === JSON.stringify(v));
    await eventually(async () => matches(await controls(page)), `controls ${JSON.stringify(expected)}`, 5000).catch(() => undefined);
    expect(await controls(page)).toMatchObject(expected);
  }

  async function message(page: Page, pattern: RegExp): Promise<string> {
    return eventually(async () => {
      const el = page.locator('#bridge-message');
      const text = (await el.isVisible()) ? ((await el.textContent()) ?? '') : '';
      return pattern.test(text) ? text : null;
    }, `the message ${String(pattern)}`);
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(RESULTS, `${name}.png`) });

  it('pre-test passed: both lessons are skipped, the summary follows and the course is complete', async () => {
    const { page, delivered } = await open('seq-pretest', 'seq-pretest-knows');
    await withScreenshot(page, 'seq-pretest-passed', async () => {
      await scoFrame(page, 'pretest.html');
      // choice="false": no table of contents; flow: Next enabled, Previous shown but nothing before the pre-test
      await expectControls(page, { toc: null, previous: 'disabled', next: 'enabled', suspend: 'enabled', exit: 'enabled' });
      await answer(page, 'pretest.html', 'Pass the pre-test (90%)');
      await scoFrame(page, 'summary.html');
      await shot(page, 'seq-pretest-summary');
      await answer(page, 'summary.html', 'Finish the course');
      await message(page, /completed this course/);
      expect(delivered).toEqual(['pretest.html', 'summary.html']);
      await expectControls(page, { suspend: 'hidden', exit: 'hidden' });
      expect(await page.locator('#bridge-frame').getAttribute('src')).toBeNull();
    });
    await page.close();
  });

  it('pre-test failed: the lessons are delivered in order before the summary', async () => {
    const { page, delivered } = await open('seq-pretest', 'seq-pretest-learns');
    await withScreenshot(page, 'seq-pretest-failed', async () => {
      await answer(page, 'pretest.html', 'Fail the pre-test (30%)');
      await answer(page, 'lesson1.html', 'Finish lesson 1');
      await expectControls(page, { previous: 'enabled', next: 'enabled' });
      await answer(page, 'lesson2.html', 'Finish lesson 2');
      await answer(page, 'summary.html', 'Finish the course');
      await message(page, /completed this course/);
      expect(delivered).toEqual(['pretest.html', 'lesson1.html', 'lesson2.html', 'summary.html']);
    });
    await page.close();
  });

  it('forced order: no table of contents, no Previous, choice refused by the engine; Next after a SCO that only finished', async () => {
    const { page, delivered } = await open('seq-forced-order', 'seq-forced');
    await withScreenshot(page, 'seq-forced-order', async () => {
      const part1 = await scoFrame(page, 'part1.html');
      await expectControls(page, { toc: null, previous: 'hidden', next: 'enabled' });
      const valid = await part1.evaluate(() => {
        const api = (window.parent as unknown as { API_1484_11: Record<string, (e: string) => string> }).API_1484_11;
        return { choice: api.GetValue('adl.nav.request_valid.choice.{target=PART-3}'), continue: api.GetValue('adl.nav.request_valid.continue'), previous: api.GetValue('adl.nav.request_valid.previous') };
      });
      expect(valid).toEqual({ choice: 'false', continue: 'true', previous: 'false' });
      // finished without a navigation request: the player says so instead of leaving the SCO on screen
      await answer(page, 'part1.html', 'Done');
      await message(page, /finished\. Choose where to go next/);
      await shot(page, 'seq-forced-order-finished');
      await page.locator('#bridge-next').click();
      await answer(page, 'part2.html', 'Done, next part');
      await answer(page, 'part3.html', 'Done, next part');
      await message(page, /completed this course/);
      expect(delivered).toEqual(['part1.html', 'part2.html', 'part3.html']);
    });
    await page.close();
  });

  it('Exit course after a SCO ended itself: the player reports the request, the attempt ends and the next launch starts afresh', async () => {
    const sub = 'seq-forced-exit';
    const attempts = () =>
      tb.app.server.app
        .get(DataSource)
        .getRepository(Attempt)
        .createQueryBuilder('a')
        .innerJoin(Learner, 'l', 'l.id = a.learnerId')
        .where('l.sub = :sub', { sub })
        .orderBy('a.number')
        .getMany();
    const first = await open('seq-forced-order', sub);
    await withScreenshot(first.page, 'seq-exit-after-finish', async () => {
      await answer(first.page, 'part1.html', 'Done');
      await message(first.page, /finished\. Choose where to go next/);
      expect((await attempts()).map((a) => a.completedAt)).toEqual([null]);
      // No SCO is running: only the state's save can carry the learner's Exit course to the server.
      await first.page.locator('#bridge-exit').click();
      await message(first.page, /left the course/);
      await eventually(async () => (await attempts())[0].completedAt !== null, 'the attempt ended on the server');
    });
    await first.page.close();
    const second = await open('seq-forced-order', sub);
    await withScreenshot(second.page, 'seq-exit-relaunch', async () => {
      await scoFrame(second.page, 'part1.html');
      expect(second.delivered).toEqual(['part1.html']);
      expect((await attempts()).map((a) => a.number)).toEqual([1, 2]);
    });
    await second.page.close();
  });

  it('remediation: a failed quiz brings the remediation, then the quiz again; a passed quiz skips it', async () => {
    const { page, delivered } = await open('seq-remediation', 'seq-remediation-learner');
    await withScreenshot(page, 'seq-remediation', async () => {
      await answer(page, 'lesson.html', 'Finish the lesson');
      await answer(page, 'quiz.html', 'Answer badly (40%)');
      await scoFrame(page, 'remediation.html');
      await shot(page, 'seq-remediation-delivered');
      await answer(page, 'remediation.html', 'Finish the remediation');
      await eventually(async () => delivered.length === 4, 'the quiz again');
      await answer(page, 'quiz.html', 'Answer well (90%)');
      await message(page, /completed this course|end of this course/);
      expect(delivered).toEqual(['lesson.html', 'quiz.html', 'remediation.html', 'quiz.html']);
    });
    await page.close();
  });

  it('random test: two of the four questions, listed in the table of contents in the order they are delivered', async () => {
    const lineitem = ags.addLineItem({ label: 'Random test' });
    const sub = 'seq-random-learner';
    const { page, delivered } = await open('seq-random-test', sub, { 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitem } });
    await withScreenshot(page, 'seq-random-test', async () => {
      await eventually(async () => delivered.length === 1, 'the first question');
      const toc = await eventually(async () => {
        const c = await controls(page);
        return c.toc && c.toc.length === 3 ? c.toc : null;
      }, 'the table of contents');
      expect(toc[0]).toBe('Test: two questions of four');
      const picked = toc.slice(1).map((t) => /Question (\d)/.exec(t)?.[1]);
      expect(picked.every((n) => n && ['1', '2', '3', '4'].includes(n))).toBe(true);
      expect(new Set(picked).size).toBe(2);
      await shot(page, 'seq-random-test-toc');
      await answer(page, `q${picked[0]}.html`, 'Right answer');
      await answer(page, `q${picked[1]}.html`, 'Wrong answer');
      await message(page, /completed this course|end of this course/);
      expect(delivered).toEqual(picked.map((n) => `q${n}.html`));
      // the grade is the root's rolled-up measure, worked out by the server: one right answer of two
      const grade = await eventually(async () => {
        const g = ags.grade(lineitem, sub);
        return g?.score.activityProgress === 'Completed' ? g : null;
      }, 'the score at the LMS', 15_000);
      expect(Number(grade.score.scoreGiven) / Number(grade.score.scoreMaximum)).toBeCloseTo(0.5, 5);
    });
    await page.close();
  });

  it('global objectives: what "Learn the rule" writes, "Apply the rule" reads, and the refresher becomes disabled', async () => {
    const { page, delivered } = await open('seq-global-objectives', 'seq-global-learner');
    await withScreenshot(page, 'seq-global-objectives', async () => {
      await scoFrame(page, 'learn.html');
      await expectControls(page, { toc: ['Learn the rule', 'Apply the rule', 'Refresher'], previous: 'disabled', next: 'enabled' });
      await answer(page, 'learn.html', 'I know the rule');
      const apply = await scoFrame(page, 'apply.html');
      const read = await apply.evaluate(() => {
        const api = (window.parent as unknown as { API_1484_11: Record<string, (e: string) => string> }).API_1484_11;
        const n = Number(api.GetValue('cmi.objectives._count'));
        const out: Record<string, string> = {};
        for (let i = 0; i < n; i++) {
          out[api.GetValue(`cmi.objectives.${i}.id`)] = api.GetValue(`cmi.objectives.${i}.success_status`);
        }
        return out;
      });
      expect(read).toEqual({ 'apply-done': 'unknown', 'rule-known': 'passed' });
      await expectControls(page, { toc: ['✓ Learn the rule', 'Apply the rule', 'Refresher (disabled)'] });
      await shot(page, 'seq-global-objectives-apply');
      expect(delivered).toEqual(['learn.html', 'apply.html']);
    });
    await page.close();
  });

  it('suspend all, then resume: the learner is back in the chapter they left, with its data; a tab closed without suspending resumes too', async () => {
    const sub = 'seq-suspend-learner';
    const first = await open('seq-suspend-resume', sub);
    await withScreenshot(first.page, 'seq-suspend', async () => {
      await answer(first.page, 'chapter1.html', 'Finish the chapter');
      const ch2 = await scoFrame(first.page, 'chapter2.html');
      await ch2.evaluate(() => (window.parent as unknown as { API_1484_11: Record<string, (e: string, v: string) => string> }).API_1484_11.SetValue('cmi.location', 'page-4'));
      await first.page.locator('#bridge-suspend').click();
      await message(first.page, /place is saved/);
      expect(first.delivered).toEqual(['chapter1.html', 'chapter2.html']);
    });
    await first.page.close();

    const second = await open('seq-suspend-resume', sub);
    await withScreenshot(second.page, 'seq-resume', async () => {
      const ch2 = await scoFrame(second.page, 'chapter2.html');
      const seen = await ch2.evaluate(() => {
        const api = (window.parent as unknown as { API_1484_11: Record<string, (e: string) => string> }).API_1484_11;
        return { entry: api.GetValue('cmi.entry'), location: api.GetValue('cmi.location') };
      });
      expect(seen).toEqual({ entry: 'resume', location: 'page-4' });
      await expectControls(second.page, { toc: ['✓ Chapter 1', 'Chapter 2', 'Chapter 3'], previous: 'enabled', next: 'enabled' });
      await shot(second.page, 'seq-resume');
      await answer(second.page, 'chapter2.html', 'Finish the chapter');
      await scoFrame(second.page, 'chapter3.html');
      expect(second.delivered).toEqual(['chapter2.html', 'chapter3.html']);
    });
    await second.page.close({ runBeforeUnload: true });

    const third = await open('seq-suspend-resume', sub);
    await withScreenshot(third.page, 'seq-closed-tab', async () => {
      await scoFrame(third.page, 'chapter3.html');
      expect(third.delivered).toEqual(['chapter3.html']);
      await answer(third.page, 'chapter3.html', 'Finish the chapter');
      await message(third.page, /completed this course/);
    });
    await third.page.close();
  });
});
