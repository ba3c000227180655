// @ts-check
// Form errors at the field they belong to. The API's validation sentences start with the name of the
// field at fault ("seatLimit must be a whole number…", "expiresAt (…) is in the past…"), so such an
// error is shown under that input, with the field's label in place of its JSON name, the input marked
// aria-invalid and described by the sentence, and focus moved there. Any other error (a conflict, a
// lost connection) goes to the form's own alert area.
import { ApiError } from './api.js';
import { h, render } from './dom.js';
import { errorBox } from './ui.js';

/**
 * @param {HTMLFormElement} form
 * @param {HTMLElement} status where errors that name no field of the form are shown
 */
export function formErrors(form, status) {
  /** @type {Array<{ input: HTMLElement, note: HTMLElement }>} */
  let marked = [];

  function clear() {
    render(status);
    for (const { input, note } of marked) {
      input.removeAttribute('aria-invalid');
      const rest = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== note.id);
      if (rest.length) {
        input.setAttribute('aria-describedby', rest.join(' '));
      } else {
        input.removeAttribute('aria-describedby');
      }
      note.remove();
    }
    marked = [];
  }

  /**
   * Shows `err` at its field when its sentence starts with the name of one of `inputs`, else in `status`.
   * @param {unknown} err
   * @param {Record<string, HTMLElement | undefined>} inputs the form's inputs by their JSON field name
   */
  function show(err, inputs) {
    clear();
    const name = err instanceof ApiError ? /^[A-Za-z]+/.exec(err.message)?.[0] : undefined;
    const input = name ? inputs[name] : undefined;
    if (!(err instanceof ApiError) || !name || !input) {
      render(status, errorBox(err));
      return;
    }
    const label = form.querySelector(`label[for="${input.id}"]`)?.textContent?.trim();
    const sentence = label ? `${label}${err.message.slice(name.length)}` : err.message;
    const id = `${input.id}-error`;
    const note = h('p', { class: 'field-error', id }, sentence);
    const hint = input.nextElementSibling?.matches('.hint') ? input.nextElementSibling : null;
    (hint ?? input).after(note);
    marked.push({ input, note });
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    input.focus();
  }

  return { show, clear };
}
