import type { Writable } from 'node:stream';

export interface StoredFileStat {
  size: number;
  mtimeMs: number;
}

/**
 * Where extracted course versions live (docs/architecture.md). The local disk implements it today; an object
 * store can replace it later without touching the importer or the content server.
 */
export abstract class PackageStorage {
  /** A fresh private working folder under tmp/ for one upload or extraction. */
  abstract createWorkDir(label: string): Promise<string>;
  /** Removes a working folder and everything in it; never throws. */
  abstract removeWorkDir(dir: string): Promise<void>;
  /** Atomically publishes an extracted folder as the immutable content of a version. */
  abstract publishVersion(extractedDir: string, versionId: string): Promise<void>;
  /** Deletes a version's content (used to undo a failed import); never throws. */
  abstract removeVersion(versionId: string): Promise<void>;
  /** Size and time of a file of a version, or null if there is no such regular file. */
  abstract stat(versionId: string, relativePath: string): Promise<StoredFileStat | null>;
  /**
   * Writes the inclusive byte range of a file of a version to `out` in large chunks, minding
   * back-pressure, and ends `out`; rejects when `out` closes first (a client gone mid-file).
   */
  abstract copyTo(versionId: string, relativePath: string, range: { start: number; end: number }, out: Writable): Promise<void>;
  /** A whole (small) file of a version in memory, for the content path's cache. */
  abstract readFile(versionId: string, relativePath: string): Promise<Buffer>;
  /** Ids of every published version, to sweep the ones a crash left without a database row. */
  abstract listVersions(): Promise<string[]>;
  /** Cleans what an interrupted upload left under tmp/. */
  abstract cleanTmp(): Promise<void>;
}
