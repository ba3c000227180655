import type { ImportWarning } from './manifest.types';
import type { ZipEntryInfo } from './zip.types';

// STUB: to be replaced by the real implementation.

export interface PackageLayout {
  /** Full entry name of imsmanifest.xml inside the zip. */
  manifestEntry: string;
  /** '' when the manifest is at the root, else the folder holding it, ending in '/'. */
  rootPrefix: string;
  warnings: ImportWarning[];
}

/** Finds imsmanifest.xml at the root or inside one top-level folder; throws PackageError if absent. */
export function locateManifest(entries: ZipEntryInfo[]): PackageLayout {
  const root = entries.find((e) => e.name === 'imsmanifest.xml');
  return { manifestEntry: root?.name ?? 'imsmanifest.xml', rootPrefix: '', warnings: [] };
}

/** Whether an entry is packaging junk that is never extracted (__MACOSX/, .DS_Store, Thumbs.db). */
export function isJunkEntry(name: string): boolean {
  return /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$)/.test(name);
}

/** The package's files (relative to its root), for launch-target checks with case-insensitive fallback. */
export class PackageFiles {
  private readonly exact = new Set<string>();
  private readonly lower = new Map<string, string>();

  constructor(entries: ZipEntryInfo[], rootPrefix: string) {
    for (const e of entries) {
      if (e.isDirectory || !e.name.startsWith(rootPrefix) || isJunkEntry(e.name)) {
        continue;
      }
      const rel = e.name.slice(rootPrefix.length);
      this.exact.add(rel);
      this.lower.set(rel.toLowerCase(), rel);
    }
  }

  has(path: string): boolean {
    return this.exact.has(path);
  }

  /** The stored spelling of a path that differs only in letter case, if any. */
  findIgnoringCase(path: string): string | undefined {
    return this.lower.get(path.toLowerCase());
  }

  get size(): number {
    return this.exact.size;
  }
}
