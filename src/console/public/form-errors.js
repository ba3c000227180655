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
   * Shows `sentence` under `input`, marks it invalid and moves focus there.
   * @param {HTMLElement} input
   * @param {string} sentence
   */
  function at(input, sentence) {
    const id = `${input.id}-error`;
    const note = h('p', { class: 'field-error', id }, sentence);
    const hint = input.nextElementSibling?.matches('.hint') ? input.nextElementSibling : null;
    (hint ?? input).after(note);
    marked.push({ input, note });
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    input.focus();
  }

  /**
   * Shows `err` at its field when its sentence starts with the name of one of `inputs`, else in
   * `status`. The field's name reads as its label, and so does every camelCase field name in the
   * sentence ("endsAt … after startsAt" → "Last day … after First day").
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
    /** @param {HTMLElement | undefined} el */
    const labelOf = (el) => (el ? form.querySelector(`label[for="${el.id}"]`)?.textContent?.trim() : undefined);
    let sentence = `${labelOf(input) ?? name}${err.message.slice(name.length)}`;
    for (const [key, el] of Object.entries(inputs)) {
      const label = labelOf(el);
      if (label && /[A-Z]/.test(key)) {
        // camelCase names (startsAt) are no English words: each one in the sentence is that field
        sentence = sentence.replace(new RegExp(`\\b${key}\\b`, 'g'), label);
      }
    }
    at(input, sentence);
  }

  return { show, at, clear };
}

/**
 * Runs `save` when the form is submitted (instead of a page load): earlier errors cleared, the
 * submit button disabled until it is done, so a double click saves once.
 * @param {HTMLFormElement} form
 * @param {HTMLButtonElement} button
 * @param {ReturnType<typeof formErrors>} errors
 * @param {() => Promise<void>} save
 */
export function onSubmit(form, button, errors, save) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    errors.clear();
    button.disabled = true;
    void save().finally(() => (button.disabled = false));
  });
}
