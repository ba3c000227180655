// @ts-check
// A customer's LTI 1.1 consumer keys (customer detail): create one (its secret is shown once, with copy
// buttons), list them (key, LMS, state, created, last used), revoke one after a confirmation, and a
// course's launch URL and configuration XML for the LMS (src/lti11/README.md, docs/lms/lti-1.1.md).
import { createLti11Key, listLti11Keys, lti11Cartridge, ltiConfig, revokeLti11Key } from './client.js';
import { field, h, render } from './dom.js';
import { formErrors, onSubmit } from './form-errors.js';
import { fmtDate } from './format.js';
import { copyRow, errorBox, revocableList, toast } from './ui.js';

/**
 * @typedef {import('./types').Customer} Customer
 * @typedef {import('./types').Course} Course
 * @typedef {import('./types').Lti11Key} Lti11Key
 */

/**
 * @param {Customer} customer
 * @param {Course[]} courses
 */
export function lti11KeysSection(customer, courses) {
  const list = h('div', { 'aria-live': 'polite' });
  const created = h('div');
  const label = h('input', { type: 'text', name: 'label', maxlength: '200', placeholder: 'e.g. Blackboard Learn (main campus)' });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create LTI 1.1 key');
  const form = h(
    'form',
    { class: 'lti11-form', novalidate: true, 'aria-label': 'New LTI 1.1 key' },
    h('div', { class: 'grid' }, field('Which LMS', label, 'Optional: a name for the LMS that will use this key.')),
    h('div', { class: 'actions' }, submit),
    status,
  );
  const errors = formErrors(form, status);
  onSubmit(form, submit, errors, async () => {
    try {
      const key = await createLti11Key(customer.id, { label: label.value.trim() || null });
      render(
        created,
        h(
          'div',
          { class: 'alert ok new-link', role: 'status', 'data-testid': 'new-lti11-key' },
          h('h3', {}, 'New LTI 1.1 key'),
          h('dl', { class: 'copy-list' }, copyRow('Consumer key', key.consumerKey), copyRow('Shared secret', key.secret)),
          h('p', {}, h('strong', {}, 'Copy the secret now: '), 'it is shown only this once. If it is lost, revoke the key and create another.'),
          h('p', {}, `Send both to the LMS administrator of ${customer.name} as you would a password. They enter them in the LMS’s external tool settings with a course’s launch URL or configuration XML (below).`),
        ),
      );
      created.querySelector('button')?.focus();
      toast('LTI 1.1 key created: copy the secret now.');
      label.value = '';
      await load();
    } catch (err) {
      errors.show(err, { label });
    }
  });

  const load = revocableList({
    box: list,
    get: () => listLti11Keys(customer.id),
    table: keyTable,
    empty: 'No LTI 1.1 key yet.',
    revoke: (key) => ({
      confirm: {
        title: `Revoke the key ${key.consumerKey}?`,
        body: [
          h('p', {}, 'Launches signed with it are refused from now on, with a page saying so. A revoked key cannot be restored: create a new one for the LMS instead.'),
          h('p', {}, 'Its learners’ progress, seats and grades are kept, grades already owed are still sent, and an LMS that moved to LTI 1.3 still carries its learners over.'),
        ],
        confirm: 'Revoke key',
      },
      change: () => revokeLti11Key(customer.id, key.id),
      done: `LTI 1.1 key ${key.consumerKey} revoked.`,
    }),
  });

  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'lti11-title', 'data-testid': 'lti11-keys' },
    h('h2', { id: 'lti11-title' }, 'LTI 1.1 keys'),
    h(
      'p',
      { class: 'muted' },
      `For an LMS of ${customer.name} that connects tools with a consumer key and secret (LTI 1.1). Its launches obey this customer’s licences like LTI 1.3 launches; grades go back through Basic Outcomes.`,
    ),
    form,
    created,
    h('h3', {}, 'Keys'),
    list,
    h('h3', {}, 'A course for the LMS'),
    courseSetup(customer, courses),
  );
  void load();
  return section;
}

/**
 * The chosen course's launch URL (with a copy button) and its configuration XML, fetched so that a
 * refusal is shown here in words rather than as a broken download.
 * @param {Customer} customer
 * @param {Course[]} courses
 */
function courseSetup(customer, courses) {
  const usable = courses.filter((c) => !c.archivedAt);
  if (!usable.length) {
    return h('p', { class: 'empty' }, 'No course yet.');
  }
  const course = h(
    'select',
    { name: 'lti11Course' },
    usable.map((c) => h('option', { value: c.id }, c.title)),
  );
  const launchUrl = h('dl', { class: 'copy-list', 'data-testid': 'lti11-launch-url' });
  const status = h('div', { 'aria-live': 'polite' });
  const download = h('button', { type: 'button', class: 'small' }, 'Download configuration XML');
  /** @type {string | null} */
  let template = null;
  const showUrl = () => render(launchUrl, template ? copyRow('Launch URL', template.replace('{courseId}', encodeURIComponent(course.value))) : null);
  course.addEventListener('change', () => {
    render(status);
    showUrl();
  });
  download.addEventListener('click', () => void save());

  async function save() {
    render(status);
    download.disabled = true;
    try {
      const xml = await lti11Cartridge(customer.id, course.value);
      saveFile(xml, `lti11-${course.value}.xml`, 'application/xml');
      toast('Configuration XML downloaded.');
    } catch (err) {
      render(status, errorBox(err, { lead: 'Not downloaded: ' }));
    } finally {
      download.disabled = false;
    }
  }

  void ltiConfig()
    .then((config) => {
      template = config.lti11LaunchUrlTemplate;
      showUrl();
    })
    .catch((err) => render(launchUrl, errorBox(err)));
  return h(
    'div',
    {},
    h('div', { class: 'grid' }, field('Course', course, 'The LMS takes its launch URL, or its configuration XML where it can import one.')),
    launchUrl,
    h('div', { class: 'actions' }, download),
    status,
  );
}

/**
 * Hands `text` to the browser as a file download.
 * @param {string} text
 * @param {string} name
 * @param {string} type
 */
function saveFile(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * @param {Lti11Key[]} keys
 * @param {(k: Lti11Key) => void} onRevoke
 */
function keyTable(keys, onRevoke) {
  return h(
    'table',
    { class: 'data', 'data-testid': 'lti11-key-table' },
    h('caption', { class: 'visually-hidden' }, 'LTI 1.1 keys'),
    h('thead', {}, h('tr', {}, ['Consumer key', 'LMS', 'State', 'Created', 'Last used', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      keys.map((k) =>
        h(
          'tr',
          { 'data-status': k.status, 'data-key': k.consumerKey },
          h('th', { scope: 'row' }, h('code', {}, k.consumerKey)),
          h('td', { 'data-label': 'LMS' }, k.label ?? h('span', { class: 'muted' }, '—')),
          h(
            'td',
            { 'data-label': 'State' },
            h('span', { class: `badge ${k.status === 'active' ? 'ok' : 'error'}` }, k.status === 'active' ? 'Active' : 'Revoked'),
            k.revokedAt ? h('span', { class: 'muted small' }, ` ${fmtDate(k.revokedAt)}`) : null,
          ),
          h('td', { 'data-label': 'Created' }, fmtDate(k.createdAt)),
          h('td', { 'data-label': 'Last used', class: 'last-used' }, k.lastUsedAt ? fmtDate(k.lastUsedAt) : h('span', { class: 'muted' }, 'never')),
          h(
            'td',
            { class: 'row-actions' },
            k.status === 'active' ? h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke the key ${k.consumerKey}`, onclick: () => onRevoke(k) }, 'Revoke') : null,
          ),
        ),
      ),
    ),
  );
}
