import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Attempt } from '../../src/attempts/attempt.entity';
import { Learner } from '../../src/attempts/learner.entity';
import { ScoState } from '../../src/attempts/sco-state.entity';
import { eventually, launchBrowser, scoFrame, TestBrowser, withScreenshot } from '../support/browser';
import { LtiTestbed, startLtiTestbed } from '../support/platform-emulator';
import { startTestS3, TestS3 } from '../support/s3';
import { buildFixtureZip, FIXTURE_PACKAGES_DIR } from '../support/scorm-package.builder';

/**
 * A course whose files are in an S3 bucket (STORAGE=s3, s3rver), played in Chromium after a real LTI
 * launch: the SCO page, its script and an image linked relatively come from the bucket through the
 * content origin's grant, and the SCO's result reaches the server.
 */
describe('Player in Chromium with course files in an S3 bucket', () => {
  let s3: TestS3;
  let tb: LtiTestbed;
  let browser: TestBrowser;

  beforeAll(async () => {
    s3 = await startTestS3('tenant-b');
    browser = await launchBrowser();
    tb = await startLtiTestbed({ env: s3.env });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await tb?.close();
    await s3?.close();
  });

  it('should play a SCORM 1.2 course from the bucket: page, script and image through the grant, result saved', async () => {
    const name = 'scorm12-single-sco';
    const manifest = fs.readFileSync(path.join(FIXTURE_PACKAGES_DIR, name, 'imsmanifest.xml'), 'utf8').replace(/(<resource\b[^>]*\bhref=")([^"?]+)(")/g, '$1$2?status=passed&score=80$3');
    const index = fs.readFileSync(path.join(FIXTURE_PACKAGES_DIR, name, 'index.html'), 'utf8').replace('<pre id="log">', '<img id="pic" src="media/pic.svg" alt="">\n<pre id="log">');
    const zip = await buildFixtureZip(name, {
      files: { 'imsmanifest.xml': manifest, 'index.html': index, 'media/pic.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30"/></svg>' },
    });
    const course = await request(tb.app.appUrl).post('/api/courses').set(tb.app.auth).attach('package', zip, 'bucket-course.zip').expect(201);
    const versionId = course.body.currentVersion.id as string;
    expect(await s3.keys()).toContain(`tenant-b/content/${versionId}/media/pic.svg`);
    expect(fs.existsSync(path.join(tb.app.storageDir, 'content', versionId))).toBe(false);

    const sub = 'bucket-learner';
    const launch = await tb.emu.launch({
      toolUrl: tb.app.appUrl,
      courseId: course.body.id,
      claims: { sub, 'https://purl.imsglobal.org/spec/lti/claim/resource_link': { id: 'bucket-link', title: 'From the bucket' } },
    });
    const playerUrl = /data-player-url="([^"]+)"/.exec(launch.text)?.[1]?.replace(/&amp;/g, '&');
    expect(playerUrl).toBeDefined();

    const page = await browser.context.newPage();
    const fromContentOrigin: string[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(`${tb.app.contentUrl}/content/${versionId}/`)) {
        fromContentOrigin.push(`${r.status()} ${r.url().split('/').slice(-2).join('/')}`);
      }
    });
    const reads = s3.requests.GET ?? 0;
    await withScreenshot(page, 's3-player', async () => {
      await page.goto(playerUrl!);
      const frame = await scoFrame(page, 'index.html');
      const picture = await frame.waitForFunction(() => {
        const img = document.getElementById('pic') as HTMLImageElement | null;
        return img?.complete && img.naturalWidth > 0 ? { width: img.naturalWidth, cookies: document.cookie } : null;
      });
      expect(await picture.jsonValue()).toEqual({ width: 40, cookies: '' });
    });
    expect(fromContentOrigin).toEqual(expect.arrayContaining([expect.stringMatching(/^200 .*index\.html\?status=passed&score=80$/), expect.stringMatching(/^200 .*\/sco\.js$/), '200 media/pic.svg']));
    expect((s3.requests.GET ?? 0) - reads).toBeGreaterThanOrEqual(3); // each file read from the bucket once

    const saved = await eventually(async () => {
      const db = tb.app.server.app.get(DataSource);
      const learner = await db.getRepository(Learner).findOne({ where: { sub } });
      const attempt = learner && (await db.getRepository(Attempt).findOne({ where: { learnerId: learner.id } }));
      const state = attempt && (await db.getRepository(ScoState).findOne({ where: { attemptId: attempt.id } }));
      return state?.terminated ? state : null;
    }, 'the SCO result');
    expect(saved).toMatchObject({ successStatus: 'passed', scoreRaw: 80 });
    await page.close();
  });
});
