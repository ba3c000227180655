import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { launchBrowser, TestBrowser, withScreenshot } from '../support/browser';
import { PlatformEmulator, startLtiTestbed, LtiTestbed } from '../support/platform-emulator';
import { buildFixtureZip, FIXTURE_PACKAGES_DIR } from '../support/scorm-package.builder';

const RESULTS = path.resolve(__dirname, '../../test-results');
const DL_SETTINGS = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
const SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
const LINE_ITEM = 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem';

/**
 * The LTI pages an LMS admin and a teacher see, in a real browser: the Dynamic Registration outcome
 * inside an LMS page's frame (the emulator's), closed only when the admin presses Close; and the Deep
 * Linking picker reached through a real browser launch (login → the emulator's authorization → the
 * auto-posted id_token), searched, chosen from and submitted back to the emulator, which checks the
 * signed response. Screenshots under test-results/lti-*.png.
 */
describe('LTI pages in Chromium: Dynamic Registration outcome and the Deep Linking picker', () => {
  let tb: LtiTestbed;
  let lms: PlatformEmulator;
  let browser: TestBrowser;
  let page: Page;
  const cspErrors: string[] = [];
  let fireId = '';

  async function shot(name: string): Promise<void> {
    fs.mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, `lti-${name}.png`), fullPage: true });
  }

  async function importCourse(fixture: string, files?: Record<string, string>): Promise<string> {
    const zip = await buildFixtureZip(fixture, { files });
    const form = new FormData();
    form.append('package', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), `${fixture}.zip`);
    const res = await fetch(`${tb.app.appUrl}/api/courses`, { method: 'POST', headers: tb.app.auth, body: form });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  /** An LMS page of the second emulator that frames a tool page and records every message the frame posts to it. */
  function hostPage(frameUrl: string): string {
    const src = frameUrl.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    return `<!doctype html><html><head><title>LMS: add a tool</title></head><body><h1>LMS admin</h1>
<iframe id="tool" title="Tool registration" src="${src}" style="width:100%;height:1150px;border:1px solid #888"></iframe>
<script>window.received=[];window.addEventListener('message',function(e){if(e.source===document.getElementById('tool').contentWindow){window.received.push(e.data);}});</script></body></html>`;
  }

  /**
   * The LMS page, on "localhost" (the emulator listens on 127.0.0.1): the same site as the tool, so
   * Chromium keeps the frame in the page's process, where headless clicks reach it.
   */
  function lmsAdminUrl(): string {
    return `http://localhost:${new URL(lms.url).port}/lms-admin`;
  }

  function registrationUrl(): string {
    const q = new URLSearchParams({ openid_configuration: `${lms.url}/.well-known/openid-configuration`, registration_token: 'reg-token-123' });
    return `${tb.app.appUrl}/lti/register?${q.toString()}`;
  }

  async function toolFrame(): Promise<Frame> {
    const handle = await page.waitForSelector('#tool');
    const frame = await handle.contentFrame();
    if (!frame) {
      throw new Error('no tool frame');
    }
    await frame.waitForLoadState('load');
    return frame;
  }

  /**
   * Messages the frame posted so far. A ping posted by the frame after its load is delivered after any
   * message its scripts posted before it (one source, one queue): waiting for the ping makes "nothing
   * yet" a real observation, not a race.
   */
  async function messagesAfterPing(frame: Frame): Promise<unknown[]> {
    await frame.evaluate(() => window.parent.postMessage({ subject: 'test.ping' }, '*'));
    await page.waitForFunction(() => (window as unknown as { received: Array<{ subject?: string }> }).received.some((m) => m.subject === 'test.ping'));
    return page.evaluate(() => (window as unknown as { received: unknown[] }).received);
  }

  beforeAll(async () => {
    [browser, tb] = await Promise.all([launchBrowser(), startLtiTestbed()]);
    lms = await PlatformEmulator.start({ toolUrl: tb.app.appUrl });
    lms.grantScopes = [SCORE, LINE_ITEM];
    lms.route('GET', '/lms-admin', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(hostPage(registrationUrl()));
    });
    const manifest = fs
      .readFileSync(path.join(FIXTURE_PACKAGES_DIR, 'resource-only', 'imsmanifest.xml'), 'utf8')
      .replace('Resource-only package', 'Fire safety basics')
      .replace('</title>\n      </general>', '</title>\n        <description><string language="en-US">Extinguishers, alarms and evacuation routes, with a short quiz.</string></description>\n      </general>');
    fireId = await importCourse('resource-only', { 'imsmanifest.xml': manifest });
    await importCourse('scorm2004-4th-multi-sco');
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1100, height: 900 });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) {
        cspErrors.push(m.text());
      }
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await lms?.stop();
    await tb?.close();
  });

  it('Dynamic Registration: the outcome shows granted and missing services, and close is posted only on the Close click', async () => {
    await withScreenshot(page, 'lti-registration-failed', async () => {
      await page.goto(lmsAdminUrl());
      const frame = await toolFrame();
      await frame.getByRole('heading', { level: 1, name: `Registered with Emulator (${new URL(lms.issuer).host})` }).waitFor();
      const rows = await frame.locator('[data-testid="services"] tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [tr.querySelector('th')?.textContent ?? '', tr.querySelector('.badge')?.textContent ?? '']),
      );
      expect(rows).toEqual([
        ['Grades: send scores (Assignment and Grade Services)', 'Granted'],
        ['Grades: gradebook columns (Assignment and Grade Services)', 'Granted'],
        ['Grades: read columns and results (Assignment and Grade Services)', 'Missing'],
        ['Course rosters (Names and Role Provisioning Services)', 'Missing'],
        ['Course picker (Deep Linking)', 'Granted'],
      ]);
      await expect(frame.getByRole('status').textContent()).resolves.toContain('The LMS did not grant 2 services');
      // the console's stylesheet applies (the shared file, not a copy): the header bar's colour
      await expect(frame.locator('header.top').evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.toBe('rgb(20, 38, 61)');
      expect(await messagesAfterPing(frame)).toEqual([{ subject: 'test.ping' }]);
      await shot('registration-done');

      await frame.getByRole('button', { name: 'Close' }).click();
      await page.waitForFunction(() => (window as unknown as { received: Array<{ subject?: string }> }).received.some((m) => m.subject === 'org.imsglobal.lti.close'));
      expect(await page.evaluate(() => (window as unknown as { received: unknown[] }).received)).toEqual([{ subject: 'test.ping' }, { subject: 'org.imsglobal.lti.close' }]);
      const stored = (await (await fetch(`${tb.app.appUrl}/api/platforms`, { headers: tb.app.auth })).json()) as Array<{ issuer: string; grantedScopes: string[] }>;
      expect(stored.find((p) => p.issuer === lms.issuer)?.grantedScopes).toEqual([LINE_ITEM, SCORE].sort());
    });
  });

  it('Dynamic Registration refused (the LMS is already registered): a readable page whose Close also posts close, only on the click', async () => {
    await withScreenshot(page, 'lti-registration-refused-failed', async () => {
      await page.goto(lmsAdminUrl());
      const frame = await toolFrame();
      await frame.getByRole('heading', { level: 1 }).filter({ hasText: 'is already registered' }).waitFor();
      await expect(frame.locator('[data-error-code]').textContent()).resolves.toBe('lti_registration_duplicate');
      expect(await messagesAfterPing(frame)).toEqual([{ subject: 'test.ping' }]);
      await shot('registration-refused');
      await frame.getByRole('button', { name: 'Close' }).click();
      await page.waitForFunction(() => (window as unknown as { received: Array<{ subject?: string }> }).received.length === 2);
      expect(await page.evaluate(() => (window as unknown as { received: unknown[] }).received)).toEqual([{ subject: 'test.ping' }, { subject: 'org.imsglobal.lti.close' }]);
    });
  });

  it('Deep Linking picker (several allowed): console look, each course with description, version, SCORM version and SCOs; search filters; nothing chosen is stopped; two courses go back signed', async () => {
    await withScreenshot(page, 'lti-picker-failed', async () => {
      const launched = page.waitForResponse((r) => r.url() === `${tb.app.appUrl}/lti/launch` && r.request().method() === 'POST');
      await page.goto(tb.emu.browserLaunchUrl({ toolUrl: tb.app.appUrl, messageType: 'deep-linking' }));
      const res = await launched;
      expect(res.status()).toBe(200);
      expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.getByRole('heading', { level: 1, name: 'Add a SCORM course' }).waitFor();
      await expect(page.title()).resolves.toBe('Add a SCORM course to Biology 101');
      await expect(page.locator('.crumbs').textContent()).resolves.toBe('to Biology 101 in Emulator LMS · you may choose several');
      const items = page.locator('.picker-item');
      await expect(items.count()).resolves.toBe(3);
      const fire = page.locator('.picker-item', { has: page.getByLabel('Fire safety basics') });
      await expect(fire.locator('.picker-desc').textContent()).resolves.toBe('Extinguishers, alarms and evacuation routes, with a short quiz.');
      await expect(fire.locator('.picker-meta .badge').allTextContents()).resolves.toEqual(['Version 1', 'SCORM 2004 4th edition', '2 SCOs']);
      const multi = page.locator('.picker-item', { has: page.getByLabel('SCORM 2004 4th edition multi-SCO course') });
      await expect(multi.locator('.picker-desc').textContent()).resolves.toBe('No description in this package.');
      await expect(page.locator('#picker-count').textContent()).resolves.toBe('3 courses');
      await shot('picker');

      // search: title and description words, any case; the count and the "no match" line follow
      const search = page.getByLabel('Search courses');
      await search.fill('EVACUATION');
      await expect(page.locator('.picker-item:visible').count()).resolves.toBe(1);
      await expect(page.locator('#picker-count').textContent()).resolves.toBe('1 of 3 courses');
      await search.fill('no such words');
      await expect(page.locator('.picker-item:visible').count()).resolves.toBe(0);
      await expect(page.locator('#picker-none').isVisible()).resolves.toBe(true);
      await search.fill('');
      await expect(page.locator('.picker-item:visible').count()).resolves.toBe(3);

      // "Add selected" with nothing chosen: stopped in the page, in words
      await page.getByRole('button', { name: 'Add selected' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toBe('Select a course, or press Cancel.');
      expect(page.url()).toBe(`${tb.app.appUrl}/lti/launch`);

      // keyboard: from the search box, Tab reaches the first course and Space chooses it
      await search.fill('safety');
      await search.press('Tab');
      await page.keyboard.press('Space');
      await expect(page.getByLabel('Fire safety basics').isChecked()).resolves.toBe(true);
      await expect(page.getByRole('alert').isVisible()).resolves.toBe(false);
      await search.fill('multi-sco');
      await page.getByLabel('SCORM 2004 4th edition multi-SCO course').check();
      await expect(page.locator('#picker-count').textContent()).resolves.toBe('1 of 3 courses · 2 selected');
      await shot('picker-search');

      const before = tb.emu.deepLinkReturns.length;
      await page.getByRole('button', { name: 'Add selected' }).click();
      await page.getByText('Items received.').waitFor();
      expect(tb.emu.deepLinkReturns).toHaveLength(before + 1);
      const got = tb.emu.deepLinkReturns[before];
      expect(got.ok).toBe(true);
      const items2 = got.payload?.['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<{ title: string; custom: { course_id: string } }>;
      expect(items2.map((i) => i.title).sort()).toEqual(['Fire safety basics', 'SCORM 2004 4th edition multi-SCO course']);
      expect(items2.map((i) => i.custom.course_id)).toContain(fireId);
    });
  });

  it('Deep Linking picker (one allowed): radio buttons, one course goes back', async () => {
    await withScreenshot(page, 'lti-picker-single-failed', async () => {
      const settings = {
        deep_link_return_url: `${tb.emu.url}/deep-linking/return`,
        accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe'],
        accept_multiple: false,
      };
      await page.goto(tb.emu.browserLaunchUrl({ toolUrl: tb.app.appUrl, messageType: 'deep-linking', claims: { [DL_SETTINGS]: settings } }));
      await page.getByRole('heading', { level: 1, name: 'Add a SCORM course' }).waitFor();
      await expect(page.getByRole('radio').count()).resolves.toBe(3);
      await expect(page.getByRole('checkbox').count()).resolves.toBe(0);
      await page.getByLabel('Fire safety basics').check();
      await shot('picker-single');
      const before = tb.emu.deepLinkReturns.length;
      await page.getByRole('button', { name: 'Add course' }).click();
      await page.getByText('Items received.').waitFor();
      const items = tb.emu.deepLinkReturns[before].payload?.['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<{ title: string }>;
      expect(items.map((i) => i.title)).toEqual(['Fire safety basics']);
      expect(cspErrors).toEqual([]);
    });
  });
});
