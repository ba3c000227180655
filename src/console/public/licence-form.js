// @ts-check
// The form to add a licence (for a given customer, or one chosen in the form) or change one: course or
// every course, seat limit, first and last day, state, notes. Days are whole local days: the first day
// starts at its midnight, the licence ends at the midnight after its last day (`endsAt` is exclusive).
import { createLicence, updateLicence } from './client.js';
import { field, h } from './dom.js';
import { formErrors, onSubmit } from './form-errors.js';
import { toast } from './ui.js';

/**
 * @typedef {import('./types').Licence} Licence
 * @typedef {import('./types').LicenceInput} LicenceInput
 * @typedef {import('./types').Customer} Customer
 * @typedef {import('./types').Course} Course
 */

const DAY_MS = 24 * 3600 * 1000;

/** @param {Date} d @returns {string} YYYY-MM-DD in local time */
function dateValue(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The `<input type=date>` value of a licence's first day. @param {string | null} startsAt */
export function firstDayValue(startsAt) {
  return startsAt ? dateValue(new Date(startsAt)) : '';
}

/** The last day a licence lets learners in: the day before its (exclusive) end. @param {string | null} endsAt */
export function lastDayValue(endsAt) {
  return endsAt ? dateValue(new Date(Date.parse(endsAt) - 1)) : '';
}

/** @param {string} value YYYY-MM-DD @returns {string | null} the instant its day starts (local time) */
function dayStart(value) {
  return value ? new Date(`${value}T00:00:00`).toISOString() : null;
}

/** @param {string} value YYYY-MM-DD @returns {string | null} the instant after its day (local time) */
function dayEnd(value) {
  if (!value) {
    return null;
  }
  const d = new Date(`${value}T00:00:00`);
  d.setDate(d.getDate() + 1); // calendar day, also across a daylight-saving change
  return d.toISOString();
}

/**
 * Calendar days from today to a licence's last day (0: today is its last day), for "ends in 3 days".
 * @param {string} endsAt the licence's exclusive end
 * @param {number} [now]
 */
export function daysToLastDay(endsAt, now = Date.now()) {
  const last = new Date(Date.parse(endsAt) - 1);
  const today = new Date(now);
  const midnight = (/** @type {Date} */ d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  return Math.max(0, Math.round((midnight(last) - midnight(today)) / DAY_MS));
}

/**
 * @param {{
 *   existing: Licence | null,
 *   customer: Customer | null,
 *   customers: Customer[],
 *   courses: Course[],
 *   onSaved: (saved: Licence) => void,
 *   onCancel: () => void,
 * }} opts `customer` fixes the customer of a new licence; otherwise the form asks for it
 */
export function licenceForm({ existing, customer, customers, courses, onSaved, onCancel }) {
  const customerSelect =
    !existing && !customer
      ? h(
          'select',
          { name: 'customerId', required: true },
          h('option', { value: '' }, customers.length ? 'Choose a customer…' : 'No customer yet: add one first'),
          customers.map((c) => h('option', { value: c.id }, c.name)),
        )
      : null;
  const course = h(
    'select',
    { name: 'courseId' },
    h('option', { value: '' }, 'Every course (all of the catalogue, now and later)'),
    courses.map((c) => h('option', { value: c.id, selected: existing?.courseId === c.id }, c.title)),
  );
  if (existing?.courseId && !courses.some((c) => c.id === existing.courseId)) {
    course.append(h('option', { value: existing.courseId, selected: true }, existing.courseTitle ?? existing.courseId));
  }
  const seatLimit = h('input', { type: 'number', name: 'seatLimit', min: '1', step: '1', inputmode: 'numeric', value: existing?.seatLimit ?? '' });
  const startsAt = h('input', { type: 'date', name: 'startsAt', value: firstDayValue(existing?.startsAt ?? null) });
  const endsAt = h('input', { type: 'date', name: 'endsAt', value: lastDayValue(existing?.endsAt ?? null) });
  const initialDays = { start: startsAt.value, end: endsAt.value };
  const state = h(
    'select',
    { name: 'state' },
    [
      ['active', 'Active'],
      ['suspended', 'Suspended (nobody gets in; kept as it is)'],
      ['revoked', 'Revoked (ended by you; kept for the record)'],
    ].map(([value, words]) => h('option', { value, selected: (existing?.state ?? 'active') === value }, words)),
  );
  const notes = h('textarea', { name: 'notes', rows: '2', maxlength: '5000' });
  notes.value = existing?.notes ?? '';
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, existing ? 'Save licence' : 'Add licence');
  const whose = existing ? existing.customerName : customer?.name;
  const form = h(
    'form',
    { class: 'card licence-form', novalidate: true, 'aria-label': existing ? 'Edit licence' : 'Add a licence' },
    h('h3', {}, existing ? `Edit the licence of ${whose} for ${existing.courseTitle ?? 'every course'}` : whose ? `Add a licence for ${whose}` : 'Add a licence'),
    h(
      'div',
      { class: 'grid' },
      customerSelect ? field('Customer', customerSelect) : null,
      field('Course', course, 'One course, or every course of the catalogue.'),
      field('Seat limit', seatLimit, 'Optional: how many learners may open it. A learner takes a seat at their first launch and keeps it; empty for no limit.'),
      field('First day', startsAt, 'Optional: empty to start at once.'),
      field('Last day', endsAt, 'Optional: learners get in until the end of this day (your time zone); empty for no end.'),
      field('State', state),
    ),
    field('Notes', notes, 'Optional: order number, contract terms.'),
    h('div', { class: 'actions' }, submit, h('button', { type: 'button', onclick: onCancel }, 'Cancel')),
    status,
  );
  const errors = formErrors(form, status);
  onSubmit(form, submit, errors, save);

  async function save() {
    const seats = seatLimit.value.trim();
    /** @type {LicenceInput} */
    const body = {
      courseId: course.value || null,
      seatLimit: !seats ? null : /^\d+$/.test(seats) ? Number(seats) : /** @type {number} */ (/** @type {unknown} */ (seats)),
      state: /** @type {LicenceInput['state']} */ (state.value),
      notes: notes.value.trim() || null,
    };
    // a date left as it was keeps the licence's exact instant (it may not fall on a midnight)
    if (!existing || startsAt.value !== initialDays.start) {
      body.startsAt = dayStart(startsAt.value);
    }
    if (!existing || endsAt.value !== initialDays.end) {
      body.endsAt = dayEnd(endsAt.value);
    }
    if (startsAt.value && endsAt.value && endsAt.value < startsAt.value) {
      // the form's own idea (whole days, last day included): said in its words, not the API's instants
      errors.at(endsAt, 'The last day cannot be before the first day.');
      return;
    }
    const customerId = customer?.id ?? customerSelect?.value ?? '';
    if (!existing && customerSelect && !customerId) {
      errors.at(customerSelect, 'Choose the customer this licence is for.');
      return;
    }
    try {
      const saved = existing ? await updateLicence(existing.id, body) : await createLicence(customerId, body);
      toast(`Licence of ${saved.customerName} for ${saved.courseTitle ?? 'every course'} saved.`);
      onSaved(saved);
    } catch (err) {
      errors.show(err, { customerId: customerSelect ?? undefined, courseId: course, seatLimit, startsAt, endsAt, state, notes });
    }
  }
  return form;
}
