// @ts-check
// Talks to the app's own API with the session cookie (sent automatically, SameSite=Strict) and the
// per-session CSRF token on every state-changing request. The typed endpoints are in client.js.

/** @typedef {import('./types').ApiErrorBody} ApiErrorBody */

let csrfToken = '';

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {string | undefined} code the server's `error` code
   * @param {string | undefined} message the server's sentence
   * @param {unknown} [body] the whole answer, for the fields some errors add (course_duplicate's `duplicate`)
   */
  constructor(status, code, message, body) {
    super(message || `The server answered ${status}.`);
    this.status = status;
    this.code = code || 'http_error';
    this.body = body ?? null;
  }
}

/** @param {string | undefined} token */
export function setCsrf(token) {
  csrfToken = token || '';
}

/**
 * @param {string} text a response body
 * @returns {unknown} the parsed JSON, null when empty or not JSON
 */
function parseJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * @param {number} status
 * @param {unknown} body
 */
function errorFrom(status, body) {
  const b = /** @type {ApiErrorBody | null} */ (body && typeof body === 'object' ? body : null);
  return new ApiError(status, b?.error, b?.message, b);
}

/**
 * One request to the app origin; answers the body as text. A 4xx/5xx throws ApiError with the server's
 * words (its JSON error body); a 401 outside the session routes also tells the console it is signed out.
 * @param {'GET' | 'POST' | 'PATCH' | 'DELETE'} method
 * @param {string} path
 * @param {Record<string, string>} headers
 * @param {string} [body]
 * @returns {Promise<string>}
 */
async function send(method, path, headers, body) {
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and try again.');
  }
  if (res.status === 401 && !path.startsWith('/console/session')) {
    window.dispatchEvent(new CustomEvent('console:signed-out'));
  }
  const text = await res.text();
  if (!res.ok) {
    throw errorFrom(res.status, parseJson(text));
  }
  return text;
}

/**
 * JSON request to the app origin. Answers the parsed body; a 4xx/5xx throws ApiError with the server's
 * words. The caller names the answer's type (client.js does, once per endpoint).
 * @template T
 * @param {'GET' | 'POST' | 'PATCH' | 'DELETE'} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<T>}
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = csrfToken;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  return /** @type {T} */ (parseJson(await send(method, path, headers, body === undefined ? undefined : JSON.stringify(body))));
}

/**
 * A file the console saves for the admin (a configuration XML): its text, or ApiError with the
 * server's words, so a refusal is shown on the page instead of as a broken download.
 * @param {string} path
 * @returns {Promise<string>}
 */
export const getText = (path) => send('GET', path, { Accept: 'application/xml, text/plain, application/json' });

/**
 * Uploads a package with XMLHttpRequest so the page can show upload progress (fetch has no upload
 * progress events). `onProgress(fraction)` gets 0..1 while the bytes go out.
 * @template T
 * @param {string} path
 * @param {File} file
 * @param {(fraction: number) => void} onProgress
 * @returns {Promise<T>}
 */
export function uploadPackage(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) {
        onProgress(e.loaded / e.total);
      }
    });
    xhr.upload.addEventListener('load', () => onProgress(1));
    xhr.addEventListener('load', () => {
      const body = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(/** @type {T} */ (body));
      } else {
        reject(errorFrom(xhr.status, body));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network_error', 'The upload was interrupted. Check your connection and try again.')));
    const form = new FormData();
    form.append('package', file, file.name);
    xhr.send(form);
  });
}
