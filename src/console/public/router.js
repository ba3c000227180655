// @ts-check
// The #/ routes: which page a hash shows, the nav's current item, and signing in and out around them.
import { connectPage } from './connect-page.js';
import { courseDetailPage } from './course-page.js';
import { coursesPage } from './courses-page.js';
import { customerDetailPage } from './customer-page.js';
import { customersPage } from './customers-page.js';
import { learnersPage } from './learners-page.js';
import { reportsPage } from './reports-page.js';
import { licencesPage } from './licences-page.js';
import { forgetSession, isSignedIn, signOut } from './session.js';
import { signInPage } from './signin-page.js';
import { frame } from './ui.js';
import { mayLeave } from './leave-guard.js';

/** Shows the page of the current hash (the sign-in page while signed out). */
export async function route() {
  const hash = location.hash || '#/courses';
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!isSignedIn()) {
    showSignIn();
    return;
  }
  frame.nav.hidden = false;
  frame.signOutButton.hidden = false;
  for (const a of frame.nav.querySelectorAll('a[data-nav]')) {
    if (a instanceof HTMLElement && a.dataset.nav === parts[0]) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  switch (parts[0]) {
    case 'courses':
      return parts[1] ? courseDetailPage(parts[1]) : coursesPage();
    case 'connect':
      return connectPage();
    case 'learners':
      return learnersPage(parts[1], parts[2]);
    case 'customers':
      return parts[1] ? customerDetailPage(parts[1]) : customersPage();
    case 'reports':
      return reportsPage(parts.slice(1));
    case 'licences':
      return licencesPage();
    default:
      location.hash = '#/courses';
      return undefined;
  }
}

/** @param {string} [message] */
function showSignIn(message) {
  signInPage(message, () => {
    if (!location.hash || location.hash === '#/signin') {
      location.hash = '#/courses';
    } else {
      void route();
    }
  });
}

/** Listens for hash changes, the sign-out button and a session the server ended. */
export function startRouter() {
  window.addEventListener('hashchange', (e) => {
    if (!mayLeave()) {
      history.replaceState(null, '', e.oldURL); // stay: an upload on this page is not finished
      return;
    }
    void route();
  });
  frame.signOutButton.addEventListener('click', () => {
    void signOut().then(() => {
      location.hash = '#/signin';
      showSignIn('You are signed out.');
    });
  });
  window.addEventListener('console:signed-out', () => {
    if (forgetSession()) {
      showSignIn('Your session has ended; sign in again.');
    }
  });
}
