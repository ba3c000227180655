import { PackageError } from '../common/errors';
import { dataPastEnd } from './zip-errors';
import { duplicateKey, normaliseEntryName } from './zip-names';
import type { ZipEntryInfo, ZipLimits } from './zip.types';

/**
 * Entries smaller than this are never called a zip bomb on their own: text, JSON and SVG often
 * compress 20-100x, and a small entry cannot exhaust anything. The total and the archive-wide ratio
 * still count them.
 */
export const BOMB_MIN_ENTRY_BYTES = 1024 * 1024;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** "Version made by" hosts whose external attributes carry a Unix st_mode (APPNOTE §4.4.2): Unix, OS X. */
const UNIX_HOSTS = new Set([3, 19]);
/** A local header is at least 30 bytes (APPNOTE §4.3.7). */
export const LOCAL_HEADER_MIN_BYTES = 30;

/** What the policy reads of one central-directory record (APPNOTE §4.3.12); yauzl's Entry has these fields. */
export interface CentralRecord {
  generalPurposeBitFlag: number;
  compressionMethod: number;
  versionMadeBy: number;
  externalFileAttributes: number;
  compressedSize: number;
  uncompressedSize: number;
  relativeOffsetOfLocalHeader: number;
}

export interface CheckedEntry<R extends CentralRecord = CentralRecord> {
  info: ZipEntryInfo;
  entry: R;
}

/**
 * The zip safety policy (src/scorm/README.md): judges what the central directory declares (names, sizes,
 * attributes, offsets) before a single byte is written, and throws PackageError with a named code
 * on the first problem. Pure on purpose: it never reads a file, so every rule is unit-tested on
 * plain records, and the reader (zip-reader.ts) only decodes names and feeds records in.
 *
 * Use: one instance per zip; `add` every record in directory order, then `finish` once.
 * Declarations can lie: the actual bytes are checked against them while reading (zip-entry-data.ts).
 */
export class ZipPolicy<R extends CentralRecord> {
  private readonly checked: Array<CheckedEntry<R>> = [];
  private readonly seen = new Map<string, string>();
  private total = 0;

  /** `declaredCount` is the end record's entry count, checked before any record is read. */
  constructor(
    private readonly limits: ZipLimits,
    declaredCount: number,
  ) {
    if (declaredCount > limits.maxEntries) {
      throw new PackageError('zip_too_many_entries', `The zip has ${declaredCount} entries, more than the limit of ${limits.maxEntries} (MAX_ENTRIES).`);
    }
  }

  /** Checks one record; `rawName` is its name decoded (UTF-8 or CP437), not yet normalised. */
  add(entry: R, rawName: string): void {
    const limits = this.limits;
    if (this.checked.length >= limits.maxEntries) {
      throw new PackageError('zip_too_many_entries', `The zip has more than ${limits.maxEntries} entries (MAX_ENTRIES).`);
    }
    const info = checkEntry(entry, rawName, limits);
    if (info === null) {
      return;
    }
    const key = duplicateKey(info.name);
    const previous = this.seen.get(key);
    if (previous !== undefined) {
      const same = previous === info.name ? `twice` : `as ${JSON.stringify(previous)} and ${JSON.stringify(info.name)}`;
      throw new PackageError(
        'zip_duplicate_entry',
        `The zip holds the entry ${JSON.stringify(info.name)} ${same}; re-create the zip so that every path appears once.`,
      );
    }
    this.seen.set(key, info.name);
    this.total += info.uncompressedSize;
    if (this.total > limits.maxUnpackedBytes) {
      throw new PackageError(
        'zip_too_large_unpacked',
        `The zip unpacks to more than ${limits.maxUnpackedBytes} bytes (MAX_UNPACKED_BYTES); the limit was passed at entry ${JSON.stringify(info.name)}.`,
      );
    }
    this.checked.push({ info, entry });
  }

  /** The checks on the archive as a whole; returns the accepted entries in directory order. */
  finish(fileSize: number): Array<CheckedEntry<R>> {
    checkFileFolderClashes(this.checked);
    checkLayout(this.checked, fileSize);
    const { total, limits } = this;
    if (total >= BOMB_MIN_ENTRY_BYTES && total / Math.max(fileSize, 1) > limits.maxCompressionRatio) {
      throw new PackageError(
        'zip_bomb',
        `The zip unpacks to ${total} bytes from ${fileSize}, a ratio above the limit of ${limits.maxCompressionRatio} (MAX_COMPRESSION_RATIO); this is the shape of a zip bomb.`,
      );
    }
    return this.checked;
  }
}

/** Checks one central-directory record; null for a harmless root entry ("./"). */
function checkEntry(entry: CentralRecord, raw: string, limits: ZipLimits): ZipEntryInfo | null {
  const { name, isDirectory } = normaliseEntryName(raw);
  const shown = JSON.stringify(name || raw);
  // APPNOTE §4.4.4 bit 0 (encrypted), bit 6 (strong encryption); method 99 is WinZip AES.
  if ((entry.generalPurposeBitFlag & 0x41) !== 0 || entry.compressionMethod === 99) {
    throw new PackageError('zip_encrypted', `The zip entry ${shown} is encrypted; upload a zip without a password.`);
  }
  const host = entry.versionMadeBy >>> 8;
  if (UNIX_HOSTS.has(host)) {
    const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
    if (type === S_IFLNK) {
      throw new PackageError('zip_symlink', `The zip entry ${shown} is a symbolic link; replace it with the file it points to.`);
    }
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
      throw new PackageError('zip_symlink', `The zip entry ${shown} is a device, pipe or socket, not a regular file or folder.`);
    }
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new PackageError(
      'zip_unsupported_compression',
      `The zip entry ${shown} uses compression method ${entry.compressionMethod}; re-create the zip with standard (deflate) compression.`,
    );
  }
  if (isDirectory && entry.uncompressedSize > 0) {
    throw new PackageError('zip_size_mismatch', `The zip entry ${shown} is a folder but declares ${entry.uncompressedSize} bytes of data.`);
  }
  if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize) {
    throw new PackageError(
      'zip_size_mismatch',
      `The zip entry ${shown} is stored uncompressed but declares ${entry.compressedSize} stored and ${entry.uncompressedSize} unpacked bytes.`,
    );
  }
  if (
    entry.uncompressedSize >= BOMB_MIN_ENTRY_BYTES &&
    (entry.compressedSize === 0 || entry.uncompressedSize / entry.compressedSize > limits.maxCompressionRatio)
  ) {
    throw new PackageError(
      'zip_bomb',
      `The zip entry ${shown} unpacks ${entry.compressedSize} bytes to ${entry.uncompressedSize}, a ratio above the limit of ${limits.maxCompressionRatio} (MAX_COMPRESSION_RATIO); this is the shape of a zip bomb.`,
    );
  }
  if (name === '') {
    return null;
  }
  return { name, isDirectory, uncompressedSize: entry.uncompressedSize, compressedSize: entry.compressedSize };
}

/** A file `a` and an entry `a/…` cannot both exist on disk. */
function checkFileFolderClashes(entries: CheckedEntry[]): void {
  const folders = new Set<string>();
  for (const { info } of entries) {
    const parts = duplicateKey(info.name).split('/');
    const upTo = info.isDirectory ? parts.length : parts.length - 1;
    for (let i = 1; i <= upTo; i++) {
      folders.add(parts.slice(0, i).join('/'));
    }
  }
  for (const { info } of entries) {
    if (!info.isDirectory && folders.has(duplicateKey(info.name))) {
      throw new PackageError('zip_duplicate_entry', `The zip holds ${JSON.stringify(info.name)} both as a file and as a folder.`);
    }
  }
}

/**
 * Entry data must lie inside the file and no two entries may share bytes: overlapping entries are
 * how the "non-recursive zip bomb" (Fifield, 2019) reaches ratios of millions while each entry looks
 * ordinary.
 */
function checkLayout(entries: CheckedEntry[], fileSize: number): void {
  const byOffset = [...entries].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  for (let i = 0; i < byOffset.length; i++) {
    const { entry, info } = byOffset[i];
    const end = entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_MIN_BYTES + entry.compressedSize;
    if (end > fileSize) {
      throw dataPastEnd(info.name);
    }
    const next = byOffset[i + 1];
    if (next && end > next.entry.relativeOffsetOfLocalHeader) {
      throw new PackageError(
        'zip_bomb',
        `The zip entries ${JSON.stringify(info.name)} and ${JSON.stringify(next.info.name)} share the same bytes; overlapping entries are the shape of a zip bomb.`,
      );
    }
  }
}
