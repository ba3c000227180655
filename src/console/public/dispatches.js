// @ts-check
// A customer's dispatch packages (customer detail): dispatch a licensed course as a SCORM zip for an
// LMS without LTI 1.3, download the 1.2 or 2004 zip, revoke one (docs/dispatch.md).
import { createDispatch, listDispatches, revokeDispatch } from './client.js';
import { field, h } from './dom.js';
import { formErrors, onSubmit } from './form-errors.js';
import { fmtDate } from './format.js';
import { revocableList, toast } from './ui.js';

/**
 * @typedef {import('./types').Customer} Customer
 * @typedef {import('./types').Course} Course
 * @typedef {import('./types').Dispatch} Dispatch
 */

/**
 * @param {Customer} customer
 * @param {Course[]} courses
 */
export function dispatchesSection(customer, courses) {
  const list = h('div', { 'aria-live': 'polite' });
  const course = h(
    'select',
    { name: 'courseId', required: true },
    h('option', { value: '' }, 'Choose a course…'),
    courses.filter((c) => !c.archivedAt).map((c) => h('option', { value: c.id }, c.title)),
  );
  const title = h('input', { type: 'text', name: 'title', maxlength: '200', placeholder: 'The course title' });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create dispatch');
  const form = h(
    'form',
    { class: 'dispatch-form', novalidate: true, 'aria-label': 'New dispatch' },
    h(
      'div',
      { class: 'grid' },
      field('Course', course, 'A licence of this customer must cover it now; each learner’s launch is checked against the licence like an LTI launch (seats, dates, state).'),
      field('Title in the LMS', title, 'Optional: what the customer’s LMS shows for the package.'),
    ),
    h('div', { class: 'actions' }, submit),
    status,
  );
  const errors = formErrors(form, status);
  onSubmit(form, submit, errors, async () => {
    try {
      const d = await createDispatch(customer.id, { courseId: course.value, title: title.value.trim() || null });
      toast(`Dispatch of “${d.title}” created: download its zip below.`);
      title.value = '';
      await load();
    } catch (err) {
      errors.show(err, { courseId: course, title });
    }
  });

  const load = revocableList({
    box: list,
    get: () => listDispatches(customer.id),
    table: dispatchTable,
    empty: 'No dispatch yet.',
    revoke: (d) => ({
      confirm: {
        title: `Revoke the dispatch “${d.title}”?`,
        body: [
          h('p', {}, 'Every LMS that imported its package shows learners a page saying the course was withdrawn; nothing else of this customer changes.'),
          h('p', {}, 'Learners’ attempts and results are kept. A revoked dispatch cannot be restored: create a new one (and import its zip) instead.'),
        ],
        confirm: 'Revoke dispatch',
      },
      change: () => revokeDispatch(customer.id, d.id),
      done: `Dispatch “${d.title}” revoked.`,
    }),
  });

  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'dispatches-title', 'data-testid': 'dispatches' },
    h('h2', { id: 'dispatches-title' }, 'Dispatch packages (LMSs without LTI 1.3)'),
    h(
      'p',
      { class: 'muted' },
      `A dispatch package is a small SCORM zip that ${customer.name}’s LMS administrator imports like any SCORM course. It holds no course content: the course plays from this bridge (new versions reach it at once), results land in the LMS’s own SCORM tracking and in this customer’s reports. Download the SCORM 1.2 zip unless the LMS prefers 2004.`,
    ),
    form,
    h('h3', {}, 'Dispatches'),
    list,
  );
  void load();
  return section;
}

/**
 * @param {Dispatch[]} rows
 * @param {(d: Dispatch) => void} onRevoke
 */
function dispatchTable(rows, onRevoke) {
  return h(
    'table',
    { class: 'data', 'data-testid': 'dispatch-table' },
    h('caption', { class: 'visually-hidden' }, 'Dispatch packages'),
    h('thead', {}, h('tr', {}, ['Title', 'Course', 'State', 'Created', 'Package', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      rows.map((d) =>
        h(
          'tr',
          { 'data-state': d.state },
          h('th', { scope: 'row' }, d.title),
          h('td', { 'data-label': 'Course' }, d.courseTitle ?? h('span', { class: 'muted' }, '—')),
          h(
            'td',
            { 'data-label': 'State' },
            d.state === 'active' ? h('span', { class: 'badge ok' }, 'Active') : h('span', { class: 'badge error' }, 'Revoked'),
            d.revokedAt ? h('span', { class: 'muted small' }, ` ${fmtDate(d.revokedAt)}`) : null,
          ),
          h('td', { 'data-label': 'Created' }, fmtDate(d.createdAt)),
          h(
            'td',
            { 'data-label': 'Package' },
            d.state === 'active'
              ? [
                  h('a', { class: 'button small', href: d.packages['1.2'], download: '', 'aria-label': `Download the SCORM 1.2 zip of ${d.title}` }, 'SCORM 1.2 zip'),
                  ' ',
                  h('a', { class: 'button small', href: d.packages['2004'], download: '', 'aria-label': `Download the SCORM 2004 zip of ${d.title}` }, 'SCORM 2004 zip'),
                ]
              : h('span', { class: 'muted' }, 'none (revoked)'),
          ),
          h(
            'td',
            { class: 'row-actions' },
            d.state === 'active' ? h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke ${d.title}`, onclick: () => onRevoke(d) }, 'Revoke') : null,
          ),
        ),
      ),
    ),
  );
}
