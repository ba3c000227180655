// @ts-check
// #/customers: the client organisations, their LMSs, and the form to add one.
import { listCustomers, listLicences, listPlatforms } from './client.js';
import { customerForm } from './customer-form.js';
import { h, render } from './dom.js';
import { plural } from './format.js';
import { loadInto, page } from './ui.js';

/**
 * @typedef {import('./types').Customer} Customer
 * @typedef {import('./types').Platform} Platform
 * @typedef {import('./types').Licence} Licence
 */

export async function customersPage() {
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading customers…'));
  const formBox = h('div');
  const addButton = h('button', { type: 'button', class: 'primary', 'aria-expanded': 'false' }, 'Add a customer');
  addButton.addEventListener('click', () => {
    addButton.hidden = true;
    render(
      formBox,
      customerForm(
        null,
        (saved) => (location.hash = `#/customers/${encodeURIComponent(saved.id)}`),
        () => {
          render(formBox);
          addButton.hidden = false;
          addButton.focus();
        },
      ),
    );
    formBox.querySelector('input')?.focus();
  });
  page(
    'Customers',
    h(
      'p',
      {},
      'A customer is a client organisation with its own LMS. Send each customer its own registration link, so that the LMS it registers belongs to it; licences say which courses its learners may open.',
    ),
    h('div', { class: 'actions' }, addButton),
    formBox,
    list,
  );

  await loadInto(
    list,
    () => Promise.all([listCustomers(), listPlatforms(), listLicences()]),
    ([customers, platforms, licences]) => {
      const unassigned = platforms.filter((p) => !p.customerId);
      return [
        customers.length && unassigned.length
          ? h(
              'div',
              { class: 'alert warn', 'data-testid': 'unassigned-platforms' },
              `${plural(unassigned.length, 'LMS registration belongs', 'LMS registrations belong')} to no customer and cannot launch courses while customers exist: `,
              unassigned.map((p) => p.name).join(', '),
              '. Assign it from a customer’s page or from Connect an LMS.',
            )
          : null,
        customers.length
          ? customerTable(customers, platforms, licences)
          : h('p', { class: 'empty' }, 'No customer yet. While there is none, every registered LMS can launch every course.'),
      ];
    },
  );
}

/**
 * Seats over a customer's licences that let anyone in (not suspended or revoked): used / limit, or
 * "no limit" when one of them has none. Every-course licences count learners and course licences
 * count seats on their course, so when a customer has both they are shown apart rather than added
 * (a learner would be counted twice).
 * @param {Licence[]} licences
 */
function seatsText(licences) {
  const live = licences.filter((l) => l.state === 'active');
  if (!live.length) {
    return h('span', { class: 'muted' }, '—');
  }
  /** @param {Licence[]} some */
  const total = (some) => {
    const used = some.reduce((n, l) => n + l.seatsUsed, 0);
    return some.some((l) => l.seatLimit === null) ? `${used} / no limit` : `${used} / ${some.reduce((n, l) => n + (l.seatLimit ?? 0), 0)}`;
  };
  const every = live.filter((l) => l.courseId === null);
  const named = live.filter((l) => l.courseId !== null);
  return every.length && named.length ? `${total(every)} (every course) · ${total(named)} (named courses)` : total(live);
}

/**
 * @param {Customer[]} customers
 * @param {Platform[]} platforms
 * @param {Licence[]} licences
 */
function customerTable(customers, platforms, licences) {
  const names = new Map(platforms.map((p) => [p.id, p.name]));
  /** @type {Map<string, Licence[]>} */
  const byCustomer = new Map();
  for (const l of licences) {
    byCustomer.set(l.customerId, [...(byCustomer.get(l.customerId) ?? []), l]);
  }
  return h(
    'table',
    { class: 'data', 'data-testid': 'customer-table' },
    h('caption', { class: 'visually-hidden' }, 'Customers'),
    h('thead', {}, h('tr', {}, ['Name', 'State', 'LMSs', 'Licences', 'Seats used'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      customers.map((c) => {
        const own = byCustomer.get(c.id) ?? [];
        const warned = own.filter((l) => l.warnings.length).length;
        return h(
          'tr',
          { 'data-customer': c.name },
          h('th', { scope: 'row' }, h('a', { href: `#/customers/${encodeURIComponent(c.id)}` }, c.name), c.contact ? h('div', { class: 'sub muted small' }, c.contact) : null),
          h('td', { 'data-label': 'State' }, stateBadge(c.state)),
          h(
            'td',
            { 'data-label': 'LMSs' },
            c.platformIds.length ? c.platformIds.map((id) => names.get(id) ?? id).join(', ') : h('span', { class: 'muted' }, 'none yet'),
          ),
          h(
            'td',
            { 'data-label': 'Licences' },
            own.length ? plural(own.length, 'licence') : h('span', { class: 'muted' }, 'none'),
            warned ? h('span', { class: 'badge warn', title: 'Seats at 80 % or more, or ending within 30 days' }, `${warned} to watch`) : null,
          ),
          h('td', { 'data-label': 'Seats used', class: 'num' }, seatsText(own)),
        );
      }),
    ),
  );
}

/** @param {Customer['state']} state */
export function stateBadge(state) {
  return state === 'active' ? h('span', { class: 'badge ok' }, 'Active') : h('span', { class: 'badge warn' }, 'Suspended');
}
