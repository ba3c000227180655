// @ts-check
// #/signin: the admin token form.
import { h, render, field } from './dom.js';
import { signIn } from './session.js';
import { errorBox, frame, page } from './ui.js';

/**
 * @param {string | undefined} message why the page is shown (signed out, session ended)
 * @param {() => void} onSignedIn
 */
export function signInPage(message, onSignedIn) {
  frame.nav.hidden = true;
  frame.signOutButton.hidden = true;
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const status = h('div', { 'aria-live': 'polite' }, message ? h('div', { class: 'alert info' }, message) : null);
  const form = h(
    'form',
    { class: 'card narrow', novalidate: true },
    field('Admin token', input, 'The ADMIN_TOKEN of this server, or the token printed in its log at first start.'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit();
  });
  async function submit() {
    if (!input.value.trim()) {
      render(status, h('div', { class: 'alert error', role: 'alert' }, 'Enter the admin token.'));
      input.focus();
      return;
    }
    try {
      await signIn(input.value);
      input.value = '';
      onSignedIn();
    } catch (err) {
      render(status, errorBox(err));
      input.select();
    }
  }
  page('Sign in', h('p', {}, 'Upload SCORM courses, connect them to your LMS and follow learners and grades.'), form);
  input.focus();
}
