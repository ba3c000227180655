import { PackageError } from '../common/errors';
import type { ImportWarning } from './manifest.types';
import type { ZipEntryInfo } from './zip.types';

const MANIFEST_NAME = 'imsmanifest.xml';

export interface PackageLayout {
  /** Full entry name of imsmanifest.xml inside the zip. */
  manifestEntry: string;
  /** '' when the manifest is at the root, else the folder holding it, ending in '/'. */
  rootPrefix: string;
  warnings: ImportWarning[];
}

/**
 * Finds imsmanifest.xml at the root of the zip, or inside exactly one top-level folder.
 *
 * Why: IMS CP / SCORM CAM put the manifest at the package root (src/scorm/README.md), but "compress
 * this folder" on Windows and macOS wraps everything in one folder, the most common real-world flaw
 * (src/scorm/README.md). We accept that with the warning `manifest_in_subfolder` and use the folder as the
 * package root. `__MACOSX/`, `.DS_Store` and `Thumbs.db` are ignored (`junk_entries_ignored`). A
 * manifest at the root wins over any other; a manifest only deeper down, or in two top-level folders,
 * is refused with a message naming where they were found.
 */
export function locateManifest(entries: ZipEntryInfo[]): PackageLayout {
  const warnings: ImportWarning[] = [];
  const junk = entries.filter((e) => isJunkEntry(e.name));
  if (junk.length > 0) {
    const folders = [...new Set(junk.map((e) => junkRoot(e.name)))].slice(0, 3);
    warnings.push({
      code: 'junk_entries_ignored',
      message: `${junk.length} packaging leftover entr${junk.length === 1 ? 'y' : 'ies'} (${folders.join(', ')}) ignored; they are not part of the course.`,
      path: folders[0],
    });
  }
  const files = entries.filter((e) => !e.isDirectory && !isJunkEntry(e.name));
  const candidates = files.filter((e) => baseName(e.name).toLowerCase() === MANIFEST_NAME);

  const pick = (depth: number): ZipEntryInfo[] => {
    const atDepth = candidates.filter((e) => e.name.split('/').length === depth + 1);
    const exact = atDepth.filter((e) => baseName(e.name) === MANIFEST_NAME);
    return exact.length > 0 ? exact : atDepth;
  };

  const root = pick(0);
  if (root.length > 0) {
    return { manifestEntry: root[0].name, rootPrefix: '', warnings: [...caseWarning(root[0].name), ...warnings] };
  }
  const nested = pick(1);
  if (nested.length === 1) {
    const manifestEntry = nested[0].name;
    const rootPrefix = manifestEntry.slice(0, manifestEntry.lastIndexOf('/') + 1);
    const outside = files.filter((e) => !e.name.startsWith(rootPrefix)).length;
    warnings.unshift({
      code: 'manifest_in_subfolder',
      message:
        `imsmanifest.xml is inside the folder "${rootPrefix.slice(0, -1)}" instead of at the root of the zip; that folder is used as the package root` +
        (outside > 0 ? ` and the ${outside} file(s) outside it are ignored.` : '.'),
      path: manifestEntry,
    });
    return { manifestEntry, rootPrefix, warnings: [...warnings, ...caseWarning(manifestEntry)] };
  }
  if (nested.length > 1) {
    throw new PackageError(
      'manifest_ambiguous',
      `The zip has no imsmanifest.xml at its root but several one folder down (${nested.map((e) => e.name).join(', ')}); zip one course at a time, with its imsmanifest.xml at the root.`,
    );
  }
  const deeper = candidates.map((e) => e.name).slice(0, 3);
  throw new PackageError(
    'manifest_missing',
    deeper.length > 0
      ? `imsmanifest.xml must be at the root of the zip (or one folder down), but it was only found at ${deeper.join(', ')}; zip the contents of the course folder.`
      : 'The zip has no imsmanifest.xml, so it is not a SCORM package; export the course again as SCORM 1.2 or 2004.',
  );
}

/** Whether an entry is packaging junk that is never extracted (__MACOSX/, .DS_Store, Thumbs.db). */
export function isJunkEntry(name: string): boolean {
  return /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$)/.test(name);
}

/** The result of looking a manifest path up in the package. */
export interface FileMatch {
  /** The path as stored in the package (the spelling to serve). */
  stored: string;
  /** 'exact'; 'unicode' when only the Unicode form (NFC/NFD) differs; 'case' when letter case differs. */
  match: 'exact' | 'unicode' | 'case';
}

/**
 * The package's files (relative to its root), for launch-target checks. Lookups try the exact
 * spelling, then Unicode NFC (macOS zips store decomposed NFD names while manifests are usually NFC),
 * then letter case (packages authored on Windows/macOS, whose file systems ignore case).
 */
export class PackageFiles {
  private readonly exact = new Set<string>();
  private readonly nfc = new Map<string, string>();
  private readonly lower = new Map<string, string>();

  constructor(entries: ZipEntryInfo[], rootPrefix: string) {
    for (const e of entries) {
      if (e.isDirectory || !e.name.startsWith(rootPrefix) || isJunkEntry(e.name)) {
        continue;
      }
      const rel = e.name.slice(rootPrefix.length);
      this.exact.add(rel);
      const key = rel.normalize('NFC');
      if (!this.nfc.has(key)) {
        this.nfc.set(key, rel);
      }
      const lowerKey = key.toLowerCase();
      if (!this.lower.has(lowerKey)) {
        this.lower.set(lowerKey, rel);
      }
    }
  }

  has(path: string): boolean {
    return this.exact.has(path);
  }

  /** The stored spelling of a path that differs only in letter case (or Unicode form), if any. */
  findIgnoringCase(path: string): string | undefined {
    return this.lower.get(path.normalize('NFC').toLowerCase());
  }

  /** Finds a path exactly, else in NFC, else ignoring case. */
  find(path: string): FileMatch | undefined {
    if (this.exact.has(path)) {
      return { stored: path, match: 'exact' };
    }
    const nfc = this.nfc.get(path.normalize('NFC'));
    if (nfc !== undefined) {
      return { stored: nfc, match: 'unicode' };
    }
    const lower = this.findIgnoringCase(path);
    return lower === undefined ? undefined : { stored: lower, match: 'case' };
  }

  get size(): number {
    return this.exact.size;
  }
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

function junkRoot(name: string): string {
  const mac = name.indexOf('__MACOSX/');
  return mac >= 0 ? name.slice(0, mac + '__MACOSX/'.length) : baseName(name);
}

function caseWarning(manifestEntry: string): ImportWarning[] {
  return baseName(manifestEntry) === MANIFEST_NAME
    ? []
    : [{ code: 'path_case_mismatch', message: `The manifest is named "${baseName(manifestEntry)}" instead of "imsmanifest.xml"; it was used anyway.`, path: manifestEntry }];
}
