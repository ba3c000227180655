/**
 * Launch URL rules of SCORM CAM: the `xml:base` chain, href resolution inside the package, and the
 * join of an item's `parameters` (src/scorm/README.md). Pure functions; no file access.
 */

/** Where relative references resolve from: a folder of the package, or an external http(s) URL. */
export type HrefBase = { kind: 'package'; dir: string } | { kind: 'external'; url: string };

/** A reference resolved against a base. */
export type ResolvedRef =
  /** `path` is percent-encoded as written (normalised, no leading '/'); query/fragment keep their `?`/`#`. */
  | { kind: 'package'; path: string; query: string; fragment: string; backslashes: boolean }
  | { kind: 'external'; url: string; backslashes: boolean }
  | { kind: 'unsafe'; reason: string };

export const PACKAGE_ROOT: HrefBase = { kind: 'package', dir: '' };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * Resolves a reference (an href or an `xml:base` value) against a base with RFC 3986 / XML Base
 * semantics, but refusing anything that would leave the package: `..` above the root (also written
 * `%2e%2e`), a leading `/` (the web server's root, not the package's), and every scheme other than
 * http(s). Backslashes (written by some Windows tools) are read as `/` and reported.
 */
export function resolveRef(base: HrefBase, ref: string): ResolvedRef {
  const backslashes = ref.includes('\\');
  const cleaned = ref.trim().replace(/\\/g, '/');
  const scheme = SCHEME.exec(cleaned)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (scheme !== 'http' && scheme !== 'https') {
      return { kind: 'unsafe', reason: `uses the "${scheme}:" scheme; only relative paths and http(s) URLs can be launched` };
    }
    return { kind: 'external', url: cleaned, backslashes };
  }
  if (cleaned.startsWith('//')) {
    return { kind: 'external', url: `https:${cleaned}`, backslashes };
  }
  if (base.kind === 'external') {
    try {
      return { kind: 'external', url: new URL(cleaned, base.url).toString(), backslashes };
    } catch {
      return { kind: 'unsafe', reason: `cannot be resolved against the external base "${base.url}"` };
    }
  }
  if (cleaned.startsWith('/')) {
    return { kind: 'unsafe', reason: 'starts with "/", which points at the web server root instead of the package' };
  }
  const hash = cleaned.indexOf('#');
  const beforeHash = hash >= 0 ? cleaned.slice(0, hash) : cleaned;
  const fragment = hash >= 0 ? cleaned.slice(hash) : '';
  const q = beforeHash.indexOf('?');
  const pathPart = q >= 0 ? beforeHash.slice(0, q) : beforeHash;
  const query = q >= 0 ? beforeHash.slice(q) : '';

  const segments = base.dir === '' ? [] : base.dir.replace(/\/$/, '').split('/');
  const refSegments = pathPart === '' ? [] : pathPart.split('/');
  for (let i = 0; i < refSegments.length; i++) {
    const seg = refSegments[i];
    const decoded = safeDecode(seg);
    const last = i === refSegments.length - 1;
    if (decoded === '..') {
      if (segments.length === 0) {
        return { kind: 'unsafe', reason: 'climbs above the package root with ".."' };
      }
      segments.pop();
      if (last) {
        segments.push('');
      }
    } else if (decoded === '.' || (seg === '' && !last)) {
      if (last) {
        segments.push('');
      }
    } else {
      if (/[/\\\0]/.test(decoded)) {
        return { kind: 'unsafe', reason: 'has an encoded "/", "\\" or NUL character in a path segment' };
      }
      segments.push(seg);
    }
  }
  return { kind: 'package', path: segments.join('/'), query, fragment, backslashes };
}

/**
 * Applies one `xml:base` value to a base. A value without a trailing slash is taken as a folder
 * (`xml:base="content"` means `content/`): strict XML Base would drop its last segment, but in a
 * content package an xml:base always names a folder, and authors often leave the slash out.
 */
export function applyXmlBase(base: HrefBase, value: string | undefined): HrefBase | { kind: 'unsafe'; reason: string } {
  if (value === undefined || value.trim() === '') {
    return base;
  }
  const r = resolveRef(base, value);
  if (r.kind === 'unsafe') {
    return r;
  }
  if (r.kind === 'external') {
    const url = r.url.replace(/[?#].*$/, '');
    return { kind: 'external', url: url.endsWith('/') ? url : `${url}/` };
  }
  return { kind: 'package', dir: r.path === '' || r.path.endsWith('/') ? r.path : `${r.path}/` };
}

/**
 * Joins an item's `parameters` to a launch URL by the CAM rule used by real LMSs (src/scorm/README.md):
 * strip leading `?` and `&`; a `#fragment` part is added only when the URL has no
 * fragment yet; a query part is joined with `&` when the URL already has a `?`, else with `?`, and is
 * placed before the URL's own fragment so that it stays in the query.
 */
export function appendParameters(url: string, parameters: string | undefined): string {
  const p = (parameters ?? '').trim().replace(/^[?&]+/, '');
  if (p === '') {
    return url;
  }
  const pHash = p.indexOf('#');
  const pQuery = pHash >= 0 ? p.slice(0, pHash) : p;
  const pFragment = pHash >= 0 ? p.slice(pHash) : '';

  const uHash = url.indexOf('#');
  let head = uHash >= 0 ? url.slice(0, uHash) : url;
  let fragment = uHash >= 0 ? url.slice(uHash) : '';
  if (pQuery !== '') {
    const joiner = !head.includes('?') ? '?' : head.endsWith('?') || head.endsWith('&') ? '' : '&';
    head += joiner + pQuery;
  }
  if (pFragment.length > 1 && fragment === '') {
    fragment = pFragment;
  }
  return head + fragment;
}

/**
 * Percent-decodes a package path written in a manifest (`Le%C3%A7on%201/page%20un.html`). A segment
 * that is not valid percent-encoding (a literal `100%.html`) is kept as written.
 */
export function decodePath(path: string): string {
  return path
    .split('/')
    .map((s) => safeDecode(s))
    .join('/');
}

/** Encodes a stored file path as a relative URL path (spaces, non-ASCII, `#`, `?`, `%` escaped). */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%(24|26|2B|2C|3B|3D|40)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))))
    .join('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
