// @ts-check
// Licences as a section: the table (seats used / limit, dates, status, highlighted at ≥ 80 % of the
// seats, at the limit and within 30 days of the end), a summary line, and add / edit / suspend /
// revoke, and delete once revoked. Used by a customer's page (its licences) and by #/licences (all, filterable).
import { csvUrl, deleteLicence, licencesPath, listLicences, updateLicence } from './client.js';
import { field, h, render } from './dom.js';
import { fmtDay, plural } from './format.js';
import { daysToLastDay, licenceForm } from './licence-form.js';
import { confirmedChange, loadInto } from './ui.js';

/**
 * @typedef {import('./types').Licence} Licence
 * @typedef {import('./types').Customer} Customer
 * @typedef {import('./types').Course} Course
 */

/** @type {Record<Licence['status'], [string, string, string]>} words, badge class, what it means */
const STATUS = {
  usable: ['Usable', 'ok', 'Learners get in; new learners take a free seat.'],
  not_started: ['Not started', '', 'Nobody gets in before its first day.'],
  expired: ['Ended', '', 'Its last day is over: nobody gets in under it.'],
  suspended: ['Suspended', 'warn', 'Nobody gets in under it until it is reactivated; seats and data are kept.'],
  revoked: ['Revoked', 'error', 'Ended by you: nobody gets in under it; seats and data are kept.'],
  seats_full: ['Seats full', 'error', 'Only learners who already hold a seat get in.'],
};

/** What a licence covers, in words. @param {Licence} l */
export function licenceCourse(l) {
  return l.courseId === null ? 'every course' : (l.courseTitle ?? 'a deleted course');
}

/** @param {Licence} l */
function seatsCell(l) {
  const full = l.warnings.includes('seats_full');
  const high = l.warnings.includes('seats_high');
  const pct = l.seatLimit ? Math.round((l.seatsUsed / l.seatLimit) * 100) : null;
  return h(
    'td',
    { 'data-label': 'Seats', class: `num seats${full ? ' is-full' : high ? ' is-high' : ''}` },
    h('span', { class: 'seat-count' }, l.seatLimit === null ? `${l.seatsUsed} / no limit` : `${l.seatsUsed} / ${l.seatLimit}`),
    pct !== null ? h('span', { class: 'muted small' }, ` (${pct} %)`) : null,
    full
      ? h('span', { class: 'badge error', title: 'Only learners who already hold a seat get in.' }, 'Limit reached')
      : high
        ? h('span', { class: 'badge warn', title: '80 % of the seats or more are taken.' }, 'Nearly full')
        : null,
  );
}

/** @param {Licence} l */
function periodCell(l) {
  const from = l.startsAt ? fmtDay(l.startsAt) : null;
  const to = l.endsAt ? fmtDay(Date.parse(l.endsAt) - 1) : null;
  const soon = l.warnings.includes('ending_soon');
  const days = l.endsAt ? daysToLastDay(l.endsAt) : 0;
  return h(
    'td',
    { 'data-label': 'Period', class: soon ? 'is-ending' : undefined },
    from && to ? `${from} – ${to}` : from ? `from ${from}, no end` : to ? `until ${to}` : h('span', { class: 'muted' }, 'no dates'),
    soon ? h('span', { class: 'badge warn' }, days === 0 ? 'Last day today' : days === 1 ? 'Last day tomorrow' : `Ends in ${plural(days, 'day')}`) : null,
  );
}

/**
 * @param {Licence[]} licences
 * @param {{ showCustomer: boolean, onEdit: (l: Licence) => void, onState: (l: Licence, state: Licence['state']) => void, onDelete: (l: Licence) => void }} opts
 */
export function licenceTable(licences, { showCustomer, onEdit, onState, onDelete }) {
  const heads = [...(showCustomer ? ['Customer'] : []), 'Course', 'Seats used', 'Period', 'Status', ''];
  return h(
    'table',
    { class: 'data licences', 'data-testid': 'licence-table' },
    h('caption', { class: 'visually-hidden' }, 'Licences'),
    h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      licences.map((l) => {
        const [words, cls, meaning] = STATUS[l.status];
        const what = `${showCustomer ? `${l.customerName}, ` : ''}${licenceCourse(l)}`;
        return h(
          'tr',
          { 'data-licence': l.id, 'data-status': l.status, 'data-warnings': l.warnings.join(' '), class: l.warnings.length ? 'has-warning' : undefined },
          showCustomer ? h('td', { 'data-label': 'Customer' }, h('a', { href: `#/customers/${encodeURIComponent(l.customerId)}` }, l.customerName)) : null,
          h(
            'th',
            { scope: 'row' },
            l.courseId === null ? h('span', { class: 'every' }, 'Every course') : (l.courseTitle ?? 'a deleted course'),
            l.notes ? h('div', { class: 'sub muted small pre' }, l.notes) : null,
          ),
          seatsCell(l),
          periodCell(l),
          h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${cls}`, title: meaning }, words), h('div', { class: 'muted small' }, meaning)),
          h(
            'td',
            { class: 'row-actions' },
            h('button', { type: 'button', class: 'small', 'aria-label': `Edit the licence: ${what}`, onclick: () => onEdit(l) }, 'Edit'),
            l.state === 'active'
              ? h('button', { type: 'button', class: 'small', 'aria-label': `Suspend the licence: ${what}`, onclick: () => onState(l, 'suspended') }, 'Suspend')
              : h('button', { type: 'button', class: 'small', 'aria-label': `Reactivate the licence: ${what}`, onclick: () => onState(l, 'active') }, 'Reactivate'),
            l.state !== 'revoked'
              ? h('button', { type: 'button', class: 'small danger', 'aria-label': `Revoke the licence: ${what}`, onclick: () => onState(l, 'revoked') }, 'Revoke')
              : h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete the licence: ${what}`, onclick: () => onDelete(l) }, 'Delete'),
          ),
        );
      }),
    ),
  );
}

/** "3 licences; 1 with 80 % of its seats or more taken; 1 ending within 30 days". @param {Licence[]} licences */
export function licenceSummary(licences) {
  const high = licences.filter((l) => l.warnings.includes('seats_high') || l.warnings.includes('seats_full')).length;
  const ending = licences.filter((l) => l.warnings.includes('ending_soon')).length;
  return [
    plural(licences.length, 'licence'),
    high ? `${high} with 80 % of ${high === 1 ? 'its' : 'their'} seats or more taken` : null,
    ending ? `${ending} ending within 30 days` : null,
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * The licences of one customer (`customer`), or of all with filters by customer and course.
 * @param {{ customer: Customer | null, customers: Customer[], courses: Course[] }} opts
 */
export function licencesSection({ customer, customers, courses }) {
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading licences…'));
  const summary = h('p', { class: 'summary-line', 'data-testid': 'licence-summary' });
  const formBox = h('div');
  const addButton = h('button', { type: 'button', class: 'primary' }, 'Add a licence');
  /** The CSV of the licences listed (the same filters), hidden while there are none. */
  const csvLink = h('a', { class: 'button', download: '', hidden: true, 'aria-label': 'Download these licences as CSV' }, 'Download CSV');
  /**
   * A filter of the global list (none on a customer's page): "All …" or one of `options` ([id, words]).
   * @param {string} all
   * @param {Array<[string, string]>} options
   */
  const filter = (all, options) => {
    if (customer) {
      return null;
    }
    const select = h('select', {}, h('option', { value: '' }, all), options.map(([value, words]) => h('option', { value }, words)));
    select.addEventListener('change', () => void load());
    return select;
  };
  const customerFilter = filter('All customers', customers.map((c) => [c.id, c.name]));
  const courseFilter = filter('All courses', courses.map((c) => [c.id, c.title]));

  function closeForm() {
    render(formBox);
    addButton.hidden = false;
  }

  /** @param {Licence | null} existing */
  function openForm(existing) {
    addButton.hidden = true;
    render(
      formBox,
      licenceForm({
        existing,
        customer,
        customers,
        courses,
        onSaved: () => {
          closeForm();
          void load();
        },
        onCancel: () => {
          closeForm();
          addButton.focus();
        },
      }),
    );
    formBox.querySelector('select')?.focus();
  }
  addButton.addEventListener('click', () => openForm(null));

  /**
   * @param {Licence} l
   * @param {Licence['state']} state
   */
  function setState(l, state) {
    const what = `the licence of ${l.customerName} for ${licenceCourse(l)}`;
    return confirmedChange({
      confirm:
        state === 'active'
          ? undefined
          : {
              title: state === 'revoked' ? `Revoke ${what}?` : `Suspend ${what}?`,
              body: [
                h(
                  'p',
                  {},
                  `From now on nobody gets in under this licence: learners of ${l.customerName} see a page saying so (unless another licence covers the course).`,
                ),
                h(
                  'p',
                  {},
                  state === 'revoked'
                    ? 'Nothing is deleted: seats, attempts and grades are kept. Revoking ends the licence; it stays listed for the record.'
                    : 'Nothing is deleted: seats, attempts and grades are kept, and reactivating lets the same learners in again.',
                ),
              ],
              confirm: state === 'revoked' ? 'Revoke licence' : 'Suspend licence',
              danger: true,
            },
      change: () => updateLicence(l.id, { state }),
      done: `The licence of ${l.customerName} for ${licenceCourse(l)} is ${state === 'active' ? 'active again' : state}.`,
      after: load,
      errorIn: list,
    });
  }

  /** A revoked licence leaves the list (its learners' seats, attempts and grades stay). @param {Licence} l */
  function remove(l) {
    return confirmedChange({
      confirm: {
        title: `Delete the licence of ${l.customerName} for ${licenceCourse(l)}?`,
        body: [h('p', {}, 'It is no longer listed. Seats, attempts and grades are kept: a new licence for the course lets the same learners in without taking new seats.')],
        confirm: 'Delete licence',
        danger: true,
      },
      change: () => deleteLicence(l.id),
      done: `The licence of ${l.customerName} for ${licenceCourse(l)} is deleted.`,
      after: load,
      errorIn: list,
    });
  }

  function load() {
    const query = { customerId: customer?.id ?? customerFilter?.value, courseId: courseFilter?.value };
    return loadInto(
      list,
      () => listLicences(query),
      (licences) => {
        csvLink.setAttribute('href', csvUrl(licencesPath(query)));
        csvLink.hidden = !licences.length;
        const filtered = Boolean(customerFilter?.value || courseFilter?.value);
        render(summary, licences.length ? licenceSummary(licences) : null);
        return licences.length
          ? licenceTable(licences, { showCustomer: !customer, onEdit: openForm, onState: (l, s) => void setState(l, s), onDelete: (l) => void remove(l) })
          : h(
              'p',
              { class: 'empty' },
              filtered
                ? 'No licence matches these filters.'
                : customer
                  ? `No licence yet: ${customer.name}'s learners can open no course until you add one.`
                  : 'No licence yet. Once customers exist, their LMSs launch only the courses a licence grants.',
            );
      },
    );
  }

  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'licences-title', 'data-testid': 'licences' },
    h('h2', { id: 'licences-title' }, customer ? 'Licences' : 'All licences'),
    customerFilter && courseFilter
      ? h(
          'div',
          { class: 'toolbar' },
          field('Filter by customer', customerFilter),
          field('Filter by course', courseFilter),
        )
      : null,
    h('div', { class: 'actions' }, addButton, csvLink),
    formBox,
    summary,
    list,
  );
  void load();
  return { section, reload: load };
}
