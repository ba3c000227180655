// @ts-check
// #/customers/:id: one customer — its details (edit, suspend or reactivate, delete), its LMS
// platforms (assign or unassign registrations), its licences, its registration links, its LTI 1.1
// keys and its dispatch packages (for LMSs without LTI 1.3).
import { assignPlatform, deleteCustomer, getCustomer, listCourses, listCustomers, listPlatforms, updateCustomer } from './client.js';
import { customerForm } from './customer-form.js';
import { dispatchesSection } from './dispatches.js';
import { stateBadge } from './customers-page.js';
import { field, h, render } from './dom.js';
import { fmtDate } from './format.js';
import { licencesSection } from './licences.js';
import { lti11KeysSection } from './lti11-keys.js';
import { registrationLinksSection } from './registration-links.js';
import { confirmedChange, errorBox, loadInto, loading, page, toast } from './ui.js';

/**
 * @typedef {import('./types').Customer} Customer
 * @typedef {import('./types').Platform} Platform
 */

/** @param {string} id */
export async function customerDetailPage(id) {
  loading();
  /** @type {Customer} */
  let customer;
  /** @type {import('./types').Course[]} */
  let courses;
  try {
    [customer, courses] = await Promise.all([getCustomer(id), listCourses()]);
  } catch (err) {
    page('Customer', h('p', { class: 'crumbs' }, h('a', { href: '#/customers' }, '← Customers')), errorBox(err));
    return;
  }
  const badge = h('span', {}, stateBadge(customer.state));
  const details = h('section', { class: 'card', 'aria-labelledby': 'details-title' });
  const platformsBox = h('div', { 'aria-live': 'polite' });

  function showDetails() {
    const alertBox = h('div', { 'aria-live': 'polite' });
    const suspended = customer.state === 'suspended';
    render(
      details,
      h('h2', { id: 'details-title' }, 'Details'),
      suspended
        ? h('div', { class: 'alert warn', 'data-testid': 'suspended-note' }, 'Suspended: its LMSs launch nothing; learners see a page saying access is suspended. All its data is kept.')
        : null,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Contact'),
        h('dd', {}, customer.contact || h('span', { class: 'muted' }, '—')),
        h('dt', {}, 'Notes'),
        h('dd', { class: 'pre' }, customer.notes || h('span', { class: 'muted' }, '—')),
        h('dt', {}, 'Added'),
        h('dd', {}, fmtDate(customer.createdAt)),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: edit }, 'Edit'),
        suspended
          ? h('button', { type: 'button', class: 'primary', onclick: () => void setState('active', alertBox) }, 'Reactivate')
          : h('button', { type: 'button', class: 'danger', onclick: () => void setState('suspended', alertBox) }, 'Suspend'),
        h('button', { type: 'button', class: 'danger', onclick: () => void remove(alertBox) }, 'Delete'),
      ),
      alertBox,
    );
  }

  function edit() {
    render(
      details,
      customerForm(
        customer,
        (saved) => {
          customer = saved;
          refreshTitle();
          showDetails();
        },
        showDetails,
      ),
    );
    details.querySelector('input')?.focus();
  }

  function refreshTitle() {
    document.title = `${customer.name} – SCORM LTI bridge`;
    const h1 = document.querySelector('main h1');
    if (h1) {
      render(h1, customer.name, badge);
    }
    render(badge, stateBadge(customer.state));
  }

  /**
   * @param {Customer['state']} state
   * @param {HTMLElement} alertBox
   */
  function setState(state, alertBox) {
    const n = customer.platformIds.length;
    const lms = n === 1 ? 'its LMS' : n ? `its ${n} LMSs` : 'its LMSs (none yet)';
    return confirmedChange({
      confirm:
        state === 'suspended'
          ? {
              title: `Suspend “${customer.name}”?`,
              body: [
                h('p', {}, `Launches stop at once: learners and instructors coming from ${lms} see a page saying that access is suspended, and no course opens.`),
                h('p', {}, 'Nothing is deleted: learners, attempts, grades, licences and LMS registrations are kept. Reactivate the customer to restore access.'),
              ],
              confirm: 'Suspend customer',
              danger: true,
            }
          : undefined,
      change: async () => {
        customer = await updateCustomer(customer.id, { state });
      },
      done: state === 'suspended' ? `“${customer.name}” is suspended: its launches stop; its data is kept.` : `“${customer.name}” is active again: its LMSs launch again.`,
      after: () => {
        refreshTitle();
        showDetails();
      },
      errorIn: alertBox,
    });
  }

  /** @param {HTMLElement} alertBox */
  function remove(alertBox) {
    return confirmedChange({
      confirm: {
        title: `Delete “${customer.name}”?`,
        body: [
          h('p', {}, 'The customer and its registration links are deleted. This cannot be undone.'),
          h('p', {}, 'A customer that LMSs still belong to cannot be deleted: assign them elsewhere first, or suspend the customer instead (that keeps its data).'),
        ],
        confirm: 'Delete customer',
        danger: true,
      },
      change: () => deleteCustomer(customer.id),
      done: `Customer “${customer.name}” deleted.`,
      after: () => {
        location.hash = '#/customers';
      },
      errorIn: alertBox,
      errorOpts: { testid: 'delete-error', lead: 'Not deleted: ' },
    });
  }

  function loadPlatforms() {
    return loadInto(
      platformsBox,
      () => Promise.all([listPlatforms(), listCustomers()]),
      ([platforms, customers]) => {
        const mine = platforms.filter((p) => p.customerId === customer.id);
        customer = { ...customer, platformIds: mine.map((p) => p.id) };
        return [platformTable(mine, (p) => void unassign(p)), assignForm(platforms, customers)];
      },
    );
  }

  /**
   * @param {Platform[]} platforms
   * @param {Customer[]} customers
   */
  function assignForm(platforms, customers) {
    const others = platforms.filter((p) => p.customerId !== customer.id);
    if (!others.length) {
      return h('p', { class: 'muted' }, 'Every registered LMS already belongs to this customer. Register another with a registration link below.');
    }
    const names = new Map(customers.map((c) => [c.id, c.name]));
    const select = h(
      'select',
      { name: 'platform', required: true },
      h('option', { value: '' }, 'Choose an LMS registration…'),
      others.map((p) => h('option', { value: p.id }, `${p.name} (${p.customerId ? `now ${names.get(p.customerId) ?? 'another customer'}` : 'no customer'})`)),
    );
    const status = h('div', { 'aria-live': 'polite' });
    const form = h(
      'form',
      { class: 'toolbar', novalidate: true, 'aria-label': 'Assign an LMS' },
      field('Assign an existing LMS registration', select),
      h('button', { type: 'submit' }, 'Assign'),
      status,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void assign();
    });
    async function assign() {
      const platform = others.find((p) => p.id === select.value);
      if (!platform) {
        render(status, h('p', { class: 'field-error' }, 'Choose the LMS registration to assign.'));
        select.focus();
        return;
      }
      try {
        await assignPlatform(platform.id, customer.id);
        toast(`“${platform.name}” now belongs to “${customer.name}”.`);
        await loadPlatforms();
      } catch (err) {
        render(status, errorBox(err));
      }
    }
    return form;
  }

  /** @param {Platform} p */
  function unassign(p) {
    return confirmedChange({
      confirm: {
        title: `Unassign “${p.name}”?`,
        body: [h('p', {}, `It will belong to no customer: while customers exist, an LMS that belongs to none launches nothing. Its registration and data are kept.`)],
        confirm: 'Unassign',
        danger: true,
      },
      change: () => assignPlatform(p.id, null),
      done: `“${p.name}” no longer belongs to “${customer.name}”.`,
      after: loadPlatforms,
      errorIn: platformsBox,
    });
  }

  page(
    customer.name,
    h('p', { class: 'crumbs' }, h('a', { href: '#/customers' }, '← Customers')),
    details,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'platforms-title', 'data-testid': 'customer-platforms' },
      h('h2', { id: 'platforms-title' }, 'LMS platforms'),
      platformsBox,
    ),
    licencesSection({ customer, customers: [customer], courses }).section,
    registrationLinksSection(customer, () => void loadPlatforms()),
    lti11KeysSection(customer, courses),
    dispatchesSection(customer, courses),
  );
  refreshTitle();
  showDetails();
  await loadPlatforms();
}

/**
 * @param {Platform[]} platforms
 * @param {(p: Platform) => void} onUnassign
 */
function platformTable(platforms, onUnassign) {
  if (!platforms.length) {
    return h('p', { class: 'empty' }, 'No LMS belongs to this customer yet: send it a registration link, or assign a registration below.');
  }
  return h(
    'table',
    { class: 'data', 'data-testid': 'customer-platform-table' },
    h('caption', { class: 'visually-hidden' }, 'LMS platforms of this customer'),
    h('thead', {}, h('tr', {}, ['Name', 'Issuer', 'Registered', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      platforms.map((p) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, p.name),
          h('td', { 'data-label': 'Issuer' }, h('code', {}, p.issuer)),
          h('td', { 'data-label': 'Registered' }, `${p.registeredBy === 'dynamic' ? 'Dynamic' : 'By hand'}, ${fmtDate(p.createdAt)}`),
          h(
            'td',
            { class: 'row-actions' },
            h('button', { type: 'button', class: 'small', 'aria-label': `Unassign ${p.name}`, onclick: () => onUnassign(p) }, 'Unassign'),
          ),
        ),
      ),
    ),
  );
}
