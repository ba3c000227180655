import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { PackageError } from '../common/errors';
import { duplicateKey, normaliseEntryName } from './zip-names';
import type { ZipEntryInfo, ZipLimits } from './zip.types';

/**
 * Entries smaller than this are never called a zip bomb on their own: text, JSON and SVG often
 * compress 20-100x, and a small entry cannot exhaust anything. The total and the archive-wide ratio
 * still count them.
 */
export const BOMB_MIN_ENTRY_BYTES = 1024 * 1024;
/** Read size for entry data: large sequential reads, far fewer syscalls than Node's 16 KiB default. */
const IO_CHUNK_BYTES = 1024 * 1024;
/** Block size for central-directory reads. */
const CD_BLOCK_BYTES = 256 * 1024;
/** Entries whose stored bytes are at most this are read in one pread and decoded in one call. */
const SMALL_READ_BYTES = 256 * 1024;
/** Output chunk of the inflater (zlib's default is 16 KiB). */
const INFLATE_CHUNK_BYTES = 256 * 1024;
/** Longest synchronous run of small-file writes before yielding to the event loop (bench/import.ts). */
const SLICE_MS = 8;
/** Large entries streamed at once, beside the small ones. */
const LARGE_CONCURRENCY = 2;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** "Version made by" hosts whose external attributes carry a Unix st_mode (APPNOTE §4.4.2): Unix, OS X. */
const UNIX_HOSTS = new Set([3, 19]);

interface CheckedEntry {
  info: ZipEntryInfo;
  entry: yauzl.Entry;
}

/**
 * Reads the central directory of a zip on disk and checks every entry before anything is extracted
 * (DESIGN §1.1). Throws PackageError with a named code on the first problem.
 *
 * Why up front: the central directory (APPNOTE §4.3.12) declares every name, size and attribute,
 * so a hostile package is refused before a single byte is written. Extraction re-checks the actual
 * bytes (sizes, CRC-32) because declarations can lie.
 */
export async function inspectZip(file: string, limits: ZipLimits): Promise<ZipEntryInfo[]> {
  const zip = await openZip(file, false);
  try {
    const entries = await scanEntries(zip, limits);
    return entries.map((e) => e.info);
  } catch (err) {
    throw classifyZipError(err, file);
  } finally {
    zip.close();
  }
}

/**
 * Reads one entry fully into memory; refuses entries larger than maxBytes (`zip_entry_too_large`)
 * by their declared size and again by their actual size, so a lying header cannot make it buffer more.
 * `name` is the normalised name that inspectZip returned.
 */
export async function readZipEntry(file: string, name: string, maxBytes: number): Promise<Buffer> {
  const zip = await openZip(file, false);
  try {
    const found = await findEntry(zip, name);
    if (!found) {
      throw new PackageError('zip_entry_not_found', `The zip has no entry named ${JSON.stringify(name)}.`);
    }
    if (found.uncompressedSize > maxBytes) {
      throw tooLarge(name, maxBytes);
    }
    checkEncodable(found, name);
    if (found.compressedSize <= SMALL_READ_BYTES) {
      return readSmallEntrySync(zip, found, name);
    }
    const chunks: Buffer[] = [];
    const source = await openEntryData(zip, file, found);
    await drainEntry(source, found, name, (chunk) => {
      chunks.push(chunk);
      return Promise.resolve();
    });
    return Buffer.concat(chunks);
  } catch (err) {
    throw classifyZipError(err, file);
  } finally {
    zip.close();
  }
}

export interface ExtractOptions {
  limits: ZipLimits;
  /** Folder prefix inside the zip that becomes the package root ('' or 'course/'). */
  stripPrefix: string;
  /** Entries for which this returns false are skipped (e.g. __MACOSX/). Receives the full entry name. */
  include: (name: string) => boolean;
  /** Called as uncompressed bytes are written. */
  onProgress?: (writtenBytes: number) => void;
}

interface ExtractJob {
  entry: yauzl.Entry;
  name: string;
  target: string;
}

/**
 * Streams every included entry to `dest`, checking actual sizes against the declared ones.
 *
 * Why this shape: memory stays bounded whatever the package size (no entry is buffered whole; at
 * most EXTRACT_CONCURRENCY streams of IO_CHUNK_BYTES are in flight), stored media entries are copied
 * straight from the file's byte range, files are created exclusively (`wx`, mode 0644) so nothing is
 * ever overwritten or followed through a symlink, and every target is re-checked to stay under
 * `dest`. Files are not fsynced one by one (that would cost more than the extraction); the caller
 * publishes the folder with an atomic rename. On any error it rejects after in-flight writes stop;
 * the caller deletes `dest`.
 */
export async function extractZip(file: string, dest: string, options: ExtractOptions): Promise<{ files: number; bytes: number }> {
  const zip = await openZip(file, true);
  try {
    const entries = await scanEntries(zip, options.limits);
    const root = path.resolve(dest);
    await fs.promises.mkdir(root, { recursive: true });
    const dirs = new Set<string>();
    const jobs: ExtractJob[] = [];
    for (const { info, entry } of entries) {
      if (!info.name.startsWith(options.stripPrefix) || !options.include(info.name)) {
        continue;
      }
      const rel = info.name.slice(options.stripPrefix.length);
      if (rel === '') {
        continue;
      }
      const target = path.resolve(root, rel);
      if (!target.startsWith(root + path.sep)) {
        throw new PackageError('zip_unsafe_path', `The zip entry ${JSON.stringify(info.name)} would be written outside the package folder.`);
      }
      if (info.isDirectory) {
        dirs.add(target);
      } else {
        checkEncodable(entry, info.name);
        dirs.add(path.dirname(target));
        jobs.push({ entry, name: info.name, target });
      }
    }
    // Shortest first, so each mkdir finds its parent and recursion rarely has to walk up.
    for (const dir of [...dirs].sort((a, b) => a.length - b.length)) {
      if (dir !== root) {
        await fs.promises.mkdir(dir, { recursive: true });
      }
    }

    let written = 0;
    const count = (bytes: number): void => {
      written += bytes;
      if (written > options.limits.maxUnpackedBytes) {
        throw new PackageError(
          'zip_too_large_unpacked',
          `The zip unpacks to more than ${options.limits.maxUnpackedBytes} bytes (MAX_UNPACKED_BYTES).`,
        );
      }
      options.onProgress?.(written);
    };
    const abort: PoolState = { failed: false, error: undefined };
    const small = jobs.filter((j) => j.entry.compressedSize <= SMALL_READ_BYTES);
    const large = jobs.filter((j) => j.entry.compressedSize > SMALL_READ_BYTES);
    // Two lanes at once: many small files are bound by file-creation latency, a few large ones by
    // I/O and inflate; running them side by side keeps both the disk and the CPU busy.
    await Promise.all([
      runSliced(small, abort, (job) => {
        const data = readSmallEntrySync(zip, job.entry, job.name);
        count(data.length);
        writeSmallFileSync(job.target, job.name, data);
      }),
      runPool(large, LARGE_CONCURRENCY, abort, async (job) => {
        const out = await openTarget(job.target, job.name);
        try {
          if (job.entry.compressionMethod === 0) {
            await copyStoredEntry(zip, job.entry, job.name, out, abort, count);
            return;
          }
          const source = await openEntryData(zip, file, job.entry);
          await drainEntry(source, job.entry, job.name, async (chunk) => {
            if (abort.failed) {
              throw new Error('aborted');
            }
            count(chunk.length);
            await writeAll(out, chunk);
          });
        } finally {
          await out.close();
        }
      }),
    ]);
    if (abort.failed) {
      throw abort.error;
    }
    return { files: jobs.length, bytes: written };
  } catch (err) {
    throw classifyZipError(err, file);
  } finally {
    zip.close();
  }
}

/**
 * Serves yauzl's many small reads of the central directory (two per entry) from 256 KiB blocks:
 * with thousands of entries this turns thousands of preads into a handful. Also exposes the fd for
 * the small-entry fast path.
 */
class CachedFileReader extends yauzl.RandomAccessReader {
  private block = Buffer.alloc(0);
  private blockStart = -1;

  constructor(
    readonly file: string,
    readonly fd: number,
  ) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    const cached = (): boolean => position >= this.blockStart && position + length <= this.blockStart + this.block.length;
    if (length <= CD_BLOCK_BYTES && cached()) {
      this.block.copy(buffer, offset, position - this.blockStart, position - this.blockStart + length);
      // Never call back synchronously: yauzl would recurse once per entry.
      process.nextTick(callback, null, length);
      return;
    }
    if (length > CD_BLOCK_BYTES) {
      fs.read(this.fd, buffer, offset, length, position, (err, n) => callback(err, n));
      return;
    }
    const block = Buffer.allocUnsafe(CD_BLOCK_BYTES);
    fs.read(this.fd, block, 0, CD_BLOCK_BYTES, position, (err, n) => {
      if (err) {
        callback(err);
        return;
      }
      this.block = block.subarray(0, n);
      this.blockStart = position;
      const got = Math.min(n, length);
      block.copy(buffer, offset, 0, got);
      callback(null, got);
    });
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return fs.createReadStream(this.file, { start, end: end - 1, highWaterMark: IO_CHUNK_BYTES });
  }

  override close(callback: (err: Error | null) => void): void {
    fs.close(this.fd, callback);
  }
}

type OpenZip = yauzl.ZipFile & { reader: CachedFileReader };

async function openZip(file: string, validateEntrySizes: boolean): Promise<OpenZip> {
  const fd = await new Promise<number>((resolve, reject) => fs.open(file, 'r', (err, n) => (err ? reject(err) : resolve(n))));
  let size: number;
  try {
    size = fs.fstatSync(fd).size;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  const reader = new CachedFileReader(file, fd);
  try {
    // decodeStrings: false so that names are decoded and checked here, and errors can name them.
    const zip = await yauzl.fromRandomAccessReaderPromise(reader, size, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes,
      strictFileNames: false,
    });
    return Object.assign(zip, { reader });
  } catch (err) {
    fs.closeSync(fd);
    throw classifyZipError(err, file);
  }
}

/** Walks the central directory, checking each entry and then the archive as a whole. */
async function scanEntries(zip: yauzl.ZipFile, limits: ZipLimits): Promise<CheckedEntry[]> {
  if (zip.entryCount > limits.maxEntries) {
    throw new PackageError('zip_too_many_entries', `The zip has ${zip.entryCount} entries, more than the limit of ${limits.maxEntries} (MAX_ENTRIES).`);
  }
  const checked: CheckedEntry[] = [];
  const seen = new Map<string, string>();
  let total = 0;
  await walkEntries(zip, (entry) => {
    if (checked.length >= limits.maxEntries) {
      throw new PackageError('zip_too_many_entries', `The zip has more than ${limits.maxEntries} entries (MAX_ENTRIES).`);
    }
    const info = checkEntry(entry, limits);
    if (info === null) {
      return true;
    }
    const key = duplicateKey(info.name);
    const previous = seen.get(key);
    if (previous !== undefined) {
      const same = previous === info.name ? `twice` : `as ${JSON.stringify(previous)} and ${JSON.stringify(info.name)}`;
      throw new PackageError('zip_duplicate_entry', `The zip holds the entry ${JSON.stringify(info.name)} ${same}; re-create the zip so that every path appears once.`);
    }
    seen.set(key, info.name);
    total += info.uncompressedSize;
    if (total > limits.maxUnpackedBytes) {
      throw new PackageError(
        'zip_too_large_unpacked',
        `The zip unpacks to more than ${limits.maxUnpackedBytes} bytes (MAX_UNPACKED_BYTES); the limit was passed at entry ${JSON.stringify(info.name)}.`,
      );
    }
    checked.push({ info, entry });
    return true;
  });
  checkFileFolderClashes(checked);
  checkLayout(checked, zip.fileSize);
  if (total >= BOMB_MIN_ENTRY_BYTES && total / Math.max(zip.fileSize, 1) > limits.maxCompressionRatio) {
    throw new PackageError(
      'zip_bomb',
      `The zip unpacks to ${total} bytes from ${zip.fileSize}, a ratio above the limit of ${limits.maxCompressionRatio} (MAX_COMPRESSION_RATIO); this is the shape of a zip bomb.`,
    );
  }
  return checked;
}

/** Checks one central-directory record; null for a harmless root entry ("./"). */
function checkEntry(entry: yauzl.Entry, limits: ZipLimits): ZipEntryInfo | null {
  const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
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
 * ordinary. A local header is at least 30 bytes (APPNOTE §4.3.7).
 */
function checkLayout(entries: CheckedEntry[], fileSize: number): void {
  const byOffset = [...entries].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  for (let i = 0; i < byOffset.length; i++) {
    const { entry, info } = byOffset[i];
    const end = entry.relativeOffsetOfLocalHeader + 30 + entry.compressedSize;
    if (end > fileSize) {
      throw new PackageError('zip_truncated', `The zip is truncated or corrupt: the data of entry ${JSON.stringify(info.name)} runs past the end of the file.`);
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

function walkEntries(zip: yauzl.ZipFile, onEntry: (entry: yauzl.Entry) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.removeListener('entry', entryListener);
      zip.removeListener('end', endListener);
      zip.removeListener('error', errorListener);
    };
    const entryListener = (entry: yauzl.Entry): void => {
      let more: boolean;
      try {
        more = onEntry(entry);
      } catch (err) {
        cleanup();
        reject(err);
        return;
      }
      if (more) {
        zip.readEntry();
      } else {
        cleanup();
        resolve();
      }
    };
    const endListener = (): void => {
      cleanup();
      resolve();
    };
    const errorListener = (err: Error): void => {
      cleanup();
      reject(err);
    };
    zip.on('entry', entryListener);
    zip.on('end', endListener);
    zip.on('error', errorListener);
    zip.readEntry();
  });
}

async function findEntry(zip: yauzl.ZipFile, name: string): Promise<yauzl.Entry | undefined> {
  let found: yauzl.Entry | undefined;
  await walkEntries(zip, (entry) => {
    const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
    if (normaliseEntryName(raw).name === name) {
      found = entry;
      return false;
    }
    return true;
  });
  return found;
}

function checkEncodable(entry: yauzl.Entry, name: string): void {
  if (!entry.canDecodeFileData()) {
    throw new PackageError('zip_unsupported_compression', `The zip entry ${JSON.stringify(name)} cannot be decoded (encrypted or unknown compression).`);
  }
}

/**
 * Small entries (most of a course: HTML, JS, CSS) in one pread of local header plus data and one
 * inflate bounded by the declared size; then the same size and CRC-32 checks as drainEntry.
 * Synchronous calls on purpose. Thousands of tiny files are bound by
 * per-call latency, and each async fs call is a thread-pool round trip: doing read, inflate and write
 * of one small file in one synchronous step is what keeps extraction within 1.5x of `unzip`. The
 * caller runs these in time slices so the event loop is never blocked for long.
 */
function readSmallEntrySync(zip: OpenZip, entry: yauzl.Entry, name: string): Buffer {
  const fd = zip.reader.fd;
  const start = entry.relativeOffsetOfLocalHeader;
  const guess = Math.min(30 + entry.fileNameLength + entry.extraFieldLength + entry.compressedSize + 64, zip.fileSize - start);
  const head = Buffer.allocUnsafe(Math.max(guess, 30));
  const got = fs.readSync(fd, head, 0, head.length, start);
  if (got < 30 || head.readUInt32LE(0) !== 0x04034b50) {
    throw new PackageError('zip_truncated', `The zip is truncated or corrupt: the local header of entry ${JSON.stringify(name)} is missing.`);
  }
  const dataStart = 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
  if (start + dataStart + entry.compressedSize > zip.fileSize) {
    throw new PackageError('zip_truncated', `The zip is truncated or corrupt: the data of entry ${JSON.stringify(name)} runs past the end of the file.`);
  }
  let stored: Buffer;
  if (dataStart + entry.compressedSize <= got) {
    stored = head.subarray(dataStart, dataStart + entry.compressedSize);
  } else {
    stored = Buffer.allocUnsafe(entry.compressedSize);
    if (fs.readSync(fd, stored, 0, stored.length, start + dataStart) !== stored.length) {
      throw new PackageError('zip_truncated', `The zip is truncated: the data of entry ${JSON.stringify(name)} is cut short.`);
    }
  }
  let data: Buffer;
  if (entry.compressionMethod === 0) {
    data = stored;
  } else {
    try {
      data = zlib.inflateRawSync(stored, { maxOutputLength: entry.uncompressedSize + 1 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw sizeMismatch(name, entry.uncompressedSize, `more than ${entry.uncompressedSize}`);
      }
      throw err;
    }
  }
  if (data.length !== entry.uncompressedSize) {
    throw sizeMismatch(name, entry.uncompressedSize, String(data.length));
  }
  if (zlib.crc32(data) >>> 0 !== entry.crc32 >>> 0) {
    throw new PackageError('zip_truncated', `The zip entry ${JSON.stringify(name)} is corrupt (CRC-32 mismatch); re-create the zip.`);
  }
  return data;
}

/** Writes a small file in one synchronous step; same flags and errors as openTarget. */
function writeSmallFileSync(target: string, name: string, data: Buffer): void {
  let fd: number;
  try {
    fd = fs.openSync(target, OPEN_FLAGS, 0o644);
  } catch (err) {
    throw targetError(err, name);
  }
  try {
    let offset = 0;
    while (offset < data.length) {
      offset += fs.writeSync(fd, data, offset, data.length - offset);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs `work` over `items` synchronously in slices of at most SLICE_MS, yielding to the event loop between slices. */
async function runSliced<T>(items: T[], abort: PoolState, work: (item: T) => void): Promise<void> {
  let i = 0;
  while (i < items.length && !abort.failed) {
    const sliceEnd = performance.now() + SLICE_MS;
    try {
      do {
        work(items[i++]);
      } while (i < items.length && performance.now() < sliceEnd);
    } catch (err) {
      if (!abort.failed) {
        abort.failed = true;
        abort.error = err;
      }
      return;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function pread(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, 0, buffer.length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/**
 * The entry's bytes, decompressed. Stored entries are read straight from their byte range with
 * large reads; deflated ones go through a raw inflater fed the same way. yauzl located the data
 * (local header, bounds check against the file size).
 */
async function openEntryData(zip: yauzl.ZipFile, file: string, entry: yauzl.Entry): Promise<Readable | null> {
  const { fileDataStart } = await new Promise<{ fileDataStart: number }>((resolve, reject) => {
    zip.readLocalFileHeader(entry, { minimal: true }, (err, header) => (err ? reject(err) : resolve(header)));
  });
  if (entry.compressedSize === 0) {
    return null;
  }
  const raw = fs.createReadStream(file, {
    start: fileDataStart,
    end: fileDataStart + entry.compressedSize - 1,
    highWaterMark: IO_CHUNK_BYTES,
  });
  if (entry.compressionMethod === 0) {
    return raw;
  }
  const inflate = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES });
  raw.on('error', (err) => inflate.destroy(err));
  inflate.on('close', () => raw.destroy());
  return raw.pipe(inflate);
}

/**
 * Pulls an entry through `sink`, enforcing the declared size (APPNOTE §4.4.9, the same check as
 * yauzl's validateEntrySizes) and the CRC-32 (§4.4.7), so a header that understates the size or
 * a corrupted body fails instead of being written.
 */
async function drainEntry(source: Readable | null, entry: yauzl.Entry, name: string, sink: (chunk: Buffer) => Promise<void>): Promise<void> {
  let bytes = 0;
  let crc = 0;
  if (source) {
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > entry.uncompressedSize) {
          throw sizeMismatch(name, entry.uncompressedSize, `more than ${entry.uncompressedSize}`);
        }
        crc = zlib.crc32(chunk, crc);
        await sink(chunk);
      }
    } finally {
      source.destroy();
    }
  }
  if (bytes !== entry.uncompressedSize) {
    throw sizeMismatch(name, entry.uncompressedSize, String(bytes));
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw new PackageError('zip_truncated', `The zip entry ${JSON.stringify(name)} is corrupt (CRC-32 mismatch); re-create the zip.`);
  }
}

// O_EXCL: never overwrite, never follow an existing symlink (open(2)).
const OPEN_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

async function openTarget(target: string, name: string): Promise<fs.promises.FileHandle> {
  try {
    return await fs.promises.open(target, OPEN_FLAGS, 0o644);
  } catch (err) {
    throw targetError(err, name);
  }
}

function targetError(err: unknown, name: string): unknown {
  if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
    return new PackageError('zip_duplicate_entry', `The zip entry ${JSON.stringify(name)} collides with another entry on this file system (names differing only in case?).`);
  }
  return err;
}

async function writeAll(out: fs.promises.FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await out.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

interface PoolState {
  failed: boolean;
  error: unknown;
}

/**
 * Runs jobs with at most `limit` at once. The first failure is recorded in `state` (shared between
 * pools), no further job starts, and running ones see `state.failed` at their next chunk; resolves
 * once every started job has stopped, so nothing writes after the caller deletes the folder.
 */
async function runPool<T>(jobs: T[], limit: number, state: PoolState, run: (job: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!state.failed && next < jobs.length) {
      const job = jobs[next++];
      try {
        await run(job);
      } catch (err) {
        if (!state.failed) {
          state.failed = true;
          state.error = err;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

/**
 * A stored entry (method 0, typical for .mp4/.jpg which zip tools do not compress) is its own
 * bytes: copied straight from the zip's byte range through one reused buffer, with the CRC-32 and
 * the running total checked on the way.
 */
async function copyStoredEntry(
  zip: OpenZip,
  entry: yauzl.Entry,
  name: string,
  out: fs.promises.FileHandle,
  abort: PoolState,
  count: (bytes: number) => void,
): Promise<void> {
  const { fileDataStart } = await new Promise<{ fileDataStart: number }>((resolve, reject) => {
    zip.readLocalFileHeader(entry, { minimal: true }, (err, header) => (err ? reject(err) : resolve(header)));
  });
  const buffer = Buffer.allocUnsafe(Math.min(IO_CHUNK_BYTES, entry.compressedSize));
  let position = fileDataStart;
  let left = entry.compressedSize;
  let crc = 0;
  while (left > 0) {
    if (abort.failed) {
      return;
    }
    const n = await pread(zip.reader.fd, left < buffer.length ? buffer.subarray(0, left) : buffer, position);
    if (n === 0) {
      throw new PackageError('zip_truncated', `The zip is truncated: the data of entry ${JSON.stringify(name)} is cut short.`);
    }
    const chunk = buffer.subarray(0, n);
    crc = zlib.crc32(chunk, crc);
    count(n);
    await writeAll(out, chunk);
    position += n;
    left -= n;
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw new PackageError('zip_truncated', `The zip entry ${JSON.stringify(name)} is corrupt (CRC-32 mismatch); re-create the zip.`);
  }
}

function sizeMismatch(name: string, declared: number, actual: string): PackageError {
  return new PackageError('zip_size_mismatch', `The zip entry ${JSON.stringify(name)} declares ${declared} bytes but holds ${actual}; the zip is corrupt or was tampered with.`);
}

function tooLarge(name: string, maxBytes: number): PackageError {
  return new PackageError('zip_entry_too_large', `The zip entry ${JSON.stringify(name)} is larger than ${maxBytes} bytes.`);
}

/**
 * Maps yauzl's and zlib's plain Errors to named PackageErrors; file-system errors (ENOENT, ENOSPC…)
 * and PackageErrors pass through unchanged.
 */
function classifyZipError(err: unknown, file: string): unknown {
  if (err instanceof PackageError || !(err instanceof Error)) {
    return err;
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('E') && !code.startsWith('ERR_')) {
    return err;
  }
  const message = err.message;
  if (/end of central directory record signature not found/i.test(message)) {
    return notAZip(file);
  }
  if (/strong encryption|encrypted/i.test(message)) {
    return new PackageError('zip_encrypted', 'The zip has an encrypted entry; upload a zip without a password.');
  }
  if (/size mismatch|too many bytes|not enough bytes/i.test(message)) {
    return new PackageError('zip_size_mismatch', `The zip declares sizes that do not match its contents (${message}).`);
  }
  if (/multi-disk/i.test(message)) {
    return new PackageError('not_a_zip', 'The file is one part of a split (multi-disk) zip; upload a single-file zip.');
  }
  return new PackageError('zip_truncated', `The zip is truncated or corrupt (${message}); upload it again or re-create it.`);
}

/** yauzl cannot tell a non-zip from a zip cut short; the first bytes can (APPNOTE §4.3.7 signatures). */
function notAZip(file: string): PackageError {
  let head = Buffer.alloc(0);
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(4);
      const n = fs.readSync(fd, buf, 0, 4, 0);
      head = buf.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // unreadable: reported as not a zip below
  }
  if (head.length === 0) {
    return new PackageError('not_a_zip', 'The uploaded file is empty; upload the course as a .zip file.');
  }
  if (head.length === 4 && head.readUInt32LE(0) === 0x04034b50) {
    return new PackageError('zip_truncated', 'The zip is truncated (its central directory is missing); upload it again.');
  }
  return new PackageError('not_a_zip', 'The uploaded file is not a zip archive; upload the course as a .zip file.');
}
