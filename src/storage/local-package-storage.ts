import { Injectable } from '@nestjs/common';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { sendFile } from './file-streams';
import { newestChange, ORPHAN_GRACE_MS, PackageStorage, StoredFileStat, VERSION_ID } from './package-storage';

/** `storage/content/<versionId>/…` and `storage/tmp/` on the local disk. */
@Injectable()
export class LocalPackageStorage extends PackageStorage {
  constructor(config: AppConfig, clock: Clock) {
    super(config, clock);
    fs.mkdirSync(config.contentDir, { recursive: true });
  }

  protected async checkContent(): Promise<void> {
    await fsp.access(this.config.contentDir, fs.constants.W_OK);
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
    await sendFile(out, file, range);
    out.end();
  }

  senderSource(versionId: string, relativePath: string): Promise<string | null> {
    return Promise.resolve(this.resolve(versionId, relativePath));
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
