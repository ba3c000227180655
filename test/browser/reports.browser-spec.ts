import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, signedInConsole, TestBrowser, withScreenshot } from '../support/browser';
import { adminSend, importCourseCopy, playAs } from '../support/learner-play';
import { attachNrps, learnerMember } from '../support/emulator-nrps';
import { PlatformEmulator, startLtiTestbed, LtiTestbed } from '../support/platform-emulator';
import { RosterService } from '../../src/roster/roster.service';

const RESULTS = path.resolve(__dirname, '../../test-results');

/**
 * The Reports page and the customer filter of "Learners & grades" in Chromium (issue 9), against a
 * real server with two customers, each with its own emulated LMS, whose learners launched and
 * committed over HTTP. Screenshots: test-results/console-reports*.png.
 */
describe('Console reports in Chromium', () => {
  let tb: LtiTestbed;
  let lmsB: PlatformEmulator;
  let browser: TestBrowser;
  let page: Page;
  let acme: string;
  let beta: string;
  let courseY: string;

  async function shot(name: string): Promise<void> {
    fs.mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, `console-${name}.png`), fullPage: true });
  }

  /** Clicks a download link and answers the file's text (BOM kept). */
  async function download(name: RegExp | string): Promise<string> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
    return fs.readFileSync(await file.path(), 'utf8');
  }

  /** The text of every cell of a table's body, row by row (row header first). */
  function rows(testid: string): Promise<string[][]> {
    return page
      .getByTestId(testid)
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => (c.textContent ?? '').trim())));
  }

  beforeAll(async () => {
    [browser, tb] = await Promise.all([launchBrowser(), startLtiTestbed()]);
    await adminSend(tb, 'PATCH', `/api/courses/${tb.courseId}`, { title: 'Fire safety' });
    courseY = await importCourseCopy(tb, 'First aid');
    acme = (await adminSend(tb, 'POST', '/api/customers', { name: 'Acme Training' })).id;
    beta = (await adminSend(tb, 'POST', '/api/customers', { name: 'Beta College' })).id;
    await adminSend(tb, 'PATCH', `/api/platforms/${tb.platformId}`, { customerId: acme });
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
    await adminSend(tb, 'POST', '/api/licences', { customerId: acme, courseId: tb.courseId, seatLimit: 10, endsAt: soon });
    await adminSend(tb, 'POST', '/api/licences', { customerId: acme, courseId: courseY });
    await adminSend(tb, 'POST', '/api/licences', { customerId: beta, courseId: null });
    lmsB = await PlatformEmulator.start({ clientId: 'lms-b', toolUrl: tb.app.appUrl });
    await adminSend(tb, 'POST', '/api/platforms', lmsB.registrationBody({ name: 'Beta Moodle', customerId: beta }));
    // Acme's LMS offers its roster (Names and Roles): cy is enrolled and never starts
    attachNrps(tb.emu).setMembers('ctx-0001', [learnerMember('ada', 'Ada Acme'), learnerMember('ben', 'Ben Acme'), learnerMember('cy', 'Cy Acme')]);
    await playAs(tb, tb.emu, tb.courseId, { sub: 'ada', name: 'Ada Acme' }, { status: 'passed', raw: 80 });
    await playAs(tb, tb.emu, tb.courseId, { sub: 'ben', name: 'Ben Acme' }, { status: 'failed', raw: 30 });
    await playAs(tb, tb.emu, courseY, { sub: 'ada', name: 'Ada Acme' }, { status: 'completed' });
    await playAs(tb, tb.emu, tb.courseId, { sub: 'teacher', name: 'Teacher Acme', instructor: true }, { status: 'passed', raw: 100 });
    await playAs(tb, lmsB, tb.courseId, { sub: 'bea', name: 'Bea Beta' }, { status: 'passed', raw: 90 });
    await tb.app.server.app.get(RosterService).idle();

    page = await signedInConsole(browser, tb.app.appUrl, tb.app.token);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await lmsB?.stop();
    await tb?.close();
  });

  it('shows every customer and every course with their figures, in accessible tables, each with its CSV', async () => {
    await withScreenshot(page, 'console-reports-failed', async () => {
      await page.getByRole('link', { name: 'Reports', exact: true }).click();
      await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
      await expect(page.getByRole('link', { name: 'Reports', exact: true }).getAttribute('aria-current')).resolves.toBe('page');
      const customers = await rows('customer-usage');
      // customer, courses, learners, attempts, completions, passed, failed, pass rate, average score (the instructor's preview is not counted)
      expect(customers.map((r) => r[r.length - 1])).toEqual(['3', '—']); // enrolled, not started: Beta's LMS offers no roster
      expect(customers.map((r) => r.slice(0, 10))).toEqual([
        ['Acme Training', '2', '2 1 warning', '2', '3', '3', '1', '1', '50 %', '55 %'],
        ['Beta College', '1', '1', '1', '1', '1', '1', '0', '100 %', '90 %'],
      ]);
      const courses = await rows('course-usage');
      expect(courses.map((r) => r.slice(0, 10))).toEqual([
        ['Fire safety', '2', '3', '3', '3', '2', '1', '66.7 %', '66.7 %', expect.any(String)],
        ['First aid', '1', '1', '1', '1', '0', '0', '—', '—', expect.any(String)],
      ]);
      // each table has a caption, column headers and a row header per line
      const table = page.getByTestId('customer-usage');
      await expect(table.locator('caption').textContent()).resolves.toBe('Usage per customer');
      await expect(table.locator('thead th[scope="col"]').count()).resolves.toBe(12);
      await expect(table.locator('tbody th[scope="row"]').count()).resolves.toBe(2);
      await expect(page.getByRole('table', { name: 'Usage per course, across customers' }).count()).resolves.toBe(1);
      await shot('reports');

      const csv = await download('Download the customers report as CSV');
      expect(csv.split('\r\n').slice(0, 2)).toEqual([
        '\uFEFFcustomer_id,customer,state,courses,licences,licence_warnings,learners,attempts,completions,passed,failed,pass_rate_percent,average_score_percent,last_activity_at,enrolled_not_started',
        expect.stringMatching(new RegExp(`^${acme},Acme Training,active,2,2,1,2,3,3,1,1,50,55,\\d{4}-`)),
      ]);
    });
  });

  it("opens a customer's report with its totals in words and a line per course, and a course across customers", async () => {
    await withScreenshot(page, 'console-reports-customer-failed', async () => {
      await page.getByTestId('customer-usage').getByRole('link', { name: 'Beta College' }).click();
      await page.getByRole('heading', { name: 'Report: Beta College', level: 1 }).waitFor();
      // one of each: the nouns are singular
      await expect(page.getByTestId('report-totals').innerText()).resolves.toMatch(/1\s+learner\s+1\s+attempt\s+1\s+completion\s+100 %\s+pass rate\s+90 %\s+average score/);
      await page.getByRole('link', { name: '← All reports' }).click();
      await page.getByTestId('customer-usage').getByRole('link', { name: 'Acme Training' }).click();
      await page.getByRole('heading', { name: 'Report: Acme Training', level: 1 }).waitFor();
      await expect(page.getByTestId('report-totals').innerText()).resolves.toMatch(/2\s+learners\s+3\s+attempts\s+3\s+completions\s+50 %\s+pass rate\s+55 %\s+average score\s+3\s+enrolled, not started/); // cy on both courses, ben on First aid
      // its licences: seats used of the limit (as the licences API counts them), the one ending soon highlighted
      const seats = ((await adminSend(tb, 'GET', `/api/licences?customerId=${acme}`, undefined)) as Array<{ courseId: string | null; seatsUsed: number }>).find((l) => l.courseId === tb.courseId)?.seatsUsed;
      expect((await rows('customer-licences')).map((r) => [r[0], r[1], r[4]])).toEqual([ // by course title
        ['Fire safety', `${seats} of 10`, 'Ends within 30 days'],
        ['First aid', expect.stringMatching(/^\d+ \(no limit\)$/), 'None'],
      ]);
      expect((await rows('customer-courses')).map((r) => r.slice(0, 8))).toEqual([
        ['Fire safety Learners', '2', '2', '2', '1', '1', '50 %', '55 %'],
        ['First aid Learners', '1', '1', '1', '0', '0', '—', '—'],
      ]);
      await shot('reports-customer');
      const csv = await download('Download the report of Acme Training as CSV');
      expect(csv.split('\r\n')[1]).toMatch(new RegExp(`^Acme Training,${tb.courseId},Fire safety,2,2,2,1,1,50,55,`));
      const licencesCsv = (await download('Download the licences of Acme Training as CSV')).split('\r\n');
      expect(licencesCsv[0]).toBe('\uFEFFlicence_id,customer_id,customer,course_id,course,seat_limit,seats_used,starts_at,ends_at,state,status,warnings,notes,created_at');
      expect(licencesCsv.filter((l) => l.includes(`,${acme},Acme Training,`)).map((l) => l.split(',').slice(4, 7))).toEqual([
        ['Fire safety', '10', String(seats)],
        ['First aid', '', expect.stringMatching(/^\d+$/)],
      ]);

      await page.getByRole('link', { name: '← All reports' }).click();
      await page.getByTestId('course-usage').getByRole('link', { name: 'Fire safety' }).click();
      await page.getByRole('heading', { name: 'Report: Fire safety', level: 1 }).waitFor();
      await page.getByText('Used by 2 customers.').waitFor();
      expect((await rows('course-customers')).map((r) => r.slice(0, 3))).toEqual([
        ['Acme Training', '2', '2'],
        ['Beta College', '1', '1'],
      ]);
      await shot('reports-course');
    });
  });

  it("filters Learners & grades by customer, and exports just that customer's rows", async () => {
    await withScreenshot(page, 'console-reports-learners-failed', async () => {
      await page.goto(`${tb.app.appUrl}/console/#/reports/customers/${acme}`);
      await page.getByRole('link', { name: 'Learners of Fire safety at Acme Training' }).click();
      await page.getByRole('heading', { name: 'Learners & grades', level: 1 }).waitFor();
      await expect(page.getByLabel('Customer').inputValue()).resolves.toBe(acme);
      const subs = () => page.getByTestId('attempt-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-sub')));
      await page.getByTestId('attempt-table').waitFor();
      await expect(subs()).resolves.toEqual(['ada', 'ben']); // the preview is hidden, Beta's learner is another customer's
      const csv = (await download('Export CSV')).split('\r\n').filter((l) => l !== '');
      expect(csv.map((l) => l.split(',')[0])).toEqual(['\uFEFFlearner_sub', 'ada', 'ben']);

      await page.getByLabel('Customer').selectOption({ label: 'Beta College' });
      await page.waitForURL(new RegExp(`#/learners/${tb.courseId}/${beta}$`));
      await page.getByTestId('attempt-table').locator('tr[data-sub="bea"]').waitFor();
      await expect(subs()).resolves.toEqual(['bea']);
      await expect(page.locator('.summary').innerText()).resolves.toMatch(/1\s+learner\s+1\s+attempt/);
      await page.getByLabel('Customer').selectOption({ label: 'Every customer' });
      await page.waitForURL(new RegExp(`#/learners/${tb.courseId}$`));
      await page.getByLabel('Show previews').check();
      await page.getByTestId('attempt-table').locator('tr[data-sub="teacher"]').waitFor();
      await expect(subs()).resolves.toHaveLength(4);
      const all = (await download('Export CSV')).split('\r\n').filter((l) => l !== '');
      expect(all.map((l) => l.split(',')[0]).slice(1).sort()).toEqual(['ada', 'bea', 'ben', 'teacher']);
      await shot('reports-learners');
    });
  });
});
