// @ts-check
// The page frame (index.html's main, nav, sign-out button and toast) and the pieces every page uses:
// page titles with focus, error boxes, the toast, copy buttons, lists loaded into a box, and changes
// that ask first.
import { ApiError } from './api.js';
import { confirmDialog } from './confirm-dialog.js';
import { h, render } from './dom.js';
import { plural } from './format.js';

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) {
    throw new Error(`index.html has no #${id}`);
  }
  return el;
}

export const frame = {
  main: byId('main'),
  nav: byId('nav'),
  signOutButton: byId('sign-out'),
  toast: byId('toast'),
};

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;

/** @param {string} message */
export function toast(message) {
  frame.toast.textContent = message;
  frame.toast.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => frame.toast.classList.remove('show'), 4000);
}

/** @param {unknown} err */
export function errorText(err) {
  return err instanceof ApiError ? err.message : 'Something went wrong; reload the page and try again.';
}

/** @typedef {{ lead?: string, testid?: string }} ErrorBoxOpts `lead` replaces "Error: " */

/**
 * The server's sentence and code, as an alert.
 * @param {unknown} err
 * @param {ErrorBoxOpts} [opts]
 */
export function errorBox(err, opts = {}) {
  return h(
    'div',
    { class: 'alert error', role: 'alert', 'data-testid': opts.testid },
    h('strong', {}, opts.lead ?? 'Error: '),
    errorText(err),
    err instanceof ApiError && err.code ? h('code', { class: 'code' }, err.code) : null,
  );
}

/**
 * Fetches what `box` lists and shows it there, or the error box in its place, so that every list on a
 * page (keys, dispatches, links, platforms, licences, courses…) fails the same way.
 * @template T
 * @param {HTMLElement} box
 * @param {() => Promise<T>} get
 * @param {(value: T) => import('./dom.js').Child} show what the box holds for the fetched value (an empty list says so itself)
 * @returns {Promise<void>}
 */
export async function loadInto(box, get, show) {
  try {
    render(box, show(await get()));
  } catch (err) {
    render(box, errorBox(err));
  }
}

/**
 * A change made from a page, the same way everywhere: ask first in the dialog when `confirm` is given
 * (revoking, suspending, deleting, unassigning; reactivating asks nothing), make the change, say so in
 * the toast, then show its result (`after`: reload the list, or leave a page that no longer exists).
 * Cancel changes nothing; the server's refusal shows as an error box in `errorIn` (the list the row
 * belongs to, or the section's alert), with `errorOpts` for its lead and test id.
 * @param {{
 *   confirm?: import('./confirm-dialog.js').Confirmation,
 *   change: () => Promise<unknown>,
 *   done: string,
 *   after: () => void | Promise<void>,
 *   errorIn: HTMLElement,
 *   errorOpts?: ErrorBoxOpts,
 * }} opts
 * @returns {Promise<void>}
 */
export async function confirmedChange({ confirm, change, done, after, errorIn, errorOpts }) {
  if (confirm && !(await confirmDialog(confirm))) {
    return;
  }
  try {
    await change();
    toast(done);
    await after();
  } catch (err) {
    render(errorIn, errorBox(err, errorOpts));
  }
}

/**
 * A section's list whose rows can be revoked (a customer's registration links, LTI 1.1 keys,
 * dispatches): the table, or `empty` when there is no row; a row's Revoke asks first in a danger
 * dialog with the section's own words, then revokes, says so and reloads the list, where a refusal
 * shows too.
 * @template T
 * @param {{
 *   box: HTMLElement,
 *   get: () => Promise<T[]>,
 *   table: (rows: T[], onRevoke: (row: T) => void) => import('./dom.js').Child,
 *   empty: string,
 *   revoke: (row: T) => { confirm: Omit<import('./confirm-dialog.js').Confirmation, 'danger'>, change: () => Promise<unknown>, done: string },
 * }} opts
 * @returns {() => Promise<void>} loads the list (again)
 */
export function revocableList({ box, get, table, empty, revoke }) {
  /** @param {T} row */
  function revokeRow(row) {
    const { confirm, change, done } = revoke(row);
    return confirmedChange({ confirm: { ...confirm, danger: true }, change, done, after: load, errorIn: box });
  }
  function load() {
    return loadInto(box, get, (rows) => (rows.length ? table(rows, (row) => void revokeRow(row)) : h('p', { class: 'empty' }, empty)));
  }
  return load;
}

/** A "Loading…" line in the main area while a page fetches what it shows. @param {string} [what] */
export function loading(what = 'Loading…') {
  render(frame.main, h('p', { class: 'muted' }, what));
}

/**
 * Sets the page title and moves focus to the new heading, so keyboard and screen reader users follow.
 * @param {string} title
 * @param {import('./dom.js').Child[]} children
 */
export function page(title, ...children) {
  document.title = `${title} – SCORM LTI bridge`;
  const heading = h('h1', { tabindex: '-1' }, title);
  render(frame.main, heading, ...children);
  heading.focus({ preventScroll: true });
}

/**
 * @param {string} value
 * @param {string} label
 */
function copyButton(value, label) {
  const btn = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${label}` }, 'Copy');
  btn.addEventListener('click', () => void copy());
  async function copy() {
    btn.dataset.copied = value;
    try {
      await navigator.clipboard.writeText(value);
      btn.textContent = 'Copied';
      toast(`${label} copied to the clipboard.`);
    } catch {
      btn.textContent = 'Select and copy';
      toast('The browser did not allow copying; select the text and copy it.');
    }
    setTimeout(() => (btn.textContent = 'Copy'), 2000);
  }
  return btn;
}

/** A label, its value and a copy button, for a `dl.copy-list`. @param {string} label @param {string} value */
export function copyRow(label, value) {
  return h('div', { class: 'copy-row' }, h('dt', {}, label), h('dd', {}, h('code', { class: 'value' }, value), copyButton(value, label)));
}

/** The import warnings of a version, in words. @param {import('./types').ImportWarning[]} warnings */
export function warningList(warnings) {
  return h(
    'ul',
    { class: 'warnings' },
    warnings.map((w) => h('li', {}, w.message, w.path ? h('span', { class: 'muted' }, ` (${w.path})`) : null)),
  );
}

/** A figure in a `.summary` row: the value large, then what it counts. @param {string | number} value @param {string} what */
export function stat(value, what) {
  return h('div', { class: 'stat' }, h('span', { class: 'n' }, String(value)), ` ${what}`);
}

/** A count in a `.summary` row with its noun in the right number ("1 learner", "2 learners"). @param {number} n @param {string} one */
export function countStat(n, one) {
  return stat(n, plural(n, one).slice(String(n).length + 1));
}
