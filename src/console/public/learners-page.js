// @ts-check
// #/learners/:courseId[/:customerId]: a course's attempts (optionally one customer's) with their grade
// passback, the completions chart and the CSV export (from the API, the rows shown).
import { completionChart } from './chart.js';
import { attemptsPath, csvUrl, listAttempts, listCourses, listCustomers, resendGrade } from './client.js';
import { h, render, field } from './dom.js';
import { fmtDate, fmtDuration, fmtScore } from './format.js';
import { countStat, errorBox, errorText, loading, page, stat, toast } from './ui.js';

/** @typedef {import('./types').Attempt} Attempt */

/** @type {Record<string, string>} */
const STATE_WORDS = {
  sent: 'Sent',
  pending: 'Pending',
  retry: 'Retrying',
  sending: 'Sending',
  failed: 'Failed',
  superseded: 'Refused by the LMS',
};

/**
 * @param {string | undefined} courseId
 * @param {string | undefined} customerId
 */
export async function learnersPage(courseId, customerId) {
  loading();
  let courses;
  let customers;
  try {
    [courses, customers] = await Promise.all([listCourses(), listCustomers()]);
  } catch (err) {
    page('Learners & grades', errorBox(err));
    return;
  }
  const select = h(
    'select',
    { name: 'course' },
    h('option', { value: '' }, courses.length ? 'Choose a course…' : 'No course yet'),
    courses.map((c) => h('option', { value: c.id, selected: c.id === courseId }, c.title)),
  );
  const customerSelect = h(
    'select',
    { name: 'customer' },
    h('option', { value: '' }, 'Every customer'),
    customers.map((c) => h('option', { value: c.id, selected: c.id === customerId }, c.name)),
  );
  const go = () => {
    const course = select.value ? `/${encodeURIComponent(select.value)}` : '';
    location.hash = `#/learners${course}${course && customerSelect.value ? `/${encodeURIComponent(customerSelect.value)}` : ''}`;
  };
  select.addEventListener('change', go);
  customerSelect.addEventListener('change', go);
  const showPreviews = h('input', { type: 'checkbox', name: 'previews', id: 'show-previews' });
  const body = h('div', { 'aria-live': 'polite' });
  const exportLink = h('a', { class: 'button', download: '', hidden: true }, 'Export CSV');
  /** @type {Attempt[]} */
  let attempts = [];
  page(
    'Learners & grades',
    h(
      'div',
      { class: 'toolbar' },
      field('Course', select),
      customers.length ? field('Customer', customerSelect) : null,
      h('div', { class: 'field check' }, showPreviews, h('label', { for: 'show-previews' }, 'Show previews')),
      exportLink,
    ),
    body,
  );
  if (!courseId) {
    render(body, h('p', { class: 'empty' }, 'Choose a course to see its learners.'));
    return;
  }
  const path = attemptsPath(courseId, customerId || undefined);
  const visible = () => attempts.filter((a) => showPreviews.checked || !a.preview);
  showPreviews.addEventListener('change', draw);

  function draw() {
    const rows = visible();
    exportLink.hidden = rows.length === 0;
    exportLink.setAttribute('href', csvUrl(showPreviews.checked ? path : `${path}&previews=false`));
    render(
      body,
      summary(rows),
      rows.length ? h('section', { class: 'card' }, h('h2', {}, 'Completions over time'), completionChart(rows)) : null,
      rows.length ? attemptTable(rows, () => void load()) : h('p', { class: 'empty' }, 'No learner has opened this course from an LMS yet.'),
    );
  }

  async function load() {
    try {
      attempts = await listAttempts(courseId ?? '', customerId || undefined);
      draw();
    } catch (err) {
      render(body, errorBox(err));
    }
  }
  await load();
}

/** @param {Attempt[]} rows */
function summary(rows) {
  const learners = new Set(rows.filter((a) => !a.preview).map((a) => a.learner.id)).size;
  const completed = rows.filter((a) => a.completion === 'completed').length;
  const passed = rows.filter((a) => a.success === 'passed').length;
  return h('div', { class: 'summary' }, countStat(learners, 'learner'), countStat(rows.length, 'attempt'), stat(completed, 'completed'), stat(passed, 'passed'));
}

/**
 * @param {Attempt[]} rows
 * @param {() => void} reload
 */
function attemptTable(rows, reload) {
  return h(
    'table',
    { class: 'data', 'data-testid': 'attempt-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Learner', 'Completion', 'Success', 'Score', 'Time spent', 'Last activity', 'Grade passback'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((a) =>
        h(
          'tr',
          { 'data-sub': a.learner.sub },
          h(
            'th',
            { scope: 'row' },
            a.learner.name || a.learner.sub,
            a.learner.email ? h('div', { class: 'muted small' }, a.learner.email) : null,
            h('div', { class: 'muted small' }, `attempt ${a.number}${a.resourceLinkTitle ? ` · ${a.resourceLinkTitle}` : ''}`),
          ),
          h('td', { 'data-label': 'Completion' }, a.completion),
          h('td', { 'data-label': 'Success' }, a.success),
          h('td', { 'data-label': 'Score', class: 'num' }, fmtScore(a.score)),
          h('td', { 'data-label': 'Time spent', class: 'num' }, fmtDuration(a.totalTimeSeconds)),
          h('td', { 'data-label': 'Last activity' }, fmtDate(a.lastActivityAt)),
          h('td', { 'data-label': 'Grade passback' }, passback(a, reload)),
        ),
      ),
    ),
  );
}

/**
 * The grade delivery's state in words, the LMS's answer, and a Resend button.
 * @param {Attempt} a
 * @param {() => void} reload
 */
function passback(a, reload) {
  const d = a.gradeDelivery;
  if (a.preview) {
    return h('span', { class: 'muted' }, 'Preview (never sent)');
  }
  if (!d) {
    return h('span', { class: 'muted' }, 'No gradebook column');
  }
  const cls = d.state === 'sent' ? 'ok' : d.state === 'failed' || d.state === 'superseded' ? 'error' : 'warn';
  /** @type {import('./dom.js').Child[]} */
  const parts = [h('span', { class: `badge ${cls}`, 'data-state': d.state }, STATE_WORDS[d.state] || d.state)];
  if (d.state === 'sent' && d.sentAt) {
    parts.push(h('span', { class: 'muted small' }, ` ${fmtDate(d.sentAt)}`));
  }
  if (d.lastError) {
    parts.push(h('div', { class: 'lms-message' }, d.lastStatus ? `LMS answered ${d.lastStatus}: ` : '', d.lastError));
  }
  if (d.state !== 'sending') {
    const btn = h('button', { type: 'button', class: 'small', 'aria-label': `Resend the grade of ${a.learner.name || a.learner.sub}` }, 'Resend');
    btn.addEventListener('click', () => void resend(d.id, btn));
    parts.push(' ', btn);
  }
  /**
   * @param {string} id
   * @param {HTMLButtonElement} btn
   */
  async function resend(id, btn) {
    btn.disabled = true;
    try {
      await resendGrade(id);
      toast('The grade will be sent again now.');
      reload();
    } catch (err) {
      toast(errorText(err));
      btn.disabled = false;
    }
  }
  return h('div', {}, parts);
}
