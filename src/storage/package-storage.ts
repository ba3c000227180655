import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { AppConfig } from '../config/app-config';

export interface StoredFileStat {
  size: number;
  mtimeMs: number;
}

/** What names a version in storage: a UUID (the folder or key prefix holding its files). */
export const VERSION_ID = /^[0-9a-f-]{36}$/;

/**
 * Where extracted course versions live (docs/architecture.md): the local disk
 * (`LocalPackageStorage`, the default) or an S3 bucket (`S3PackageStorage`, `STORAGE=s3`). Either
 * way uploads and extractions are worked on in `STORAGE_DIR/tmp/` on the local disk, which this
 * class owns.
 */
export abstract class PackageStorage {
  constructor(protected readonly config: AppConfig) {
    fs.mkdirSync(config.tmpDir, { recursive: true });
  }

  /** Atomically publishes an extracted folder as the immutable content of a version: all of it or, on failure, none. */
  abstract publishVersion(extractedDir: string, versionId: string): Promise<void>;
  /** Deletes a version's content (a failed import, a deleted course); never throws. */
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
  /**
   * Ids of the stored versions that no import can still be writing, to sweep the ones a crash left
   * without a database row.
   */
  abstract listVersions(): Promise<string[]>;

  /**
   * Deletes a version that has no database row (a crash between publishing and saving the rows),
   * unless an import may still be writing it; true when it was deleted.
   */
  async removeOrphan(versionId: string): Promise<boolean> {
    await this.removeVersion(versionId);
    return true;
  }

  /** A fresh private working folder under tmp/ for one upload or extraction. */
  async createWorkDir(label: string): Promise<string> {
    const dir = path.join(this.config.tmpDir, `${label}-${randomUUID()}`);
    await fsp.mkdir(dir, { recursive: true });
    return dir;
  }

  /** Removes a working folder and everything in it; never throws. */
  async removeWorkDir(dir: string): Promise<void> {
    if (!path.resolve(dir).startsWith(path.resolve(this.config.tmpDir) + path.sep)) {
      return;
    }
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Cleans what an interrupted upload left under tmp/. */
  async cleanTmp(): Promise<void> {
    const names = await fsp.readdir(this.config.tmpDir).catch(() => [] as string[]);
    await Promise.all(names.map((n) => fsp.rm(path.join(this.config.tmpDir, n), { recursive: true, force: true }).catch(() => undefined)));
  }
}

/**
 * A package-relative path as the content path decoded it, checked again here: no empty, '.' or '..'
 * segment, no backslash or NUL. Null when it is not one (storage never reads outside a version).
 */
export function safeRelativePath(relativePath: string): string | null {
  const segments = relativePath.replace(/^\/+/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /[\\\0]/.test(s))) {
    return null;
  }
  return segments.join('/');
}
