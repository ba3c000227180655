import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { eventually, launchBrowser, signedInConsole, TestBrowser, withScreenshot } from '../support/browser';
import { startLtiTestbed, LtiTestbed } from '../support/platform-emulator';
import { FIXTURE_PACKAGES_DIR, writeFixtureZip } from '../support/scorm-package.builder';

const RESULTS = path.resolve(__dirname, '../../test-results');

/**
 * The console's course lifecycle and upload rows in a real browser (issue 9, "Course lifecycle and
 * the console"): several files at once each with their own row, a refused file clearing what the
 * previous choice left, the duplicate choice, asking before leaving during an upload, rename,
 * archive and delete on the course page, and the platform form's issuer errors at the field.
 * Screenshots under test-results/console-lifecycle-*.png.
 */
describe('Console course lifecycle in Chromium', () => {
  let tb: LtiTestbed;
  let browser: TestBrowser;
  let page: Page;
  let tmp: string;
  let testbedTitle = '';

  async function shot(name: string, p: Page = page): Promise<void> {
    fs.mkdirSync(RESULTS, { recursive: true });
    await p.screenshot({ path: path.join(RESULTS, `console-lifecycle-${name}.png`), fullPage: true });
  }

  /** A fixture zip under tmp/ whose title is `title`, made larger with `padBytes` of random data. */
  async function zipNamed(file: string, fixture: string, title: string, padBytes = 0): Promise<string> {
    const manifest = fs.readFileSync(path.join(FIXTURE_PACKAGES_DIR, fixture, 'imsmanifest.xml'), 'utf8').replace(/(<organization\b[^>]*>\s*<title>)[^<]*/, `$1${title}`);
    return writeFixtureZip(fixture, path.join(tmp, file), { files: { 'imsmanifest.xml': manifest, ...(padBytes ? { 'media/pad.bin': randomBytes(padBytes) } : {}) } });
  }

  const rows = () => page.getByTestId('upload-row');
  const row = (file: string) => page.locator(`[data-testid="upload-row"][data-file="${file}"]`);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'console-lifecycle-'));
    [browser, tb] = await Promise.all([launchBrowser(), startLtiTestbed()]);
    testbedTitle = ((await (await fetch(`${tb.app.appUrl}/api/courses/${tb.courseId}`, { headers: tb.app.auth })).json()) as { title: string }).title;
    page = await signedInConsole(browser, tb.app.appUrl, tb.app.token);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await tb?.close();
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('uploads several files at once, each in its own row with its own progress and result', async () => {
    await withScreenshot(page, 'console-lifecycle-rows-failed', async () => {
      const good = await zipNamed('Induction.zip', 'scorm2004-4th-multi-sco', 'Induction', 2 << 20);
      const broken = await writeFixtureZip('launch-target-missing', path.join(tmp, 'broken.zip'));
      const notZip = path.join(tmp, 'notes.txt');
      fs.writeFileSync(notZip, 'not a package');
      // every value each bar shows, per file: one file's progress must never show up in another's row
      await page.evaluate(() => {
        const w = window as unknown as { seen: Record<string, number[]> };
        w.seen = {};
        new MutationObserver((records) => {
          for (const r of records) {
            const bar = r.target;
            if (bar instanceof HTMLProgressElement) {
              const file = bar.closest<HTMLElement>('[data-file]')?.dataset.file ?? '?';
              (w.seen[file] ??= []).push(Number(bar.value));
            }
          }
        }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['value'] });
      });
      await page.locator('input[type=file]').setInputFiles([good, broken, notZip]);
      await expect(rows().count()).resolves.toBe(3);
      await expect(row('notes.txt').getByTestId('upload-error').textContent()).resolves.toContain('“notes.txt” is not a .zip file');
      await row('Induction.zip').getByTestId('upload-ok').waitFor({ timeout: 20_000 });
      await row('broken.zip').getByTestId('upload-error').waitFor({ timeout: 20_000 });
      await shot('rows');
      await expect(row('Induction.zip').getByTestId('upload-ok').textContent()).resolves.toMatch(/Imported “Induction” — version 1, SCORM 2004, 5 SCOs\./);
      const brokenText = (await row('broken.zip').textContent()) ?? '';
      expect(brokenText).toContain('launch_target_missing');
      expect(brokenText).not.toContain('Imported');
      expect(await row('Induction.zip').locator('progress').evaluate((b) => (b as HTMLProgressElement).value)).toBe(100);
      expect(await row('broken.zip').locator('.stage').textContent()).toBe('Not imported.');
      const seen = await page.evaluate(() => (window as unknown as { seen: Record<string, number[]> }).seen);
      expect(Object.keys(seen).sort()).toEqual(['Induction.zip', 'broken.zip']);
      for (const values of Object.values(seen)) {
        expect(values).toEqual([...values].sort((a, b) => a - b)); // each bar only moves forward
        expect(values[values.length - 1]).toBe(100);
      }
      await page.getByTestId('course-table').locator('tbody tr', { hasText: 'Induction' }).waitFor();
    });
  });

  it('a refused file clears what the previous choice left', async () => {
    const readme = path.join(tmp, 'readme.pdf');
    fs.writeFileSync(readme, '%PDF');
    await page.locator('input[type=file]').setInputFiles(readme);
    await expect(rows().count()).resolves.toBe(1);
    await expect(row('readme.pdf').getByTestId('upload-error').textContent()).resolves.toContain('is not a .zip file');
    await expect(page.getByTestId('upload-ok').count()).resolves.toBe(0);
    await expect(page.locator('progress:visible').count()).resolves.toBe(0);
    await shot('refused');
  });

  it('a zip that is already here offers "new version of that course" or "separate course"', async () => {
    await withScreenshot(page, 'console-lifecycle-duplicate-failed', async () => {
      const same = await writeFixtureZip('scorm12-single-sco', path.join(tmp, 'again.zip')); // the testbed's own course
      await page.locator('input[type=file]').setInputFiles(same);
      const choice = row('again.zip').getByTestId('upload-duplicate');
      await choice.waitFor({ timeout: 15_000 });
      await expect(choice.textContent()).resolves.toContain(`already version 1 of “${testbedTitle}”`);
      await shot('duplicate');
      await choice.getByRole('button', { name: `New version of “${testbedTitle}”` }).click();
      await expect(row('again.zip').getByTestId('upload-ok').textContent()).resolves.toContain('version 2');

      await page.locator('input[type=file]').setInputFiles(same);
      await row('again.zip').getByTestId('upload-duplicate').getByRole('button', { name: 'Separate course' }).click();
      await expect(row('again.zip').getByTestId('upload-ok').textContent()).resolves.toContain('version 1');
      await eventually(async () => (await page.getByTestId('course-table').locator('tbody tr', { hasText: testbedTitle }).count()) === 2, 'two courses of that title');

      await page.locator('input[type=file]').setInputFiles(same);
      await row('again.zip').getByTestId('upload-duplicate').getByRole('button', { name: 'Do not import' }).click();
      await expect(row('again.zip').textContent()).resolves.toContain('Not imported');
      expect(await page.getByTestId('course-table').locator('tbody tr', { hasText: testbedTitle }).count()).toBe(2);
    });
  });

  it('asks before leaving while an upload is going on: a console link and closing the tab', async () => {
    const p = await browser.context.newPage(); // signed in already: the session cookie is the context's
    try {
      await p.setViewportSize({ width: 1280, height: 900 });
      await p.goto(`${tb.app.appUrl}/console/#/courses`);
      await p.getByRole('heading', { name: 'Courses', level: 1 }).waitFor();
      const big = await zipNamed('Big.zip', 'scorm12-single-sco', 'Big course', 6 << 20);
      const cdp = await browser.context.newCDPSession(p);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
      await p.locator('input[type=file]').setInputFiles(big);
      await p.locator('[data-file="Big.zip"][data-state="uploading"]').waitFor();
      const asked: string[] = [];
      p.once('dialog', (d) => {
        asked.push(`${d.type()}: ${d.message()}`);
        void d.dismiss();
      });
      await p.getByRole('link', { name: 'Connect an LMS' }).click();
      await eventually(async () => asked.length === 1, 'the question');
      expect(asked[0]).toMatch(/^confirm: A course upload is not finished: leaving this page stops it\. Leave anyway\?$/);
      expect(new URL(p.url()).hash).toBe('#/courses');
      await expect(p.getByRole('heading', { name: 'Courses', level: 1 }).isVisible()).resolves.toBe(true);
      await expect(p.locator('[data-file="Big.zip"]').getAttribute('data-state')).resolves.toBe('uploading');
      await shot('leave-asked', p);
      const unload = new Promise<string>((resolve) => p.once('dialog', (d) => void d.accept().then(() => resolve(d.type()))));
      await p.close({ runBeforeUnload: true });
      await expect(unload).resolves.toBe('beforeunload');
    } finally {
      if (!p.isClosed()) {
        await p.close();
      }
    }
  });

  it('course page: rename, archive (shown apart in the list, with a banner), unarchive', async () => {
    await withScreenshot(page, 'console-lifecycle-manage-failed', async () => {
      const induction = page.getByTestId('course-table').locator('tbody tr', { hasText: 'Induction' });
      await induction.getByRole('link', { name: 'Induction' }).click();
      await page.getByRole('heading', { name: 'Induction', level: 1 }).waitFor();
      await page.getByLabel('Title').fill('Induction 2027');
      await page.getByRole('button', { name: 'Rename' }).click();
      await page.getByRole('heading', { name: 'Induction 2027', level: 1 }).waitFor();

      await page.getByRole('button', { name: 'Archive' }).click();
      const dialog = page.getByRole('dialog', { name: 'Archive “Induction 2027”?' });
      await expect(dialog.textContent()).resolves.toContain('Links already placed in an LMS keep working');
      await dialog.getByRole('button', { name: 'Archive' }).click();
      await page.getByTestId('archived-banner').waitFor();
      await shot('course-archived');
      await page.getByRole('link', { name: 'Courses', exact: true }).first().click();
      const archived = page.getByTestId('archived-table').locator('tbody tr', { hasText: 'Induction 2027' });
      await archived.waitFor();
      expect(await page.getByTestId('course-table').locator('tbody tr', { hasText: 'Induction 2027' }).count()).toBe(0);
      await shot('courses-archived');

      await archived.getByRole('link', { name: 'Induction 2027' }).click();
      await page.getByRole('button', { name: 'Unarchive' }).click();
      await page.getByRole('button', { name: 'Archive', exact: true }).waitFor();
      expect(await page.getByTestId('archived-banner').count()).toBe(0);
    });
  });

  it('delete: refused in words while learners have attempts; otherwise a confirmation names what goes, and it goes', async () => {
    await withScreenshot(page, 'console-lifecycle-delete-failed', async () => {
      const launch = await tb.emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, claims: { sub: 'learner-ada' } });
      expect(launch.text).toMatch(/data-player-url="/);
      await page.goto(`${tb.app.appUrl}/console/#/courses/${tb.courseId}`);
      await page.getByRole('heading', { name: testbedTitle, level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Delete…' }).click();
      await expect(page.getByTestId('delete-refused').textContent()).resolves.toContain('1 attempt by 1 learner belongs to it');
      await shot('delete-refused');

      // the separate copy made from the duplicate: no attempts
      const courses = (await (await fetch(`${tb.app.appUrl}/api/courses`, { headers: tb.app.auth })).json()) as Array<{ id: string; title: string; currentVersion: { id: string } }>;
      const copy = courses.find((c) => c.title === testbedTitle && c.id !== tb.courseId)!;
      await page.goto(`${tb.app.appUrl}/console/#/courses/${copy.id}`);
      await page.getByRole('heading', { name: testbedTitle, level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Delete…' }).click();
      const dialog = page.getByRole('dialog', { name: `Delete “${testbedTitle}”?` });
      const said = (await dialog.textContent()) ?? '';
      expect(said).toContain('1 version with all its files');
      expect(said).toContain('v1 again.zip');
      expect(said).toContain('every LMS link to it');
      await shot('delete-confirm');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect(fs.existsSync(path.join(tb.app.storageDir, 'content', copy.currentVersion.id))).toBe(true);
      await page.getByRole('button', { name: 'Delete…' }).click();
      await dialog.getByRole('button', { name: 'Delete the course' }).click();
      await page.getByRole('heading', { name: 'Courses', level: 1 }).waitFor();
      await eventually(async () => (await page.getByTestId('course-table').locator('tbody tr', { hasText: testbedTitle }).count()) === 1, 'the copy to leave the list');
      expect(fs.existsSync(path.join(tb.app.storageDir, 'content', copy.currentVersion.id))).toBe(false);
      expect((await fetch(`${tb.app.appUrl}/api/courses/${copy.id}`, { headers: tb.app.auth })).status).toBe(404);
    });
  });

  it('platform form: issuer errors at the field, in words; a trailing slash is the same issuer', async () => {
    await withScreenshot(page, 'console-lifecycle-issuer-failed', async () => {
      await page.getByRole('link', { name: 'Connect an LMS' }).click();
      await page.getByRole('heading', { name: 'Connect an LMS', level: 1 }).waitFor();
      const issuer = page.getByLabel('Issuer (Platform ID)');
      const addPlatform = async (name: string, iss: string) => {
        await page.getByLabel('Name').fill(name);
        await issuer.fill(iss);
        await page.getByLabel('Client ID').fill('client-abc');
        await page.getByLabel('LMS authentication request URL (OIDC auth endpoint)').fill('https://moodle.example.edu/mod/lti/auth.php');
        await page.getByLabel('LMS access token URL').fill('https://moodle.example.edu/mod/lti/token.php');
        await page.getByLabel('LMS public keyset URL (JWKS)').fill('https://moodle.example.edu/mod/lti/certs.php');
        await page.getByRole('button', { name: 'Add platform' }).click();
      };
      await addPlatform('Campus Moodle', 'http://moodle.example.edu');
      const note = page.locator('.field-error');
      await expect(note.textContent()).resolves.toBe(
        'Issuer (Platform ID) uses http, which is allowed only for localhost or 127.0.0.1: it must be an absolute https URL with no query or fragment, e.g. https://lms.example.edu (http only for localhost or 127.0.0.1).',
      );
      await expect(issuer.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('issuer');
      await shot('issuer-error');

      await issuer.fill('https://Moodle.example.edu/');
      await page.getByRole('button', { name: 'Add platform' }).click();
      const saved = page.getByTestId('platform-table').locator('tbody tr', { hasText: 'Campus Moodle' });
      await saved.waitFor();
      await expect(saved.textContent()).resolves.toContain('https://moodle.example.edu');
      await expect(saved.textContent()).resolves.not.toContain('https://moodle.example.edu/');

      // the same LMS again, without the slash: said at the issuer field
      await addPlatform('Campus Moodle again', 'https://moodle.example.edu');
      await expect(page.locator('.field-error').textContent()).resolves.toContain('“Campus Moodle” with issuer "https://moodle.example.edu" and client id "client-abc" is already registered');
      await expect(issuer.getAttribute('aria-invalid')).resolves.toBe('true');
      await shot('issuer-duplicate');
    });
  });
});
