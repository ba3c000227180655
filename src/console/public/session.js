// @ts-check
// Whether this browser is signed in, and the calls that change it. The CSRF token the server hands
// out with the session goes to api.js, which sends it with every state-changing request.
import { setCsrf } from './api.js';
import { createSession, deleteSession, getSession } from './client.js';

let signedIn = false;

export function isSignedIn() {
  return signedIn;
}

/** Reads the session the cookie may already carry (a reload keeps the admin signed in). */
export async function restoreSession() {
  try {
    const s = await getSession();
    signedIn = !!s.signedIn;
    if (s.csrfToken) {
      setCsrf(s.csrfToken);
    }
  } catch {
    signedIn = false;
  }
}

/** Exchanges the admin token for the session cookie; throws ApiError with the server's words. @param {string} token */
export async function signIn(token) {
  const s = await createSession(token);
  setCsrf(s.csrfToken);
  signedIn = true;
}

export async function signOut() {
  try {
    await deleteSession();
  } catch {
    // signed out either way: the cookie is cleared by the answer
  }
  forgetSession();
}

/** The server said the session ended (a 401). Answers whether the page thought it was signed in. */
export function forgetSession() {
  const was = signedIn;
  signedIn = false;
  setCsrf('');
  return was;
}
