import { Injectable } from '@nestjs/common';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { sendChunks } from './file-streams';
import { newestChange, ORPHAN_GRACE_MS, PackageStorage, StoredFileStat, VERSION_ID } from './package-storage';

/** Reads of 256 KB (not the stream default of 64 KB): a quarter of the system calls and writes for a large file. */
const READ_CHUNK = 256 * 1024;
/** Read buffers kept for reuse once written out (at most 16 MB), instead of a fresh one per read. */
const spareBuffers: Buffer[] = [];
const SPARE_BUFFERS_MAX = 64;

/** `storage/content/<versionId>/…` and `storage/tmp/` on the local disk. */
@Injectable()
export class LocalPackageStorage extends PackageStorage {
  constructor(config: AppConfig, clock: Clock) {
    super(config, clock);
    fs.mkdirSync(config.contentDir, { recursive: true });
  }

  async publishVersion(extractedDir: string, versionId: string): Promise<void> {
    // Dated now, so that until its rows are written it reads as an import in progress to another
    // process's sweep (`removeOrphan`); a rename keeps a folder's modification time.
    const now = new Date(this.clock.now());
    await fsp.utimes(extractedDir, now, now);
    // Same file system (both under storageDir), so rename is atomic: a version appears whole or not at all.
    await fsp.rename(extractedDir, this.versionDir(versionId));
  }

  async removeVersion(versionId: string): Promise<void> {
    await fsp.rm(this.versionDir(versionId), { recursive: true, force: true }).catch(() => undefined);
  }

  async removeOrphan(versionId: string): Promise<boolean> {
    if (this.clock.now() - (await newestChange(this.versionDir(versionId))) < ORPHAN_GRACE_MS) {
      return false; // perhaps another process's import, published a moment ago and saving its rows
    }
    await this.removeVersion(versionId);
    return true;
  }

  async stat(versionId: string, relativePath: string): Promise<StoredFileStat | null> {
    const file = this.resolve(versionId, relativePath);
    if (!file) {
      return null;
    }
    try {
      const st = await fsp.lstat(file);
      return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
    } catch {
      return null;
    }
  }

  async copyTo(versionId: string, relativePath: string, range: { start: number; end: number }, out: Writable): Promise<void> {
    const file = this.resolve(versionId, relativePath);
    if (!file) {
      throw new Error('path outside the version');
    }
    await sendChunks(out, readChunks(file, range), (chunk) => {
      if (chunk.length === READ_CHUNK && spareBuffers.length < SPARE_BUFFERS_MAX) {
        spareBuffers.push(chunk);
      }
    });
  }

  async readFile(versionId: string, relativePath: string): Promise<Buffer> {
    const file = this.resolve(versionId, relativePath);
    if (!file) {
      throw new Error('path outside the version');
    }
    return fsp.readFile(file);
  }

  async listVersions(): Promise<string[]> {
    const names = await fsp.readdir(this.config.contentDir).catch(() => [] as string[]);
    return names.filter((n) => VERSION_ID.test(n));
  }

  private versionDir(versionId: string): string {
    if (!VERSION_ID.test(versionId)) {
      throw new Error(`not a version id: ${versionId}`);
    }
    return path.join(this.config.contentDir, versionId);
  }

  /** Joins a package-relative path under the version folder; null if it would leave it. */
  private resolve(versionId: string, relativePath: string): string | null {
    if (!VERSION_ID.test(versionId) || relativePath.includes('\0')) {
      return null;
    }
    const root = this.versionDir(versionId);
    const file = path.resolve(root, relativePath.replace(/^\/+/, ''));
    return file.startsWith(root + path.sep) ? file : null;
  }
}

/**
 * The inclusive byte range of a file in READ_CHUNK reads, one read ahead (the next chunk is read while
 * the last one is written out). The file is opened at the first chunk asked for (once the stream has
 * its place, file-streams.ts) and closed when the last is taken or the reader goes away.
 */
async function* readChunks(file: string, range: { start: number; end: number }): AsyncGenerator<Buffer> {
  const handle = await fsp.open(file, 'r');
  const end = range.end + 1;
  const readAt = async (position: number): Promise<Buffer> => {
    const buffer = spareBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_CHUNK, end - position), position);
    if (bytesRead === 0) {
      throw new Error('the file is shorter than it was');
    }
    return bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
  };
  let position = range.start;
  let next = position < end ? readAt(position) : null;
  try {
    while (next) {
      const chunk = await next;
      position += chunk.length;
      next = position < end ? readAt(position) : null;
      yield chunk;
    }
  } finally {
    await next?.catch(() => undefined); // the read ahead, when the reader went away
    await handle.close();
  }
}
