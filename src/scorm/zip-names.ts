import { PackageError } from '../common/errors';

/**
 * C0 controls (NUL included) and DEL: no authoring tool writes them (Windows forbids them in file
 * names), and in a file name they break shells, logs and URLs (a newline can forge a log line,
 * U+0008 rewrites what a terminal shows). Checked on the decoded name, the one written to disk: in a
 * CP437 name (no UTF-8 flag) bytes 0x01-0x1F and 0x7F are the code page's glyphs (☺, •, ⌂…).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Longest path segment most file systems accept (ext4, APFS, NTFS: 255). */
const MAX_SEGMENT_BYTES = 255;
/** Longest entry name accepted; well under PATH_MAX (4096) once joined to the storage folder. */
const MAX_NAME_BYTES = 1024;

export interface NormalisedName {
  /** Forward slashes, no leading slash, no `.` or empty segments; directories end in '/'. '' for the root itself. */
  name: string;
  isDirectory: boolean;
}

/**
 * Turns a decoded zip entry name into a safe relative path, or throws `zip_unsafe_path`.
 *
 * Why: a zip stores names as free text and every extractor interprets them differently
 * ("Zip Slip"). APPNOTE 6.3.10 §4.4.17 says names use forward slashes and carry no drive or leading
 * slash, but Windows tools write backslashes, so they are taken as separators here and the result is
 * checked again: any `..` segment, a leading `/`, a drive letter (`C:`), or a control character
 * (0x00-0x1F, 0x7F) is refused instead of "fixed", because a package that carries such a name was
 * not made by an honest tool.
 */
export function normaliseEntryName(raw: string): NormalisedName {
  const shown = JSON.stringify(raw);
  const control = CONTROL_CHARACTER.exec(raw);
  if (control) {
    // JSON.stringify escapes C0 controls but not DEL; the message must not carry a raw control either.
    throw unsafe(
      `The zip entry ${shown.replace(/\u007f/g, '\\u007f')} has a control character (${describeControl(control[0])}) in its name; rename the file and re-create the zip.`,
    );
  }
  const slashed = raw.replace(/\\/g, '/');
  if (slashed.startsWith('/')) {
    throw unsafe(`The zip entry ${shown} has an absolute path; entries must be relative to the package root.`);
  }
  if (/^[a-zA-Z]:/.test(slashed)) {
    throw unsafe(`The zip entry ${shown} starts with a drive letter; entries must be relative to the package root.`);
  }
  const isDirectory = slashed.endsWith('/');
  const segments: string[] = [];
  for (const segment of slashed.split('/')) {
    if (segment === '' || segment === '.') {
      continue;
    }
    if (segment === '..') {
      throw unsafe(`The zip entry ${shown} climbs out of the package with "..".`);
    }
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) {
      throw unsafe(`The zip entry ${shown} has a file or folder name longer than ${MAX_SEGMENT_BYTES} bytes.`);
    }
    segments.push(segment);
  }
  const joined = segments.join('/');
  if (Buffer.byteLength(joined) > MAX_NAME_BYTES) {
    throw unsafe(`The zip entry ${shown} has a path longer than ${MAX_NAME_BYTES} bytes.`);
  }
  if (joined === '') {
    return { name: '', isDirectory: true };
  }
  return { name: isDirectory ? `${joined}/` : joined, isDirectory };
}

/**
 * The key under which two names count as the same file: same path after normalisation, in Unicode
 * NFC (macOS writes NFD), without the trailing slash (a file `a` and a folder `a/` collide on disk).
 * Names that differ only in letter case are NOT duplicates: the content store is case-sensitive and
 * real packages reference both spellings (see PackageFiles.findIgnoringCase).
 */
export function duplicateKey(name: string): string {
  return name.replace(/\/$/, '').normalize('NFC');
}

/** "NUL" or "U+001B" style, so that the message names the character the JSON-quoted name escapes. */
function describeControl(ch: string): string {
  const code = ch.charCodeAt(0);
  return code === 0 ? 'NUL' : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function unsafe(message: string): PackageError {
  return new PackageError('zip_unsafe_path', message);
}
