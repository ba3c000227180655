// Talks to the app's own API with the session cookie (sent automatically, SameSite=Strict) and the
// per-session CSRF token on every state-changing request.

let csrfToken = '';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `The server answered ${status}.`);
    this.status = status;
    this.code = code || 'http_error';
  }
}

export function setCsrf(token) {
  csrfToken = token || '';
}

async function parse(res) {
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, body && body.error, body && body.message);
  }
  return body;
}

/** JSON request to the app origin. Answers the parsed body; a 4xx/5xx throws ApiError with the server's words. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and try again.');
  }
  if (res.status === 401 && !path.startsWith('/console/session')) {
    window.dispatchEvent(new CustomEvent('console:signed-out'));
  }
  return parse(res);
}

/**
 * Uploads a package with XMLHttpRequest so the page can show upload progress (fetch has no upload
 * progress events). `onProgress(fraction)` gets 0..1 while the bytes go out.
 */
export function uploadPackage(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.upload.addEventListener('load', () => onProgress(1));
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body && body.error, body && body.message));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network_error', 'The upload was interrupted. Check your connection and try again.')));
    const form = new FormData();
    form.append('package', file, file.name);
    xhr.send(form);
  });
}
