import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { adminApi } from '../support/admin-api';
import { eventually, launchBrowser, scoFrame, signedInConsole, TestBrowser, withScreenshot } from '../support/browser';
import { attachLti11, Lti11Consumer } from '../support/emulator/lti11';
import { importCourseCopy } from '../support/learner-play';
import { LtiTestbed, startLtiTestbed } from '../support/platform-emulator';

const RESULTS = path.resolve(__dirname, '../../test-results');

/**
 * A customer's LTI 1.1 keys in the console, in Chromium (issue 12): create a key (the secret shown
 * once, with copy buttons), a course's launch URL and configuration XML (a refusal read on the page),
 * then a real LTI 1.1 launch in the browser from the emulator's LMS page, signed by the test's OAuth
 * library (oauth-1.0a) with the key and secret copied from the console: the course plays and the key
 * reads "last used". Revoking the key after a confirmation makes the next launch a readable refusal.
 * Screenshots: test-results/console-lti11-*.png.
 */
describe('Console LTI 1.1 keys in Chromium (create → launch with the key → revoke)', () => {
  let tb: LtiTestbed;
  let browser: TestBrowser;
  let page: Page;
  let customer: string;
  let courseTitle = '';
  let lms: Lti11Consumer;
  let launchUrl = '';
  const api = adminApi(() => tb.app);
  const section = () => page.getByTestId('lti11-keys');
  const keyRow = () => section().getByTestId('lti11-key-table').locator('tbody tr');

  async function shot(name: string): Promise<void> {
    fs.mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, `console-lti11-${name}.png`), fullPage: true });
  }

  async function openCustomer(): Promise<void> {
    await page.goto(`${tb.app.appUrl}/console/#/customers/${customer}`);
    await page.getByRole('heading', { name: 'Old LMS College', level: 1 }).waitFor();
  }

  beforeAll(async () => {
    [browser, tb] = await Promise.all([launchBrowser(), startLtiTestbed()]);
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: tb.app.appUrl });
    customer = (await api('POST', '/api/customers', { name: 'Old LMS College' })).body.id as string;
    expect((await api('POST', '/api/licences', { customerId: customer, courseId: tb.courseId })).status).toBe(201);
    courseTitle = (await api('GET', `/api/courses/${tb.courseId}`)).body.title as string;
    page = await signedInConsole(browser, tb.app.appUrl, tb.app.token);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await tb?.close();
  });

  it('creates a key: the consumer key and secret are shown once with copy buttons, and the list reads "never used"', async () => {
    await withScreenshot(page, 'console-lti11-create-failed', async () => {
      await openCustomer();
      await section().getByText('No LTI 1.1 key yet.').waitFor();
      await section().getByLabel('Which LMS').fill('Blackboard Learn 9.1');
      await section().getByRole('button', { name: 'Create LTI 1.1 key' }).click();
      const box = page.getByTestId('new-lti11-key');
      await box.waitFor();
      const [key, secret] = await box.locator('code.value').allTextContents();
      expect(key).toMatch(/^bridge-[A-Za-z0-9_-]{12}$/);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
      await expect(box.textContent()).resolves.toContain('it is shown only this once');
      await expect(box.textContent()).resolves.toContain('Send both to the LMS administrator of Old LMS College');
      await box.getByRole('button', { name: 'Copy Shared secret' }).click();
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(secret);
      await box.getByRole('button', { name: 'Copy Consumer key' }).click();
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(key);
      await keyRow().waitFor();
      await expect(keyRow().getAttribute('data-status')).resolves.toBe('active');
      await expect(keyRow().textContent()).resolves.toContain('Blackboard Learn 9.1');
      await expect(keyRow().locator('td.last-used').textContent()).resolves.toBe('never');
      await shot('created');
      lms = attachLti11(tb.emu, key, secret);

      // the secret is not shown again
      await page.reload();
      await keyRow().waitFor();
      await expect(page.getByTestId('new-lti11-key').count()).resolves.toBe(0);
      await expect(page.content()).resolves.not.toContain(secret);
    });
  });

  it("shows a course's launch URL with a copy button and downloads its configuration XML; a refused download reads in words", async () => {
    await withScreenshot(page, 'console-lti11-course-failed', async () => {
      const gone = await importCourseCopy(tb, 'A course deleted meanwhile');
      await page.reload(); // the customer page again, with the new course
      await page.getByRole('heading', { name: 'Old LMS College', level: 1 }).waitFor();
      const course = section().getByLabel('Course', { exact: true });
      await course.selectOption({ label: courseTitle });
      const urlRow = section().getByTestId('lti11-launch-url');
      await eventually(async () => ((await urlRow.locator('code.value').textContent()) ?? '').includes(tb.courseId), 'the launch URL');
      launchUrl = (await urlRow.locator('code.value').textContent()) ?? '';
      expect(launchUrl).toBe(`${tb.app.appUrl}/lti/1p1/courses/${tb.courseId}`);
      await urlRow.getByRole('button', { name: 'Copy Launch URL' }).click();
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(launchUrl);

      const [download] = await Promise.all([page.waitForEvent('download'), section().getByRole('button', { name: 'Download configuration XML' }).click()]);
      expect(download.suggestedFilename()).toBe(`lti11-${tb.courseId}.xml`);
      const xml = fs.readFileSync(await download.path(), 'utf8');
      expect(xml).toContain(`<blti:launch_url>${launchUrl}</blti:launch_url>`);
      expect(xml).toContain(`<blti:title>${courseTitle}</blti:title>`);
      expect(xml).not.toContain(lms.key);
      expect(xml).not.toContain(lms.secret);

      // the other course is deleted after the page was loaded: the download is refused on the page
      expect((await api('DELETE', `/api/courses/${gone}`)).status).toBe(204);
      await course.selectOption({ label: 'A course deleted meanwhile' });
      await section().getByRole('button', { name: 'Download configuration XML' }).click();
      const error = section().getByRole('alert');
      await expect(error.textContent()).resolves.toMatch(/^Not downloaded: .*course_not_found$/);
      await shot('download-refused');
      await course.selectOption({ label: courseTitle });
      await expect(error.count()).resolves.toBe(0);
    });
  });

  it('an LMS launches the course in the browser with that key and secret (signed by oauth-1.0a): the course plays and the key reads "last used"', async () => {
    const learner = await browser.context.newPage();
    try {
      await withScreenshot(learner, 'console-lti11-launch-failed', async () => {
        const answer = learner.waitForResponse((r) => r.url() === launchUrl && r.request().method() === 'POST');
        await learner.goto(lms.browserLaunchUrl(launchUrl, lms.launchParams('learner-1', 'rl-1')));
        expect((await answer).status()).toBe(200);
        await scoFrame(learner, 'index.html', 15_000); // the hosted course runs in the player
      });
    } finally {
      await learner.close();
    }
    const attempts = (await api('GET', `/api/attempts?courseId=${tb.courseId}&customerId=${customer}`)).body as Array<{ learner: { sub: string } }>;
    expect(attempts.map((a) => a.learner.sub)).toEqual(['learner-1']);
    await withScreenshot(page, 'console-lti11-last-used-failed', async () => {
      await page.reload();
      await keyRow().waitFor();
      await expect(keyRow().locator('td.last-used').textContent()).resolves.not.toBe('never');
    });
  });

  it('revokes the key after a confirmation; the next launch with it is a readable refusal page', async () => {
    await withScreenshot(page, 'console-lti11-revoke-failed', async () => {
      await keyRow().getByRole('button', { name: `Revoke the key ${lms.key}` }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.textContent()).resolves.toContain('Its learners’ progress, seats and grades are kept');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(keyRow().getAttribute('data-status')).resolves.toBe('active');
      await keyRow().getByRole('button', { name: `Revoke the key ${lms.key}` }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
      await eventually(async () => (await keyRow().getAttribute('data-status')) === 'revoked', 'the key to read "revoked"');
      await expect(page.locator('#toast').textContent()).resolves.toBe(`LTI 1.1 key ${lms.key} revoked.`);
      await expect(keyRow().getByRole('button').count()).resolves.toBe(0);
      await shot('revoked');
    });
    const learner = await browser.context.newPage();
    try {
      await withScreenshot(learner, 'console-lti11-refused-failed', async () => {
        const answer = learner.waitForResponse((r) => r.url() === launchUrl && r.request().method() === 'POST');
        await learner.goto(lms.browserLaunchUrl(launchUrl, lms.launchParams('learner-1', 'rl-1')));
        expect((await answer).status()).toBe(401);
        await learner.getByRole('heading', { name: /^The consumer key of this LMS was revoked by the course provider/ }).waitFor();
        await expect(learner.locator('[data-error-code]').textContent()).resolves.toBe('lti11_consumer_revoked');
        await learner.screenshot({ path: path.join(RESULTS, 'console-lti11-refused.png'), fullPage: true });
      });
    } finally {
      await learner.close();
    }
  });
});
