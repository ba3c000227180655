import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, BrowserContext, Frame, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const ROOT = path.resolve(__dirname, '../..');

/** Builds the player bundles if one is missing (the server serves them under /player-assets/). */
export function ensurePlayerBuilt(): void {
  if (!['player-scorm12.js', 'player-scorm2004.js'].every((f) => fs.existsSync(path.join(ROOT, 'player/dist', f)))) {
    execFileSync(process.execPath, [path.join(ROOT, 'player/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  }
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Debian's Chromium with a fresh profile. A missing browser fails the suite with a clear message:
 * browser tests must never pass by being skipped.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH. Browser tests cannot run without it.`);
  }
  ensurePlayerBuilt();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a browser step; on failure saves a screenshot to test-results/ and rethrows. */
export async function withScreenshot<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const dir = path.join(ROOT, 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name.replace(/[^a-z0-9-]+/gi, '_')}.png`), fullPage: true }).catch(() => undefined);
    throw err;
  }
}

/** Waits for the SCO frame whose URL contains `part` and for the fixture SCO script to have run. */
export async function scoFrame(page: Page, part: string, timeoutMs = 10_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const frame = page.frames().find((f) => f !== page.mainFrame() && f.url().includes(part));
    if (frame) {
      const ready = await frame.evaluate(() => Array.isArray((window as unknown as { scoLog?: unknown[] }).scoLog)).catch(() => false);
      if (ready) {return frame;}
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no SCO frame matching "${part}" (frames: ${page.frames().map((f) => f.url()).join(', ')})`);
}

/** Polls until `fn` returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) {return v;}
    if (Date.now() > deadline) {throw new Error(`timed out waiting for ${what}`);}
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A new page of the console, signed in with the admin token and showing the Courses page (1280×900). */
export async function signedInConsole(browser: TestBrowser, appUrl: string, token: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${appUrl}/console/`);
  await page.getByLabel('Admin token').fill(token);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Courses', level: 1 }).waitFor();
  return page;
}
