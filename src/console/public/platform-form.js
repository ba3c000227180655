// @ts-check
// The Connect page's form to add or edit an LMS registration by hand.
import { ApiError } from './api.js';
import { createPlatform, updatePlatform } from './client.js';
import { h, field } from './dom.js';
import { formErrors } from './form-errors.js';
import { toast } from './ui.js';

/**
 * @typedef {import('./types').Platform} Platform
 * @typedef {import('./types').PlatformInput} PlatformInput
 * @typedef {Exclude<keyof PlatformInput, 'deploymentIds'>} TextField
 */

/** @type {Array<[TextField, string, 'text' | 'url', string]>} key, label, input type, hint */
const PLATFORM_FIELDS = [
  ['name', 'Name', 'text', 'Shown in this console, e.g. "University Moodle".'],
  ['issuer', 'Issuer (Platform ID)', 'url', 'The iss of the LMS: an https address, e.g. https://moodle.example.edu (http only for localhost). A trailing slash is dropped.'],
  ['clientId', 'Client ID', 'text', 'Given by the LMS when you add the tool.'],
  ['authorizationEndpoint', 'LMS authentication request URL (OIDC auth endpoint)', 'url', ''],
  ['tokenEndpoint', 'LMS access token URL', 'url', ''],
  ['jwksUri', 'LMS public keyset URL (JWKS)', 'url', ''],
  ['tokenAudience', 'Token audience (optional)', 'text', 'Only if the LMS names one (Brightspace).'],
];

/**
 * @param {Platform | null} existing null to add a new platform
 * @param {(saved: Platform) => void} onSaved
 * @param {() => void} [onCancel]
 * @param {import('./types').Customer[]} [customers] when there are any, the form asks which one the LMS belongs to
 */
export function platformForm(existing, onSaved, onCancel, customers = []) {
  /** @type {Partial<Record<TextField, HTMLInputElement>>} */
  const inputs = {};
  const fields = PLATFORM_FIELDS.map(([key, label, type, hint]) => {
    const input = h('input', {
      type,
      name: key,
      required: key !== 'tokenAudience',
      value: existing ? (existing[key] ?? '') : '',
      autocomplete: 'off',
      spellcheck: 'false',
    });
    inputs[key] = input;
    return field(label, input, hint);
  });
  const deploymentIds = h('textarea', { name: 'deploymentIds', rows: '2', spellcheck: 'false' });
  deploymentIds.value = existing ? existing.deploymentIds.join('\n') : '';
  const customer = customers.length
    ? h(
        'select',
        { name: 'customerId' },
        h('option', { value: '' }, 'No customer'),
        customers.map((c) => h('option', { value: c.id, selected: existing?.customerId === c.id }, c.name)),
      )
    : null;
  const status = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card platform-form', novalidate: true },
    h('h3', {}, existing ? `Edit “${existing.name}”` : 'Add an LMS by hand'),
    h(
      'div',
      { class: 'grid' },
      fields,
      field('Deployment IDs', deploymentIds, 'One per line; the LMS shows it after the tool is deployed.'),
      customer ? field('Customer', customer, 'The client organisation this LMS belongs to; with no customer it launches nothing while customers exist.') : null,
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, existing ? 'Save changes' : 'Add platform'),
      onCancel ? h('button', { type: 'button', onclick: onCancel }, 'Cancel') : null,
    ),
    status,
  );
  /** @param {TextField} key */
  const value = (key) => inputs[key]?.value.trim() ?? '';
  const errors = formErrors(form, status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void save();
  });
  async function save() {
    /** @type {PlatformInput} */
    const body = {
      name: value('name'),
      issuer: value('issuer'),
      clientId: value('clientId'),
      authorizationEndpoint: value('authorizationEndpoint'),
      tokenEndpoint: value('tokenEndpoint'),
      jwksUri: value('jwksUri'),
      tokenAudience: value('tokenAudience') || null,
      deploymentIds: deploymentIds.value.split(/[\s,]+/).filter(Boolean),
    };
    if (customer) {
      body.customerId = customer.value || null;
    }
    errors.clear();
    try {
      const saved = existing ? await updatePlatform(existing.id, body) : await createPlatform(body);
      toast(`Platform “${saved.name}” saved.`);
      onSaved(saved);
    } catch (err) {
      // "issuer uses http, …" goes under the Issuer field; a registration that exists already too
      if (err instanceof ApiError && err.code === 'platform_exists' && inputs.issuer) {
        errors.at(inputs.issuer, err.message);
      } else {
        errors.show(err, { ...inputs, deploymentIds, customerId: customer ?? undefined });
      }
    }
  }
  return form;
}
