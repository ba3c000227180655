import { PackageError } from '../common/errors';

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
 * checked again: any `..` segment, a leading `/`, a drive letter (`C:`), or a NUL byte is refused
 * instead of "fixed", because a package that carries such a name was not made by an honest tool.
 */
export function normaliseEntryName(raw: string): NormalisedName {
  const shown = JSON.stringify(raw);
  if (raw.includes('\0')) {
    throw unsafe(`The zip entry ${shown} has a NUL character in its name.`);
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

function unsafe(message: string): PackageError {
  return new PackageError('zip_unsafe_path', message);
}
