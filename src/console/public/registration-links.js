// @ts-check
// A customer's registration links (customer detail): create one (its URL is shown once, with what to
// do with it), list them with their state, revoke one.
import { createRegistrationLink, listRegistrationLinks, revokeRegistrationLink } from './client.js';
import { field, h, render } from './dom.js';
import { formErrors, onSubmit } from './form-errors.js';
import { fmtDate, plural } from './format.js';
import { copyRow, revocableList, toast } from './ui.js';

/**
 * @typedef {import('./types').Customer} Customer
 * @typedef {import('./types').RegistrationLink} RegistrationLink
 * @typedef {import('./types').NewRegistrationLink} NewRegistrationLink
 */

/** @type {Record<RegistrationLink['status'], [string, string]>} words and badge class */
const STATUS = {
  usable: ['Usable', 'ok'],
  used: ['Used', ''],
  expired: ['Expired', 'warn'],
  revoked: ['Revoked', 'error'],
};

/**
 * `<input type=datetime-local>` holds a local time without zone: the API wants an instant.
 * @param {string} value
 * @returns {string | undefined} an ISO instant; the value itself when it is no date (the API says why)
 */
export function localToIso(value) {
  if (!value) {
    return undefined;
  }
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/**
 * @param {Customer} customer
 * @param {() => void} onRegistered called after a link is created (the platforms list may change later)
 */
export function registrationLinksSection(customer, onRegistered) {
  const list = h('div', { 'aria-live': 'polite' });
  const created = h('div');
  const maxUses = h('input', { type: 'number', name: 'maxUses', min: '1', max: '1000', step: '1', value: '1', inputmode: 'numeric' });
  const expiresAt = h('input', { type: 'datetime-local', name: 'expiresAt' });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create registration link');
  const form = h(
    'form',
    { class: 'link-form', novalidate: true, 'aria-label': 'New registration link' },
    h(
      'div',
      { class: 'grid' },
      field('Registrations allowed', maxUses, '1 makes a single-use link: it stops working once one LMS has registered with it.'),
      field('Expires', expiresAt, 'Optional: after this date and time (your time zone) the link registers nothing. Leave empty for no expiry.'),
    ),
    h('div', { class: 'actions' }, submit),
    status,
  );
  const errors = formErrors(form, status);
  onSubmit(form, submit, errors, create);

  async function create() {
    const uses = maxUses.value.trim();
    /** @type {import('./types').RegistrationLinkInput} */
    const body = {};
    if (uses) {
      body.maxUses = /^\d+$/.test(uses) ? Number(uses) : /** @type {number} */ (/** @type {unknown} */ (uses));
    }
    const expiry = localToIso(expiresAt.value);
    if (expiry) {
      body.expiresAt = expiry;
    }
    try {
      const link = await createRegistrationLink(customer.id, body);
      render(created, newLinkBox(customer, link));
      created.querySelector('button')?.focus();
      toast('Registration link created: copy it now.');
      await load();
      onRegistered();
    } catch (err) {
      errors.show(err, { maxUses, expiresAt });
    }
  }

  const load = revocableList({
    box: list,
    get: () => listRegistrationLinks(customer.id),
    table: linkTable,
    empty: 'No registration link yet.',
    revoke: (link) => ({
      confirm: {
        title: 'Revoke this registration link?',
        body: [
          h('p', {}, 'An LMS that has not registered yet can no longer use it. LMSs already registered with it stay registered and keep launching.'),
        ],
        confirm: 'Revoke link',
      },
      change: () => revokeRegistrationLink(customer.id, link.id),
      done: 'Registration link revoked.',
    }),
  });

  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'links-title', 'data-testid': 'registration-links' },
    h('h2', { id: 'links-title' }, 'Registration links'),
    h(
      'p',
      { class: 'muted' },
      `A registration link is a Dynamic Registration URL of ${customer.name} only: the LMS that registers with it belongs to ${customer.name} at once.`,
    ),
    form,
    created,
    h('h3', {}, 'Links'),
    list,
  );
  void load();
  return section;
}

/**
 * The URL, once, with the steps for the customer's LMS administrator.
 * @param {Customer} customer
 * @param {NewRegistrationLink} link
 */
function newLinkBox(customer, link) {
  return h(
    'div',
    { class: 'alert ok new-link', role: 'status', 'data-testid': 'new-link' },
    h('h3', {}, 'New registration link'),
    h('dl', { class: 'copy-list' }, copyRow('Registration URL', link.url)),
    h('p', {}, h('strong', {}, 'Copy it now: '), 'it is shown only this once (only a fingerprint of it is kept). If it is lost, revoke it and create another.'),
    h('p', {}, `Send it to the LMS administrator of ${customer.name}. They paste it where their LMS asks for a Dynamic Registration URL and approve (the step-by-step notes of each LMS are on Connect an LMS):`),
    h(
      'ul',
      {},
      h('li', {}, 'Moodle: Site administration → Plugins → Activity modules → External tool → Manage tools: paste it into “Tool URL”, press “Add LTI Advantage”, approve, then activate the tool.'),
      h('li', {}, 'D2L Brightspace: Admin Tools → Manage Extensibility → LTI Advantage → Register Tool → “Dynamic”.'),
      h('li', {}, 'Canvas: Admin → Developer Keys → + Developer Key → + LTI Key → “Dynamic Registration”.'),
      h('li', {}, 'Other LMSs: wherever they accept an LTI 1.3 Dynamic Registration (or “registration”) URL.'),
    ),
    h(
      'p',
      { class: 'muted' },
      `${link.maxUses === 1 ? 'It works for one registration' : `It works for ${plural(link.maxUses, 'registration')}`}${link.expiresAt ? ` until ${fmtDate(link.expiresAt)}` : ''}. The new LMS then appears under “LMS platforms” on this page.`,
    ),
  );
}

/**
 * @param {RegistrationLink[]} links
 * @param {(l: RegistrationLink) => void} onRevoke
 */
function linkTable(links, onRevoke) {
  return h(
    'table',
    { class: 'data', 'data-testid': 'link-table' },
    h('caption', { class: 'visually-hidden' }, 'Registration links'),
    h('thead', {}, h('tr', {}, ['Created', 'State', 'Registrations', 'Expires', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      links.map((l) => {
        const [words, cls] = STATUS[l.status];
        return h(
          'tr',
          { 'data-status': l.status },
          h('th', { scope: 'row' }, fmtDate(l.createdAt)),
          h('td', { 'data-label': 'State' }, h('span', { class: `badge ${cls}` }, words), l.revokedAt ? h('span', { class: 'muted small' }, ` ${fmtDate(l.revokedAt)}`) : null),
          h('td', { 'data-label': 'Registrations', class: 'num' }, `${l.uses} of ${l.maxUses}`),
          h('td', { 'data-label': 'Expires' }, l.expiresAt ? fmtDate(l.expiresAt) : h('span', { class: 'muted' }, 'never')),
          h(
            'td',
            { class: 'row-actions' },
            l.status === 'usable'
              ? h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke the link created ${fmtDate(l.createdAt)}`, onclick: () => onRevoke(l) }, 'Revoke')
              : null,
          ),
        );
      }),
    ),
  );
}
