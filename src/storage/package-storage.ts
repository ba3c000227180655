import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { streamsAtOnce } from './file-streams';

export interface StoredFileStat {
  size: number;
  mtimeMs: number;
}

/** What names a version in storage: a UUID (the folder or key prefix holding its files). */
export const VERSION_ID = /^[0-9a-f-]{36}$/;

/**
 * What an interrupted import left (a version without a database row, a working folder under tmp/) is
 * swept only once nothing in it changed for this long: on storage shared by several boxes (one
 * folder, one bucket) or beside the CLI, a younger one may be another process's import in progress.
 */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/**
 * Where extracted course versions live (docs/architecture.md): the local disk
 * (`LocalPackageStorage`, the default) or an S3 bucket (`S3PackageStorage`, `STORAGE=s3`). Either
 * way uploads and extractions are worked on in `STORAGE_DIR/tmp/` on the local disk, which this
 * class owns.
 */
export abstract class PackageStorage {
  constructor(
    protected readonly config: AppConfig,
    protected readonly clock: Clock,
  ) {
    fs.mkdirSync(config.tmpDir, { recursive: true });
    streamsAtOnce(config.contentStreams);
  }

  /** Atomically publishes an extracted folder as the immutable content of a version: all of it or, on failure, none. */
  abstract publishVersion(extractedDir: string, versionId: string): Promise<void>;
  /** Deletes a version's content (a failed import, a deleted course); never throws. */
  abstract removeVersion(versionId: string): Promise<void>;
  /** Size and time of a file of a version, or null if there is no such regular file. */
  abstract stat(versionId: string, relativePath: string): Promise<StoredFileStat | null>;
  /**
   * Writes the inclusive byte range of a file of a version to `out` in large chunks through
   * `sendChunks` (file-streams.ts: back-pressure, and at most `CONTENT_STREAMS` files at once), and
   * ends `out`; rejects when `out` closes first (a client gone mid-file).
   */
  abstract copyTo(versionId: string, relativePath: string, range: { start: number; end: number }, out: Writable): Promise<void>;
  /**
   * Where the file sender's helper process (src/content/file-sender.ts) reads a file of a version:
   * its path on the local disk, or an http(s) URL that lets it GET that one object for a few minutes
   * (S3, presigned: the helper never sees the server's credentials); null when the path leaves the
   * version.
   */
  abstract senderSource(versionId: string, relativePath: string): Promise<string | null>;
  /** A whole (small) file of a version in memory, for the content path's cache. */
  abstract readFile(versionId: string, relativePath: string): Promise<Buffer>;
  /**
   * Ids of the stored versions that no import can still be writing, to sweep the ones a crash left
   * without a database row.
   */
  abstract listVersions(): Promise<string[]>;

  /**
   * Deletes a version that has no database row (a crash between publishing and saving the rows),
   * unless an import may still be writing it (it changed within ORPHAN_GRACE_MS); true when it was deleted.
   */
  abstract removeOrphan(versionId: string): Promise<boolean>;

  /**
   * Resolves when course versions can be read and written (GET /health): the working folder under
   * tmp/ is writable, and so is the content folder (local) or the bucket answers (S3, within
   * 2 s); rejects otherwise.
   */
  async check(): Promise<void> {
    await fsp.access(this.config.tmpDir, fs.constants.W_OK);
    await this.checkContent();
  }

  /** The versions' side of `check`. */
  protected abstract checkContent(): Promise<void>;

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

  /**
   * Cleans what an interrupted upload or extraction left under tmp/: each entry in which nothing
   * changed for ORPHAN_GRACE_MS (a younger one may be an upload in progress in another process
   * sharing STORAGE_DIR). Answers how many were removed.
   */
  async cleanTmp(): Promise<number> {
    const names = await fsp.readdir(this.config.tmpDir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const entry = path.join(this.config.tmpDir, name);
      if (this.clock.now() - (await newestChange(entry)) >= ORPHAN_GRACE_MS) {
        await fsp.rm(entry, { recursive: true, force: true }).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }
}

/**
 * The latest modification time (ms) of a file, or of a folder and everything in it; 0 when it is gone.
 * An import in progress keeps writing files, so its newest change stays recent.
 */
export async function newestChange(file: string): Promise<number> {
  const st = await fsp.lstat(file).catch(() => null);
  if (!st) {
    return 0;
  }
  let newest = st.mtimeMs;
  if (st.isDirectory()) {
    for (const name of await fsp.readdir(file).catch(() => [] as string[])) {
      newest = Math.max(newest, await newestChange(path.join(file, name)));
    }
  }
  return newest;
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
