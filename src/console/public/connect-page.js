// @ts-check
// #/connect: the values an LMS admin pastes, per-course links, step-by-step notes, and the registered
// platforms with the form to add or edit one.
import { courseLink, deletePlatform, listCourses, listCustomers, listPlatforms, ltiConfig } from './client.js';
import { h, render } from './dom.js';
import { fmtDate } from './format.js';
import { LMS_NOTES } from './lms-notes.js';
import { platformForm } from './platform-form.js';
import { confirmedChange, copyRow, errorBox, loadInto, loading, page } from './ui.js';

/**
 * @typedef {import('./types').Platform} Platform
 * @typedef {import('./types').Customer} Customer
 */

export async function connectPage() {
  loading();
  let config;
  let courses;
  /** @type {Customer[]} */
  let customers;
  try {
    [config, courses, customers] = await Promise.all([ltiConfig(), listCourses(), listCustomers()]);
  } catch (err) {
    page('Connect an LMS', errorBox(err));
    return;
  }
  const platformsBox = h('div', { 'aria-live': 'polite' });
  const formBox = h('div');
  const afterSave = () => {
    showAddForm();
    void loadPlatforms();
  };
  const showAddForm = () => render(formBox, platformForm(null, afterSave, undefined, customers));

  /** @param {Platform} p */
  function edit(p) {
    render(formBox, platformForm(p, afterSave, showAddForm, customers));
    formBox.querySelector('input')?.focus();
  }

  /** @param {Platform} p */
  function remove(p) {
    return confirmedChange({
      confirm: {
        title: `Remove “${p.name}”?`,
        body: [h('p', {}, 'Launches from this LMS will stop working until it is registered again.')],
        confirm: 'Remove platform',
        danger: true,
      },
      change: () => deletePlatform(p.id),
      done: `Platform “${p.name}” removed.`,
      after: loadPlatforms,
      errorIn: platformsBox,
    });
  }

  function loadPlatforms() {
    return loadInto(
      platformsBox,
      () => Promise.all([listPlatforms(), listCustomers()]),
      ([platforms, latest]) => {
        customers = latest;
        return platforms.length
          ? platformTable(platforms, customers, edit, (p) => void remove(p))
          : h('p', { class: 'empty' }, 'No LMS registered yet. Use Dynamic Registration, or add one by hand below.');
      },
    );
  }

  page(
    'Connect an LMS',
    h(
      'p',
      {},
      'Add this tool to your LMS as an LTI 1.3 (LTI Advantage) tool. The quickest way is Dynamic Registration: paste one URL into the LMS and approve. Otherwise copy the values below into the LMS, then register the LMS here.',
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Dynamic Registration'),
      h('dl', { class: 'copy-list' }, copyRow('Dynamic Registration URL', config.dynamicRegistrationUrl)),
    ),
    h(
      'section',
      { class: 'card', 'data-testid': 'config-values' },
      h('h2', {}, 'Values for manual set-up'),
      h(
        'dl',
        { class: 'copy-list' },
        copyRow('Tool URL / Target link URI', config.targetLinkUri),
        copyRow('Initiate login URL', config.loginUrl),
        copyRow('Redirect URI(s)', config.redirectUris.join('\n')),
        copyRow('Public keyset URL (JWKS)', config.jwksUrl),
        copyRow('Deep Linking URL', config.deepLinkingUrl),
        copyRow('Icon URL', config.iconUrl),
        copyRow('Scopes', config.scopes.join(' ')),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Per-course links'),
      h(
        'p',
        { class: 'muted' },
        'Use one of these as the link of an activity to open that course directly, or let teachers pick a course through Deep Linking.',
      ),
      courses.length
        ? h(
            'dl',
            { class: 'copy-list' },
            courses.map((c) => copyRow(c.title, courseLink(config, c.id))),
          )
        : h('p', { class: 'empty' }, 'No course yet.'),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Step by step'),
      LMS_NOTES.map((n) =>
        h(
          'details',
          {},
          h('summary', {}, n.lms),
          h(
            'ol',
            {},
            n.steps.map((s) => h('li', {}, s)),
          ),
        ),
      ),
    ),
    h('section', { class: 'card' }, h('h2', {}, 'Registered LMS platforms'), platformsBox),
    formBox,
  );
  showAddForm();
  await loadPlatforms();
}

/**
 * @param {Platform[]} platforms
 * @param {Customer[]} customers
 * @param {(p: Platform) => void} onEdit
 * @param {(p: Platform) => void} onRemove
 */
function platformTable(platforms, customers, onEdit, onRemove) {
  const customerNames = new Map(customers.map((c) => [c.id, c.name]));
  return h(
    'table',
    { class: 'data', 'data-testid': 'platform-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Name', 'Issuer', 'Client ID', 'Deployments', 'Customer', 'Registered', ''].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      platforms.map((p) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, p.name),
          h('td', { 'data-label': 'Issuer' }, h('code', {}, p.issuer)),
          h('td', { 'data-label': 'Client ID' }, h('code', {}, p.clientId)),
          h('td', { 'data-label': 'Deployments' }, p.deploymentIds.length ? p.deploymentIds.join(', ') : h('span', { class: 'muted' }, 'none (any)')),
          h(
            'td',
            { 'data-label': 'Customer' },
            p.customerId
              ? h('a', { href: `#/customers/${encodeURIComponent(p.customerId)}` }, customerNames.get(p.customerId) ?? 'another customer')
              : h('span', { class: 'muted' }, customers.length ? 'none: launches nothing' : 'none'),
          ),
          h('td', { 'data-label': 'Registered' }, `${p.registeredBy === 'dynamic' ? 'Dynamic' : 'By hand'}, ${fmtDate(p.createdAt)}`),
          h(
            'td',
            { class: 'row-actions' },
            h('button', { type: 'button', 'aria-label': `Edit ${p.name}`, onclick: () => onEdit(p) }, 'Edit'),
            h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${p.name}`, onclick: () => onRemove(p) }, 'Remove'),
          ),
        ),
      ),
    ),
  );
}
