import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { Attempt } from '../../src/attempts/attempt.entity';
import { GradeDelivery } from '../../src/grades/grade-delivery.entity';
import { eventually, launchBrowser, scoFrame, TestBrowser, withScreenshot } from '../support/browser';
import { attachAgs, AgsEmulator } from '../support/emulator-ags';
import { startLtiTestbed, LtiTestbed } from '../support/platform-emulator';
import { buildFixtureZip, FIXTURE_PACKAGES_DIR, writeFixtureZip } from '../support/scorm-package.builder';

const RESULTS = path.resolve(__dirname, '../../test-results');
const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

/**
 * The console in a real browser, as a content owner / LMS admin uses it: sign in, upload (with the
 * progress bar), warnings and errors in words, preview in the real player, connect an LMS, and follow
 * a learner's attempt and grade after a real LTI launch from the platform emulator. One server and
 * one browser for the file; each page is saved as a screenshot under test-results/console-*.png.
 */
describe('Console in Chromium', () => {
  let tb: LtiTestbed;
  let browser: TestBrowser;
  let ags: AgsEmulator;
  let page: Page;
  let tmp: string;
  let courseId = '';
  let manifest = '';
  const db = () => tb.app.server.app.get(DataSource);

  async function shot(name: string): Promise<void> {
    fs.mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, `console-${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'console-browser-'));
    [browser, tb] = await Promise.all([launchBrowser(), startLtiTestbed()]);
    ags = attachAgs(tb.emu);
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: tb.app.appUrl });
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await tb?.close();
    if (tmp) {fs.rmSync(tmp, { recursive: true, force: true });}
  });

  it('signs in with the admin token (a wrong one is refused in words) and gets an HttpOnly, SameSite=Strict cookie', async () => {
    await withScreenshot(page, 'console-signin-failed', async () => {
      const res = await page.goto(`${tb.app.appUrl}/`);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      await shot('signin');
      await page.getByLabel('Admin token').fill('not-the-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('not the admin token');
      await page.getByLabel('Admin token').fill(tb.app.token);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Courses', level: 1 }).waitFor();
      const cookie = (await browser.context.cookies(tb.app.appUrl)).find((c) => c.name === 'bridge_console');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      expect(cookie?.value).not.toContain(tb.app.token);
    });
  });

  it('uploads a package with the file picker: the progress bar reaches 100 % and the warnings are shown in words', async () => {
    await withScreenshot(page, 'console-upload-failed', async () => {
      // the SCO reports passed/80 % when it loads; the folder-in-zip and Mac junk produce warnings
      manifest = fs.readFileSync(path.join(FIXTURE_PACKAGES_DIR, 'scorm12-single-sco', 'imsmanifest.xml'), 'utf8').replace('href="index.html">', 'href="index.html?status=passed&amp;score=80&amp;time=95">')
        .replace(/Single SCO course \(SCORM 1\.2\)/g, 'Safety course');
      const zip = await writeFixtureZip('scorm12-single-sco', path.join(tmp, 'Safety course.zip'), {
        topFolder: 'Safety course',
        macJunk: true,
        files: { 'imsmanifest.xml': manifest, 'media/clip.bin': randomBytes(3 << 20) },
      });
      await page.evaluate(() => {
        // the file's row (and its bar) appears once the file is chosen: watch the page for it
        const w = window as unknown as { seen: number[] };
        w.seen = [];
        new MutationObserver((records) => {
          for (const r of records) {
            if (r.target instanceof HTMLProgressElement) {w.seen.push(Number(r.target.value));}
          }
        }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['value'] });
      });
      await page.locator('input[type=file]').setInputFiles(zip);
      const ok = page.getByTestId('upload-ok');
      await ok.waitFor({ timeout: 20_000 });
      expect(await page.locator('progress').evaluate((b) => (b as HTMLProgressElement).value)).toBe(100);
      await expect(page.locator('.pct').textContent()).resolves.toBe('100 %');
      const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
      expect(seen[seen.length - 1]).toBe(100);
      const text = (await ok.textContent()) ?? '';
      expect(text).toContain('Imported');
      expect(text).toMatch(/2 warnings: the course works/);
      expect(text).toMatch(/folder/i); // manifest_in_subfolder, in words
      const row = page.getByTestId('course-table').locator('tbody tr', { hasText: 'Safety course' });
      await row.waitFor();
      const cells = await row.locator('td').allTextContents();
      expect(cells.slice(0, 4)).toEqual(['1.2', '1', expect.stringMatching(/^v1/), '0']);
      courseId = decodeURIComponent((await row.locator('a').first().getAttribute('href'))!.split('/').pop()!);
      expect(courseId).toMatch(/^[0-9a-f-]{36}$/);
      await shot('courses');
    });
  });

  it('shows the error of a broken package in words', async () => {
    await withScreenshot(page, 'console-broken-failed', async () => {
      const zip = await writeFixtureZip('launch-target-missing', path.join(tmp, 'broken.zip'));
      await page.locator('input[type=file]').setInputFiles(zip);
      const err = page.getByTestId('upload-error');
      await err.waitFor({ timeout: 15_000 });
      const text = (await err.textContent()) ?? '';
      expect(text).toContain('The package was not imported');
      expect(text).toContain('launch_target_missing');
      expect(text.replace('launch_target_missing', '')).toMatch(/[a-z]+ [a-z]+ [a-z]+/); // a sentence, not just a code
      await shot('upload-error');
    });
  });

  it('the search narrows the list', async () => {
    await page.getByLabel('Search courses').fill('safety');
    await eventually(async () => (await page.getByTestId('course-table').locator('tbody tr').count()) === 1, 'one search hit');
    await page.getByLabel('Search courses').fill('no such course zzz');
    await page.getByText('No course title contains').waitFor();
    await page.getByLabel('Search courses').fill('');
  });

  it('course detail: item tree and versions; Preview plays the course in the real player on the content origin, never graded', async () => {
    await withScreenshot(page, 'console-detail-failed', async () => {
      await page.goto(`${tb.app.appUrl}/console/#/courses/${courseId}`);
      await page.getByRole('heading', { name: 'Safety course', level: 1 }).waitFor();
      await expect(page.locator('.tree li').first().textContent()).resolves.toContain('SCO');
      await expect(page.locator('table.data tbody tr').count()).resolves.toBe(1);
      await shot('course-detail');
      const [popup] = await Promise.all([browser.context.waitForEvent('page'), page.getByRole('button', { name: /Preview/ }).click()]);
      await popup.waitForURL((u) => u.href.startsWith(`${tb.app.contentUrl}/player/`), { timeout: 10_000 });
      const frame = await scoFrame(popup, 'index.html');
      await eventually(() => frame.evaluate(() => (window as unknown as { scoLog: Array<{ fn: string }> }).scoLog.some((e) => /Finish/.test(JSON.stringify(e)))), 'the SCO to finish');
      const attempts = await db().getRepository(Attempt).find();
      const preview = attempts.filter((a) => a.preview);
      expect(preview).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(await db().getRepository(GradeDelivery).count({ where: { learnerId: preview[0].learnerId } })).toBe(0);
      expect(popup.url().startsWith(tb.app.appUrl)).toBe(false);
      await popup.close();

      // a new version, dropped on the drop zone
      const v2 = (await buildFixtureZip('scorm12-single-sco', { files: { 'imsmanifest.xml': manifest } })).toString('base64');
      await page.evaluate((b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'safety-v2.zip', { type: 'application/zip' }));
        document.querySelector('.dropzone')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, v2);
      await expect(page.getByTestId('upload-ok').textContent()).resolves.toContain('version 2');
      await eventually(async () => (await page.locator('table.data tbody tr').count()) === 2, 'the versions table to list v2');
      await expect(page.locator('table.data tbody tr').first().textContent()).resolves.toMatch(/v2\s*current/);

      // grading settings: saved through PATCH /api/courses/:id and shown again after a reload
      await page.getByLabel('Grade sent when a learner has several attempts').selectOption('latest');
      await page.getByLabel('A course completed without a score earns full points').uncheck();
      await page.getByRole('button', { name: 'Save grading' }).click();
      await page.getByText('Saved. It applies to every result from now on.').waitFor();
      await shot('course-grading');
      await page.reload();
      await page.getByRole('heading', { name: 'Safety course', level: 1 }).waitFor();
      await expect(page.getByLabel('Grade sent when a learner has several attempts').inputValue()).resolves.toBe('latest');
      await expect(page.getByLabel('A course completed without a score earns full points').isChecked()).resolves.toBe(false);
      // back to the defaults for the grade checks further down
      await page.getByLabel('Grade sent when a learner has several attempts').selectOption('highest');
      await page.getByLabel('A course completed without a score earns full points').check();
      await page.getByRole('button', { name: 'Save grading' }).click();
      await page.getByText('Saved. It applies to every result from now on.').waitFor();
    });
  });

  it('connect an LMS: copy the config values, register, edit and remove a platform', async () => {
    await withScreenshot(page, 'console-connect-failed', async () => {
      await page.getByRole('link', { name: 'Connect an LMS' }).click();
      await page.getByRole('heading', { name: 'Connect an LMS', level: 1 }).waitFor();
      const loginCopy = page.getByRole('button', { name: 'Copy Initiate login URL' });
      await loginCopy.click();
      await expect(loginCopy.getAttribute('data-copied')).resolves.toBe(`${tb.app.appUrl}/lti/login`);
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(`${tb.app.appUrl}/lti/login`);
      await page.getByRole('button', { name: 'Copy Dynamic Registration URL' }).click();
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(`${tb.app.appUrl}/lti/register`);
      await page.getByRole('button', { name: 'Copy Safety course' }).click();
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(`${tb.app.appUrl}/lti/courses/${courseId}`);
      await page.getByText('Canvas', { exact: true }).click(); // step-by-step notes open
      await page.getByText('Developer Keys').first().waitFor();

      await page.getByLabel('Name').fill('Campus Moodle');
      await page.getByLabel('Issuer (Platform ID)').fill('https://moodle.example.edu');
      await page.getByLabel('Client ID').fill('client-abc');
      await page.getByLabel('LMS authentication request URL (OIDC auth endpoint)').fill('https://moodle.example.edu/mod/lti/auth.php');
      await page.getByLabel('LMS access token URL').fill('https://moodle.example.edu/mod/lti/token.php');
      await page.getByLabel('LMS public keyset URL (JWKS)').fill('https://moodle.example.edu/mod/lti/certs.php');
      await page.getByLabel('Deployment IDs').fill('7\n8');
      await page.getByRole('button', { name: 'Add platform' }).click();
      const row = page.getByTestId('platform-table').locator('tbody tr', { hasText: 'Campus Moodle' });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('7, 8');
      await shot('connect');

      await page.getByRole('button', { name: 'Edit Campus Moodle' }).click();
      await page.getByLabel('Name').fill('Campus Moodle 4.4');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByTestId('platform-table').locator('tbody tr', { hasText: 'Campus Moodle 4.4' }).waitFor();
      await page.getByRole('button', { name: 'Remove Campus Moodle 4.4' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.textContent()).resolves.toContain('Launches from this LMS will stop working');
      await dialog.getByRole('button', { name: 'Remove platform' }).click();
      await eventually(async () => (await page.getByTestId('platform-table').locator('tbody tr', { hasText: 'Campus Moodle' }).count()) === 0, 'the platform to go');
      // The toast is set before the list reloads (the save's toast may still show until then).
      await expect(page.locator('#toast').textContent()).resolves.toBe('Platform “Campus Moodle 4.4” removed.');
      await expect(page.getByTestId('platform-table').locator('tbody tr').count()).resolves.toBe(1); // the emulator's registration stays
    });
  });

  it("learners & grades: a learner's attempt after an LTI launch, its grade passback state, resend, CSV and the chart", async () => {
    await withScreenshot(page, 'console-learners-failed', async () => {
      const lineitem = ags.addLineItem({ label: 'Safety course' });
      const launch = await tb.emu.launch({
        toolUrl: tb.app.appUrl,
        courseId,
        claims: {
          sub: 'learner-grace',
          name: 'Grace Hopper',
          'https://purl.imsglobal.org/spec/lti/claim/resource_link': { id: 'link-safety', title: 'Week 1 safety' },
          'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': { scope: [SCORE_SCOPE], lineitem },
        },
      });
      const m = /data-player-url="([^"]+)"/.exec(launch.text);
      if (!m) {throw new Error(`the launch did not reach the player: ${launch.status} ${launch.text.slice(0, 400)}`);}
      const learnerPage = await browser.context.newPage();
      await learnerPage.goto(m[1].replace(/&amp;/g, '&'));
      await scoFrame(learnerPage, 'index.html');
      await eventually(async () => ags.grade(lineitem, 'learner-grace')?.score.gradingProgress === 'FullyGraded', 'the grade at the LMS', 15_000);
      await learnerPage.close();

      await page.getByRole('link', { name: 'Learners & grades' }).click();
      await page.getByLabel('Course', { exact: true }).selectOption({ label: 'Safety course' });
      const row = page.getByTestId('attempt-table').locator('tr[data-sub="learner-grace"]');
      await row.waitFor();
      const cells = await row.locator('td').allTextContents();
      expect(cells.slice(0, 3)).toEqual(['completed', 'passed', '80 %']);
      expect(cells[3]).toBe('1 min 35 s');
      await eventually(async () => {
        await page.getByLabel('Course', { exact: true }).selectOption({ label: 'Safety course' }).catch(() => undefined);
        return (await row.locator('[data-state]').getAttribute('data-state').catch(() => null)) === 'sent';
      }, 'the passback state "sent"', 10_000);
      await expect(page.getByTestId('attempt-table').locator('tbody tr').count()).resolves.toBe(1); // the preview is hidden
      const bars = await page.locator('.chart .bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
      expect(bars.filter((b) => b > 0)).toHaveLength(1); // today's one completion
      await expect(page.locator('.chart title').first().textContent()).resolves.toMatch(/^1 completed attempt/);
      await shot('learners');

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
      const csv = fs.readFileSync((await download.path()), 'utf8').split('\r\n');
      expect(csv[0]).toContain('learner_sub,learner_name');
      expect(csv[1]).toMatch(/^learner-grace,Grace Hopper,.*,completed,passed,80,95,/);

      // a failed delivery shows the LMS's message, and Resend sends it again
      await db().createQueryBuilder().update(GradeDelivery).set({ state: 'failed', lastStatus: 400, lastError: 'Line item closed for submissions' }).execute();
      await page.reload();
      await page.getByRole('heading', { name: 'Learners & grades', level: 1 }).waitFor();
      await expect(row.textContent()).resolves.toContain('Line item closed for submissions');
      const before = ags.scoreRequests().length;
      await row.getByRole('button', { name: /Resend/ }).click();
      await eventually(async () => ags.scoreRequests().length > before, 'the resent score', 10_000);

      await page.setViewportSize({ width: 768, height: 1024 }); // tablet
      await shot('learners-tablet');
      await page.setViewportSize({ width: 1280, height: 860 });
    });
  }, 45_000);

  it('a console page load has no failed request: every module, the stylesheet and the icon answer 200 (no favicon 404)', async () => {
    const p = await browser.context.newPage();
    try {
      const failed: string[] = [];
      const loaded: string[] = [];
      p.on('response', (r) => {
        if (r.status() >= 400) {failed.push(`${r.status()} ${r.url()}`);}
      });
      p.on('requestfailed', (r) => failed.push(`${r.failure()?.errorText ?? 'failed'} ${r.url()}`));
      p.on('requestfinished', (r) => loaded.push(new URL(r.url()).pathname));
      await p.goto(`${tb.app.appUrl}/console/#/courses`);
      await p.getByRole('heading', { name: 'Courses', level: 1 }).waitFor();
      await p.getByRole('link', { name: 'Connect an LMS' }).click();
      await p.getByRole('heading', { name: 'Connect an LMS', level: 1 }).waitFor();
      await p.goto(`${tb.app.appUrl}/console/#/learners/${courseId}`);
      await p.getByTestId('attempt-table').waitFor();
      await p.waitForLoadState('networkidle');
      expect(loaded).toEqual(expect.arrayContaining(['/console/', '/console/assets/console.js', '/console/assets/router.js', '/console/assets/console.css']));
      // Chromium fetches icons outside the page's network events: ask for the linked icon and the one browsers guess
      const icons = await p.locator('link[rel=icon]').evaluateAll((ls) => ls.map((l) => (l as HTMLLinkElement).href));
      expect(icons).toHaveLength(1);
      for (const url of [...icons, `${tb.app.appUrl}/favicon.ico`]) {
        const res = await p.request.get(url);
        expect(`${res.status()} ${res.headers()['content-type']}`).toMatch(/^200 image\/svg\+xml/);
      }
      expect(failed).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('signs out: the cookie is gone and the API refuses the browser', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect((await browser.context.cookies(tb.app.appUrl)).find((c) => c.name === 'bridge_console')).toBeUndefined();
    const status = await page.evaluate(async () => (await fetch('/api/courses')).status);
    expect(status).toBe(401);
  });
});
