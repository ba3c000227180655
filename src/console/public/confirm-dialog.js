// @ts-check
// A modal confirmation (<dialog>): says what will happen before a consequential change, with the
// safe choice focused. Escape or "Cancel" answers false.
import { h } from './dom.js';

let dialogCount = 0;

/**
 * What the dialog says: its title (the question), the body (what happens, what is kept), the confirm
 * button's words, and `danger` for a change that ends or removes something.
 * @typedef {{ title: string, body: import('./types').Child[], confirm: string, danger?: boolean }} Confirmation
 */

/**
 * @param {Confirmation} opts
 * @returns {Promise<boolean>}
 */
export function confirmDialog(opts) {
  const n = ++dialogCount;
  return new Promise((resolve) => {
    const ok = h('button', { type: 'button', class: opts.danger ? 'danger' : 'primary' }, opts.confirm);
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': `confirm-${n}-title`, 'aria-describedby': `confirm-${n}-body` },
      h('h2', { id: `confirm-${n}-title` }, opts.title),
      h('div', { id: `confirm-${n}-body` }, opts.body),
      h('div', { class: 'actions' }, ok, cancel),
    );
    let answer = false;
    ok.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
