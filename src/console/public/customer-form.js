// @ts-check
// The form to add a customer or change its name, contact and notes (Customers page and detail).
import { createCustomer, updateCustomer } from './client.js';
import { field, h } from './dom.js';
import { formErrors, onSubmit } from './form-errors.js';
import { toast } from './ui.js';

/** @typedef {import('./types').Customer} Customer */

/**
 * @param {Customer | null} existing null to add a customer
 * @param {(saved: Customer) => void} onSaved
 * @param {() => void} [onCancel]
 */
export function customerForm(existing, onSaved, onCancel) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', autocomplete: 'organization', value: existing?.name ?? '' });
  const contact = h('input', { type: 'text', name: 'contact', maxlength: '500', autocomplete: 'off', value: existing?.contact ?? '' });
  const notes = h('textarea', { name: 'notes', rows: '3', maxlength: '5000' });
  notes.value = existing?.notes ?? '';
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, existing ? 'Save changes' : 'Add customer');
  const form = h(
    'form',
    { class: 'card customer-form', novalidate: true, 'aria-label': existing ? `Edit ${existing.name}` : 'Add a customer' },
    h('h2', {}, existing ? `Edit “${existing.name}”` : 'Add a customer'),
    h(
      'div',
      { class: 'grid' },
      field('Name', name, 'The client organisation, e.g. "Acme Training Ltd".'),
      field('Contact', contact, 'Optional: who to talk to there (name, e-mail, phone).'),
    ),
    field('Notes', notes, 'Optional: contract references, anything your team should know.'),
    h('div', { class: 'actions' }, submit, onCancel ? h('button', { type: 'button', onclick: onCancel }, 'Cancel') : null),
    status,
  );
  const errors = formErrors(form, status);
  onSubmit(form, submit, errors, save);
  async function save() {
    const body = { name: name.value.trim(), contact: contact.value.trim() || null, notes: notes.value.trim() || null };
    try {
      const saved = existing ? await updateCustomer(existing.id, body) : await createCustomer(body);
      toast(existing ? `Customer “${saved.name}” saved.` : `Customer “${saved.name}” added.`);
      onSaved(saved);
    } catch (err) {
      errors.show(err, { name, contact, notes });
    }
  }
  return form;
}
