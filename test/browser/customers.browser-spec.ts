import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, launchBrowser, signedInConsole, TestBrowser, withScreenshot } from '../support/browser';
import { errorCode as refusal } from '../support/error-page';
import { PlatformEmulator, startLtiTestbed, LtiTestbed } from '../support/platform-emulator';

const RESULTS = path.resolve(__dirname, '../../test-results');

/**
 * The Customers and Licences pages in Chromium against a real server and two emulated LMSs (issue 9):
 * add customers (errors at the field), send one a registration link that a second LMS registers
 * with, assign the first LMS to the other customer, license a course with a seat limit and an end
 * date to one and every course to the other, let learners take seats by launching through the
 * emulators, see the seat and end-date warnings, suspend a licence and a customer (launches refused,
 * then allowed), and a delete the API refuses in words. Screenshots: test-results/console-customer*.png
 * and console-licences*.png.
 */
describe('Console customers and licences in Chromium', () => {
  let tb: LtiTestbed;
  let other: PlatformEmulator;
  let browser: TestBrowser;
  let page: Page;
  let courseTitle = '';
  /** A launch from Beta's LMS (the testbed's emulator) as `sub`. */
  const launch = (sub = 'beta-1') => tb.emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, claims: { sub } });
  /** A launch from Acme's LMS (registered through Acme's link) as `sub`. */
  const launchAcme = (sub: string) => other.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, clientId: 'dyn-client-1', claims: { sub } });
  /** YYYY-MM-DD of today + `days`, in local time (what `<input type=date>` takes). */
  const day = (days: number) => {
    const d = new Date();
    d.setDate(d.getDate() + days);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };

  async function shot(name: string): Promise<void> {
    fs.mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, `console-${name}.png`), fullPage: true });
  }

  async function openCustomer(name: string): Promise<void> {
    await page.goto(`${tb.app.appUrl}/console/#/customers`);
    await page.getByTestId('customer-table').getByRole('link', { name }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
  }

  beforeAll(async () => {
    [browser, tb] = await Promise.all([launchBrowser(), startLtiTestbed()]);
    other = await PlatformEmulator.start({ toolUrl: tb.app.appUrl });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: tb.app.appUrl });
    page = await signedInConsole(browser, tb.app.appUrl, tb.app.token);
    courseTitle = ((await (await fetch(`${tb.app.appUrl}/api/courses/${tb.courseId}`, { headers: tb.app.auth })).json()) as { title: string }).title;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await other?.stop();
    await tb?.close();
  });

  it('adds two customers; a missing name is refused at the field, in words', async () => {
    await withScreenshot(page, 'console-customers-failed', async () => {
      await page.getByRole('link', { name: 'Customers', exact: true }).click();
      await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
      await page.getByText('No customer yet').waitFor();
      await page.getByRole('button', { name: 'Add a customer' }).click();
      await page.getByRole('button', { name: 'Add customer' }).click();
      const name = page.getByLabel('Name');
      const error = page.locator('.field-error');
      await error.waitFor(); // the refusal comes back from the server
      await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(error.textContent()).resolves.toMatch(/^Name must be a non-empty string/);
      await expect(name.getAttribute('aria-describedby')).resolves.toContain(await error.getAttribute('id'));
      await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('name');

      await name.fill('Acme Training');
      await page.getByLabel('Contact').fill('Ada (ada@acme.example)');
      await page.getByLabel('Notes').fill('Contract 2027-01');
      await page.getByRole('button', { name: 'Add customer' }).click();
      await page.getByRole('heading', { name: 'Acme Training', level: 1 }).waitFor();
      await page.getByText('Ada (ada@acme.example)').waitFor();

      await page.getByRole('link', { name: 'Customers', exact: true }).click();
      await page.getByRole('button', { name: 'Add a customer' }).click();
      await page.getByLabel('Name').fill('Beta Learning');
      await page.getByRole('button', { name: 'Add customer' }).click();
      await page.getByRole('heading', { name: 'Beta Learning', level: 1 }).waitFor();
    });
  });

  it("creates Acme's single-use registration link: the URL is shown once with a copy button, and the LMS that registers with it belongs to Acme", async () => {
    await withScreenshot(page, 'console-customer-link-failed', async () => {
      await openCustomer('Acme Training');
      await page.getByRole('button', { name: 'Create registration link' }).click();
      const box = page.getByTestId('new-link');
      await box.waitFor();
      const url = (await box.locator('code.value').textContent()) ?? '';
      expect(url).toMatch(new RegExp(`^${tb.app.appUrl}/lti/register/[A-Za-z0-9_-]{43}$`));
      await expect(box.textContent()).resolves.toMatch(/shown only this once/);
      await expect(box.textContent()).resolves.toContain('Send it to the LMS administrator of Acme Training');
      await box.getByRole('button', { name: 'Copy Registration URL' }).click();
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(url);
      const row = page.getByTestId('link-table').locator('tbody tr');
      await row.waitFor(); // the list is read again after the link is shown
      await expect(row.getAttribute('data-status')).resolves.toBe('usable');
      await expect(row.textContent()).resolves.toContain('0 of 1');
      await shot('customer-link');

      // the customer's LMS admin pastes the URL into their LMS (the second emulator)
      const res = await fetch(`${url}?${new URLSearchParams({ openid_configuration: `${other.url}/.well-known/openid-configuration`, registration_token: 'reg-token-123' })}`);
      expect(res.status).toBe(200);

      await page.reload();
      await page.getByRole('heading', { name: 'Acme Training', level: 1 }).waitFor();
      await expect(page.getByTestId('new-link').count()).resolves.toBe(0); // the URL is not shown again
      const platformRow = page.getByTestId('customer-platform-table').locator('tbody tr', { hasText: other.issuer });
      await platformRow.waitFor();
      await expect(platformRow.textContent()).resolves.toContain('Dynamic');
      await eventually(async () => (await page.getByTestId('link-table').locator('tbody tr').getAttribute('data-status')) === 'used', 'the link to read "used"');
      await expect(page.getByTestId('link-table').locator('tbody tr').textContent()).resolves.toContain('1 of 1');
      // bound to Acme, which has no licence yet
      expect(refusal(await launchAcme('acme-0'))).toBe('lti_licence_missing');
    });
  });

  it('creates an expiring link for several registrations, refuses a past expiry at the field, and revokes a link', async () => {
    await withScreenshot(page, 'console-customer-links-failed', async () => {
      await page.getByLabel('Registrations allowed').fill('5');
      await page.getByLabel('Expires').fill('2001-01-01T10:00');
      await page.getByRole('button', { name: 'Create registration link' }).click();
      const err = page.getByTestId('registration-links').locator('.field-error');
      await expect(err.textContent()).resolves.toMatch(/^Expires \(.*\) is in the past/);
      await expect(page.getByLabel('Expires').getAttribute('aria-invalid')).resolves.toBe('true');

      const next = new Date(Date.now() + 7 * 86_400_000);
      const local = `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}-${String(next.getDate()).padStart(2, '0')}T17:30`;
      await page.getByLabel('Expires').fill(local);
      await page.getByRole('button', { name: 'Create registration link' }).click();
      await expect(page.getByTestId('new-link').textContent()).resolves.toContain('It works for 5 registrations until');
      await expect(err.count()).resolves.toBe(0);
      const rows = page.getByTestId('link-table').locator('tbody tr');
      await eventually(async () => (await rows.count()) === 2, 'two links');
      const fresh = rows.first();
      await expect(fresh.textContent()).resolves.toContain('0 of 5');
      await expect(fresh.textContent()).resolves.not.toContain('never');

      await fresh.getByRole('button', { name: /^Revoke/ }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.textContent()).resolves.toContain('stay registered');
      await dialog.getByRole('button', { name: 'Revoke link' }).click();
      await eventually(async () => (await rows.first().getAttribute('data-status')) === 'revoked', 'the link to read "revoked"');
      await expect(page.locator('#toast').textContent()).resolves.toBe('Registration link revoked.');
      await expect(rows.first().getByRole('button').count()).resolves.toBe(0);
    });
  });

  it("assigns the first LMS to Beta from Beta's page; the Customers list and Connect an LMS show who owns which LMS", async () => {
    await withScreenshot(page, 'console-customer-assign-failed', async () => {
      expect(refusal(await launch())).toBe('lti_platform_unassigned');
      await page.goto(`${tb.app.appUrl}/console/#/customers`);
      await expect(page.getByTestId('unassigned-platforms').textContent()).resolves.toContain('1 LMS registration belongs to no customer');
      await openCustomer('Beta Learning');
      await page.getByText('No LMS belongs to this customer yet').waitFor();
      await page.getByLabel('Assign an existing LMS registration').selectOption({ label: 'Emulator LMS (no customer)' });
      await page.getByRole('button', { name: 'Assign', exact: true }).click();
      await page.getByTestId('customer-platform-table').locator('tbody tr', { hasText: 'Emulator LMS' }).waitFor();
      expect(refusal(await launch())).toBe('lti_licence_missing');

      await page.getByRole('link', { name: 'Customers', exact: true }).click();
      const table = page.getByTestId('customer-table');
      await table.waitFor();
      await expect(page.getByTestId('unassigned-platforms').count()).resolves.toBe(0);
      await expect(table.locator('tr[data-customer="Beta Learning"]').textContent()).resolves.toContain('Emulator LMS');
      await expect(table.locator('tr[data-customer="Acme Training"] td').nth(1).textContent()).resolves.not.toBe('none yet');

      await page.getByRole('link', { name: 'Connect an LMS' }).click();
      const connectRow = page.getByTestId('platform-table').locator('tbody tr', { hasText: 'Emulator LMS' });
      await connectRow.getByRole('link', { name: 'Beta Learning' }).waitFor();
      // the platform's own form moves it to Acme and back
      await page.getByRole('button', { name: 'Edit Emulator LMS' }).click();
      await expect(page.getByLabel('Customer').inputValue()).resolves.not.toBe('');
      await page.getByLabel('Customer').selectOption({ label: 'Acme Training' });
      await page.getByRole('button', { name: 'Save changes' }).click();
      await connectRow.getByRole('link', { name: 'Acme Training' }).waitFor();
      await page.getByRole('button', { name: 'Edit Emulator LMS' }).click();
      await page.getByLabel('Customer').selectOption({ label: 'Beta Learning' });
      await page.getByRole('button', { name: 'Save changes' }).click();
      await connectRow.getByRole('link', { name: 'Beta Learning' }).waitFor();
    });
  });

  it("licenses the course to Acme (2 seats, last day in 10 days) and every course to Beta (5 seats); errors at the field", async () => {
    await withScreenshot(page, 'console-licence-create-failed', async () => {
      await openCustomer('Acme Training');
      const section = page.getByTestId('licences');
      await section.getByText('No licence yet').waitFor();
      await section.getByRole('button', { name: 'Add a licence' }).click();
      await section.getByLabel('Course', { exact: true }).selectOption({ label: courseTitle });
      await section.getByLabel('Seat limit').fill('0');
      await section.getByRole('button', { name: 'Add licence' }).click();
      await expect(section.locator('.field-error').textContent()).resolves.toMatch(/^Seat limit must be a whole number from 1/);
      await expect(section.getByLabel('Seat limit').getAttribute('aria-invalid')).resolves.toBe('true');

      await section.getByLabel('Seat limit').fill('2');
      await section.getByLabel('First day').fill(day(3));
      await section.getByLabel('Last day').fill(day(1));
      await section.getByRole('button', { name: 'Add licence' }).click();
      await section.locator('.field-error', { hasText: 'The last day cannot be before the first day.' }).waitFor();
      await expect(section.getByLabel('Seat limit').getAttribute('aria-invalid')).resolves.toBeNull();
      await shot('licence-form-errors');

      await section.getByLabel('First day').fill(day(0));
      await section.getByLabel('Last day').fill(day(10));
      await section.getByRole('button', { name: 'Add licence' }).click();
      const row = section.getByTestId('licence-table').locator('tbody tr');
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('0 / 2');
      await expect(row.getAttribute('data-warnings')).resolves.toBe('ending_soon');
      await expect(row.locator('td.is-ending').textContent()).resolves.toContain('Ends in 10 days');
      await expect(section.getByTestId('licence-summary').textContent()).resolves.toBe('1 licence; 1 ending within 30 days');

      await page.getByRole('link', { name: 'Licences', exact: true }).click();
      await page.getByRole('heading', { name: 'Licences', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Add a licence' }).click();
      await page.getByRole('button', { name: 'Add licence' }).click();
      await expect(page.locator('.field-error').textContent()).resolves.toBe('Choose the customer this licence is for.');
      await page.getByLabel('Customer', { exact: true }).selectOption({ label: 'Beta Learning' });
      await page.getByLabel('Seat limit').fill('5');
      await page.getByLabel('Notes').fill('Order 4711');
      await page.getByRole('button', { name: 'Add licence' }).click();
      await page.locator('tr[data-licence]', { hasText: 'Every course' }).waitFor();
      await expect(page.getByTestId('licence-summary').textContent()).resolves.toBe('2 licences; 1 ending within 30 days');
    });
  });

  it('learners take seats by launching: at 80 % and at the limit the licences are highlighted, and a learner past the limit is refused', async () => {
    await withScreenshot(page, 'console-licence-seats-failed', async () => {
      for (const sub of ['acme-1', 'acme-2']) {
        expect(refusal(await launchAcme(sub))).toBeNull();
      }
      expect(refusal(await launchAcme('acme-3'))).toBe('lti_licence_seats_full');
      expect(refusal(await launchAcme('acme-1'))).toBeNull(); // a seat holder keeps access
      for (const sub of ['beta-1', 'beta-2', 'beta-3', 'beta-4']) {
        expect(refusal(await launch(sub))).toBeNull();
      }

      await page.reload();
      await page.getByRole('heading', { name: 'Licences', level: 1 }).waitFor();
      const acme = page.locator('tr[data-licence]', { hasText: 'Acme Training' });
      const beta = page.locator('tr[data-licence]', { hasText: 'Beta Learning' });
      await acme.waitFor();
      await expect(acme.locator('td.seats').textContent()).resolves.toMatch(/^2 \/ 2 \(100 %\)Limit reached/);
      await expect(acme.locator('td.seats').getAttribute('class')).resolves.toContain('is-full');
      await expect(acme.getAttribute('data-status')).resolves.toBe('seats_full');
      await expect(acme.textContent()).resolves.toContain('Only learners who already hold a seat get in.');
      await expect(beta.locator('td.seats').textContent()).resolves.toMatch(/^4 \/ 5 \(80 %\)Nearly full/);
      await expect(beta.locator('td.seats').getAttribute('class')).resolves.toContain('is-high');
      await expect(beta.locator('td.is-ending').count()).resolves.toBe(0);
      await expect(page.getByTestId('licence-summary').textContent()).resolves.toBe('2 licences; 2 with 80 % of their seats or more taken; 1 ending within 30 days');
      await shot('licences');

      // filters: by customer, and by course (its own licences and the every-course ones)
      await page.getByLabel('Filter by customer').selectOption({ label: 'Acme Training' });
      await eventually(async () => (await page.locator('tr[data-licence]').count()) === 1, 'only Acme’s licence');
      // the CSV of the licences listed, with the same filter
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download these licences as CSV' }).click()]);
      const csv = fs.readFileSync(await file.path(), 'utf8').split('\r\n').filter((l) => l !== '');
      expect(csv.map((l) => l.split(',').slice(2, 7))).toEqual([
        ['customer', 'course_id', 'course', 'seat_limit', 'seats_used'],
        ['Acme Training', tb.courseId, courseTitle, '2', '2'],
      ]);
      await page.getByLabel('Filter by customer').selectOption({ label: 'All customers' });
      await page.getByLabel('Filter by course').selectOption({ label: courseTitle });
      await eventually(async () => (await page.locator('tr[data-licence]').count()) === 2, 'both licences cover the course');

      await page.getByRole('link', { name: 'Customers', exact: true }).click();
      const table = page.getByTestId('customer-table');
      await table.waitFor();
      await expect(table.locator('tr[data-customer="Acme Training"]').textContent()).resolves.toMatch(/1 licence1 to watch.*2 \/ 2/);
      await expect(table.locator('tr[data-customer="Beta Learning"]').textContent()).resolves.toMatch(/1 licence1 to watch.*4 \/ 5/);
      await shot('customers');
      await openCustomer('Beta Learning');
      await page.getByTestId('licence-table').waitFor();
      await shot('customer-detail');
    });
  });

  it("suspends Acme's licence after a confirmation (launches refused, seats kept) and reactivates it; raising the limit lets a new learner in", async () => {
    await withScreenshot(page, 'console-licence-suspend-failed', async () => {
      await openCustomer('Acme Training');
      const section = page.getByTestId('licences');
      const row = section.locator('tr[data-licence]');
      await row.getByRole('button', { name: /^Suspend the licence/ }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.textContent()).resolves.toContain('Nothing is deleted: seats, attempts and grades are kept');
      await dialog.getByRole('button', { name: 'Suspend licence' }).click();
      await eventually(async () => (await row.getAttribute('data-status')) === 'suspended', 'the licence to read "suspended"');
      expect(refusal(await launchAcme('acme-1'))).toBe('lti_licence_suspended');
      await expect(row.locator('td.seats').textContent()).resolves.toMatch(/^2 \/ 2/);
      await row.getByRole('button', { name: /^Reactivate the licence/ }).click();
      await eventually(async () => (await row.getAttribute('data-status')) === 'seats_full', 'the licence to be active again');
      expect(refusal(await launchAcme('acme-1'))).toBeNull();

      await row.getByRole('button', { name: /^Edit the licence/ }).click();
      await expect(section.getByLabel('Last day').inputValue()).resolves.toBe(day(10));
      await section.getByLabel('Seat limit').fill('3');
      await section.getByRole('button', { name: 'Save licence' }).click();
      await eventually(async () => (await row.getAttribute('data-status')) === 'usable', 'room for one more');
      await expect(row.locator('td.seats').textContent()).resolves.toMatch(/^2 \/ 3 \(67 %\)$/);
      await expect(row.getAttribute('data-warnings')).resolves.toBe('ending_soon'); // the end date was kept
      expect(refusal(await launchAcme('acme-3'))).toBeNull();
    });
  });

  it("revokes Acme's licence, then deletes it; the seats stay, so a new licence lets the same learners in without new seats", async () => {
    await withScreenshot(page, 'console-licence-delete-failed', async () => {
      await openCustomer('Acme Training');
      const section = page.getByTestId('licences');
      const row = section.locator('tr[data-licence]');
      await expect(row.getByRole('button', { name: /^Delete the licence/ }).count()).resolves.toBe(0); // only once revoked
      await row.getByRole('button', { name: /^Revoke the licence/ }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke licence' }).click();
      await eventually(async () => (await row.getAttribute('data-status')) === 'revoked', 'the licence to read "revoked"');
      expect(refusal(await launchAcme('acme-1'))).toBe('lti_licence_revoked');

      await row.getByRole('button', { name: /^Delete the licence/ }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.textContent()).resolves.toContain('Seats, attempts and grades are kept');
      await dialog.getByRole('button', { name: 'Delete licence' }).click();
      await section.getByText('No licence yet').waitFor();
      expect(refusal(await launchAcme('acme-1'))).toBe('lti_licence_missing');

      await section.getByRole('button', { name: 'Add a licence' }).click();
      await section.getByLabel('Course', { exact: true }).selectOption({ label: courseTitle });
      await section.getByLabel('Seat limit').fill('3');
      await section.getByRole('button', { name: 'Add licence' }).click();
      await eventually(async () => (await row.getAttribute('data-status')) === 'seats_full', 'the three seat holders to fill the new licence');
      expect(refusal(await launchAcme('acme-1'))).toBeNull();
      expect(refusal(await launchAcme('acme-4'))).toBe('lti_licence_seats_full');
    });
  });

  it('suspends Beta after a confirmation that says launches stop and data is kept; reactivating lets its LMS launch again', async () => {
    await withScreenshot(page, 'console-customer-suspend-failed', async () => {
      await openCustomer('Beta Learning');
      await page.getByRole('button', { name: 'Suspend', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Suspend “Beta Learning”?' });
      await dialog.waitFor();
      const text = (await dialog.textContent()) ?? '';
      expect(text).toContain('Launches stop at once');
      expect(text).toContain('coming from its LMS see');
      expect(text).toContain('Nothing is deleted');
      await shot('customer-suspend');
      await dialog.getByRole('button', { name: 'Cancel' }).click(); // cancel changes nothing
      expect(refusal(await launch())).toBeNull();

      await page.getByRole('button', { name: 'Suspend', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Suspend customer' }).click();
      await page.getByTestId('suspended-note').waitFor();
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Suspended');
      expect(refusal(await launch())).toBe('lti_customer_suspended');

      await page.getByRole('button', { name: 'Reactivate', exact: true }).click();
      await page.getByRole('button', { name: 'Suspend', exact: true }).waitFor();
      expect(refusal(await launch())).toBeNull();
    });
  });

  it('a customer that an LMS belongs to is not deleted (the API says why); once its LMS is unassigned it is, with its licences', async () => {
    await withScreenshot(page, 'console-customer-delete-failed', async () => {
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete customer' }).click();
      const err = page.getByTestId('delete-error');
      await expect(err.textContent()).resolves.toMatch(/A platform belongs to this customer.*suspend the customer instead/);
      await expect(err.textContent()).resolves.toContain('customer_in_use');

      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.getByLabel('Name').fill('Beta Learning GmbH');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('heading', { name: 'Beta Learning GmbH', level: 1 }).waitFor();

      await page.getByRole('button', { name: 'Unassign Emulator LMS' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.textContent()).resolves.toContain('launches nothing');
      await dialog.getByRole('button', { name: 'Unassign' }).click();
      await page.getByText('No LMS belongs to this customer yet').waitFor();
      expect(refusal(await launch())).toBe('lti_platform_unassigned');

      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete customer' }).click();
      await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
      await page.getByTestId('customer-table').waitFor();
      await expect(page.getByTestId('customer-table').locator('tbody tr').allTextContents()).resolves.toEqual([expect.stringContaining('Acme Training')]);
      await expect(page.getByTestId('unassigned-platforms').textContent()).resolves.toContain('Emulator LMS');
      await page.getByRole('link', { name: 'Licences', exact: true }).click();
      await eventually(async () => (await page.locator('tr[data-licence]').count()) === 1, 'only Acme’s licence left');
    });
  });
});
