import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { RosterService } from '../../src/roster/roster.service';
import { launchBrowser, scoFrame, TestBrowser, withScreenshot } from '../support/browser';
import { attachAgs } from '../support/emulator-ags';
import { attachNrps, instructorMember, learnerMember } from '../support/emulator-nrps';
import { instructorViewUrl, playAndCommit, playerUrlAfterLaunch } from '../support/instructor-view';
import { startLtiTestbed, LtiTestbed } from '../support/platform-emulator';

const RESULTS = path.resolve(__dirname, '../../test-results');
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const ROLE = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';

/**
 * The instructor view in Chromium after a real LTI launch from the platform emulator: the preview
 * banner, the link's learners with a roster member who has not started, and the preview opened in
 * the player. Screenshots: test-results/instructor-view.png and instructor-preview.png.
 */
describe('Instructor view in Chromium (Instructor launch → banner and results → preview)', () => {
  let tb: LtiTestbed;
  let browser: TestBrowser;
  let page: Page;

  const launch = (sub: string, name: string, roles: string[]) =>
    tb.emu.launch({
      toolUrl: tb.app.appUrl,
      courseId: tb.courseId,
      claims: {
        sub,
        name,
        email: `${sub}@example.edu`,
        [`${LTI}roles`]: roles,
        'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitem },
      },
    });
  let lineitem: string;

  beforeAll(async () => {
    [browser, tb] = await Promise.all([launchBrowser(), startLtiTestbed()]);
    lineitem = attachAgs(tb.emu).addLineItem({ context: 'ctx-0001', label: 'Week 1 course' });
    attachNrps(tb.emu).setMembers(
      'ctx-0001',
      [learnerMember('ada', 'Ada Lovelace'), learnerMember('brook', 'Brook Brown'), learnerMember('cyd', 'Cyd Notstarted'), instructorMember('tess', 'Tess Teacher')],
      'Biology 101',
    );
    await playAndCommit(await playerUrlAfterLaunch(await launch('ada', 'Ada Lovelace', [`${ROLE}Learner`])), { status: 'passed', raw: 90 });
    await playAndCommit(await playerUrlAfterLaunch(await launch('brook', 'Brook Brown', [`${ROLE}Learner`])), { status: 'incomplete' });
    await tb.app.server.app.get(RosterService).idle();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    await page.setViewportSize({ width: 1200, height: 800 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await tb?.close();
  });

  it('shows an Instructor the preview banner and the results with a learner who has not started, then opens the preview in the player', async () => {
    const res = await launch('tess', 'Tess Teacher', [`${ROLE}Instructor`]);
    const url = instructorViewUrl(res.text);
    expect(url).not.toBeNull();
    await withScreenshot(page, 'instructor-view-failed', async () => {
      await page.goto(url as string);
      const banner = page.getByRole('status');
      await banner.waitFor();
      expect(await banner.getByRole('heading').textContent()).toBe('Your own play of this activity is a preview');
      const table = page.getByTestId('instructor-results');
      const row = (id: string) => table.locator(`tr[data-learner="${id}"]`);
      expect(await table.locator('tbody tr').count()).toBe(3);
      expect(await row('ada').locator('[data-progress]').textContent()).toBe('Passed');
      expect(await row('ada').textContent()).toContain('90 %');
      expect(await row('brook').locator('[data-progress]').textContent()).toBe('In progress');
      expect(await row('cyd').locator('[data-progress]').textContent()).toBe('Not started');
      expect(await row('cyd').locator('th').textContent()).toContain('Cyd Notstarted');
      expect(await table.textContent()).not.toContain('Tess Teacher');
      // the console's look: its stylesheet is applied
      expect(await page.locator('header.top').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(20, 38, 61)');
      fs.mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: path.join(RESULTS, 'instructor-view.png'), fullPage: true });

      await page.getByRole('button', { name: 'Open the course (preview)' }).click();
      await page.waitForURL((u) => u.toString().startsWith(`${tb.app.contentUrl}/player/`));
      await scoFrame(page, 'index.html');
      await page.screenshot({ path: path.join(RESULTS, 'instructor-preview.png'), fullPage: true });
    });
  });
});
