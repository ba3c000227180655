// @ts-check
// The page frame (index.html's main, nav, sign-out button and toast) and the pieces every page uses:
// page titles with focus, error boxes, the toast, copy buttons.
import { ApiError } from './api.js';
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

/**
 * The server's sentence and code, as an alert.
 * @param {unknown} err
 * @param {{ lead?: string, testid?: string }} [opts] `lead` replaces "Error: "
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
