// @ts-check
// #/reports: usage per customer and per course (docs/rest-api.md "Reports"), each view with its CSV download.
// #/reports/customers/:id is one customer's report, #/reports/courses/:id one course across customers.
import {
  courseReport,
  courseReportPath,
  courseUsage,
  courseUsagePath,
  csvUrl,
  customerReport,
  customerReportPath,
  customerUsage,
  customerUsagePath,
  licencesPath,
} from './client.js';
import { h } from './dom.js';
import { fmtDate, fmtScore, plural } from './format.js';
import { countStat, errorBox, loading, page, stat } from './ui.js';

/**
 * @typedef {import('./types').ReportFigures} ReportFigures
 * @typedef {import('./types').ReportLicence} ReportLicence
 */

/** @type {Record<string, string>} */
const LICENCE_STATUS = {
  usable: 'In force',
  not_started: 'Not started yet',
  expired: 'Ended',
  suspended: 'Suspended',
  revoked: 'Revoked',
  seats_full: 'Seats full',
};

/** @type {Record<string, string>} */
const LICENCE_WARNING = {
  seats_high: 'Seats at 80 % or more',
  seats_full: 'Every seat used',
  ending_soon: 'Ends within 30 days',
};

const enc = encodeURIComponent;

/** The figure columns every report table ends with. */
const FIGURE_HEADS = ['Learners', 'Attempts', 'Completions', 'Passed', 'Failed', 'Pass rate', 'Average score', 'Last activity', 'Enrolled, not started'];

/** @param {ReportFigures} f */
function figureCells(f) {
  return [
    h('td', { 'data-label': 'Learners', class: 'num' }, String(f.learners)),
    h('td', { 'data-label': 'Attempts', class: 'num' }, String(f.attempts)),
    h('td', { 'data-label': 'Completions', class: 'num' }, String(f.completions)),
    h('td', { 'data-label': 'Passed', class: 'num' }, String(f.passed)),
    h('td', { 'data-label': 'Failed', class: 'num' }, String(f.failed)),
    h('td', { 'data-label': 'Pass rate', class: 'num' }, fmtScore(f.passRate)),
    h('td', { 'data-label': 'Average score', class: 'num' }, fmtScore(f.averageScore)),
    h('td', { 'data-label': 'Last activity' }, fmtDate(f.lastActivityAt)),
    h(
      'td',
      { 'data-label': 'Enrolled, not started', class: 'num', title: f.enrolledNotStarted === null ? 'No roster from the LMS (Names and Roles) for this yet' : undefined },
      f.enrolledNotStarted === null ? '—' : String(f.enrolledNotStarted),
    ),
  ];
}

/**
 * An accessible table: a caption, column headers, and each line's first cell as its row header.
 * @param {{ caption: string, testid: string, heads: string[], rows: Array<{ key: string, head: import('./dom.js').Child, cells: HTMLElement[] }> }} t
 */
function reportTable(t) {
  return h(
    'table',
    { class: 'data', 'data-testid': t.testid },
    h('caption', { class: 'visually-hidden' }, t.caption),
    h('thead', {}, h('tr', {}, [...t.heads, ...FIGURE_HEADS].map((x) => h('th', { scope: 'col' }, x)))),
    h(
      'tbody',
      {},
      t.rows.map((r) => h('tr', { 'data-key': r.key }, h('th', { scope: 'row' }, r.head), ...r.cells)),
    ),
  );
}

/** A "Download CSV" link to the same view from the API. @param {string} path @param {string} what */
function csvLink(path, what) {
  return h('a', { class: 'button', href: csvUrl(path), download: '', 'aria-label': `Download ${what} as CSV` }, 'Download CSV');
}

/** The totals of a report as stat boxes, counted in words. @param {ReportFigures} f */
function totals(f) {
  return h(
    'div',
    { class: 'summary', 'data-testid': 'report-totals' },
    countStat(f.learners, 'learner'),
    countStat(f.attempts, 'attempt'),
    countStat(f.completions, 'completion'),
    stat(fmtScore(f.passRate), 'pass rate'),
    stat(fmtScore(f.averageScore), 'average score'),
    f.enrolledNotStarted === null ? null : stat(f.enrolledNotStarted, 'enrolled, not started'),
  );
}

/** @param {string[]} parts the hash after "reports" */
export async function reportsPage(parts) {
  loading();
  try {
    if (parts[0] === 'customers' && parts[1]) {
      await customerPage(parts[1]);
    } else if (parts[0] === 'courses' && parts[1]) {
      await coursePage(parts[1]);
    } else {
      await overviewPage();
    }
  } catch (err) {
    page('Reports', errorBox(err));
  }
}

async function overviewPage() {
  const [customers, courses] = await Promise.all([customerUsage(), courseUsage()]);
  page(
    'Reports',
    h('p', { class: 'muted' }, 'Counted: learners’ attempts from the LMSs of each customer; previews (instructors and the console) are not counted.'),
    h(
      'section',
      { 'aria-labelledby': 'customers-heading' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'customers-heading' }, 'Customers'), customers.length ? csvLink(customerUsagePath, 'the customers report') : null),
      customers.length
        ? reportTable({
            caption: 'Usage per customer',
            testid: 'customer-usage',
            heads: ['Customer', 'Courses', 'Licences'],
            rows: customers.map((c) => ({
              key: c.customerId,
              head: [h('a', { href: `#/reports/customers/${enc(c.customerId)}` }, c.name), c.state === 'suspended' ? h('span', { class: 'badge warn' }, 'Suspended') : null],
              cells: [
                h('td', { 'data-label': 'Courses', class: 'num' }, String(c.courses)),
                h(
                  'td',
                  { 'data-label': 'Licences', class: 'num' },
                  String(c.licences),
                  c.licenceWarnings ? [' ', h('span', { class: 'badge warn' }, plural(c.licenceWarnings, 'warning'))] : null,
                ),
                ...figureCells(c),
              ],
            })),
          })
        : h('p', { class: 'empty' }, 'No customer yet: add one under Customers.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'courses-heading' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'courses-heading' }, 'Courses across customers'), courses.length ? csvLink(courseUsagePath, 'the courses report') : null),
      courses.length
        ? reportTable({
            caption: 'Usage per course, across customers',
            testid: 'course-usage',
            heads: ['Course', 'Customers'],
            rows: courses.map((c) => ({
              key: c.courseId,
              head: h('a', { href: `#/reports/courses/${enc(c.courseId)}` }, c.title),
              cells: [h('td', { 'data-label': 'Customers', class: 'num' }, String(c.customers)), ...figureCells(c)],
            })),
          })
        : h('p', { class: 'empty' }, 'No course yet.'),
    ),
  );
}

/** @param {string} id */
async function customerPage(id) {
  const r = await customerReport(id);
  page(
    `Report: ${r.name}`,
    h('p', {}, h('a', { href: '#/reports' }, '← All reports'), r.state === 'suspended' ? h('span', { class: 'badge warn' }, 'Suspended') : null),
    totals(r.totals),
    h('p', { class: 'muted' }, `Last activity: ${fmtDate(r.totals.lastActivityAt)}`),
    h(
      'section',
      { 'aria-labelledby': 'licences-heading' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'licences-heading' }, 'Licences'), r.licences.length ? csvLink(licencesPath({ customerId: id }), `the licences of ${r.name}`) : null),
      licenceTable(r.name, r.licences),
    ),
    h(
      'section',
      { 'aria-labelledby': 'customer-courses-heading' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'customer-courses-heading' }, 'Courses'), r.courses.length ? csvLink(customerReportPath(id), `the report of ${r.name}`) : null),
      r.courses.length
        ? reportTable({
            caption: `Usage of ${r.name}, per course`,
            testid: 'customer-courses',
            heads: ['Course'],
            rows: r.courses.map((c) => ({
              key: c.courseId,
              head: [c.title, ' ', h('a', { href: `#/learners/${enc(c.courseId)}/${enc(id)}`, class: 'small', 'aria-label': `Learners of ${c.title} at ${r.name}` }, 'Learners')],
              cells: figureCells(c),
            })),
          })
        : h('p', { class: 'empty' }, `No learner of ${r.name} has opened a course yet.`),
    ),
  );
}

/** @param {string} id */
async function coursePage(id) {
  const r = await courseReport(id);
  page(
    `Report: ${r.title}`,
    h('p', {}, h('a', { href: '#/reports' }, '← All reports')),
    totals(r.totals),
    h('p', { class: 'muted' }, `Used by ${plural(r.totals.customers, 'customer')}. Last activity: ${fmtDate(r.totals.lastActivityAt)}`),
    h(
      'section',
      { 'aria-labelledby': 'course-customers-heading' },
      h('div', { class: 'toolbar' }, h('h2', { id: 'course-customers-heading' }, 'Customers'), r.customers.length ? csvLink(courseReportPath(id), `the report of ${r.title}`) : null),
      r.customers.length
        ? reportTable({
            caption: `Usage of ${r.title}, per customer`,
            testid: 'course-customers',
            heads: ['Customer'],
            rows: r.customers.map((c) => ({
              key: c.customerId ?? 'none',
              head: c.customerId ? h('a', { href: `#/reports/customers/${enc(c.customerId)}` }, c.name) : h('span', { class: 'muted' }, 'LMSs of no customer'),
              cells: figureCells(c),
            })),
          })
        : h('p', { class: 'empty' }, 'No learner has opened this course from an LMS yet.'),
    ),
  );
}

/**
 * A customer's licences: course, seats used of the limit, status and period, warnings highlighted.
 * @param {string} customer
 * @param {ReportLicence[]} licences
 */
function licenceTable(customer, licences) {
  if (!licences.length) {
    return h('p', { class: 'empty' }, `${customer} holds no licence.`);
  }
  return h(
    'table',
    { class: 'data', 'data-testid': 'customer-licences' },
    h('caption', { class: 'visually-hidden' }, `Licences of ${customer}`),
    h('thead', {}, h('tr', {}, ['Course', 'Seats used', 'Status', 'Period', 'Warnings'].map((x) => h('th', { scope: 'col' }, x)))),
    h(
      'tbody',
      {},
      licences.map((l) =>
        h(
          'tr',
          { 'data-key': l.id, class: l.warnings.length ? 'warn' : undefined },
          h('th', { scope: 'row' }, l.courseId ? (l.courseTitle ?? l.courseId) : 'Every course'),
          h('td', { 'data-label': 'Seats used', class: 'num' }, l.seatLimit === null ? `${l.seatsUsed} (no limit)` : `${l.seatsUsed} of ${l.seatLimit}`),
          h('td', { 'data-label': 'Status' }, LICENCE_STATUS[l.status] ?? l.status),
          h('td', { 'data-label': 'Period' }, `${l.startsAt ? fmtDate(l.startsAt) : 'from the start'} – ${l.endsAt ? fmtDate(l.endsAt) : 'no end'}`),
          h(
            'td',
            { 'data-label': 'Warnings' },
            l.warnings.length ? l.warnings.map((w) => h('span', { class: 'badge warn' }, LICENCE_WARNING[w] ?? w)) : h('span', { class: 'muted' }, 'None'),
          ),
        ),
      ),
    ),
  );
}
