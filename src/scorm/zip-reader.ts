import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { PackageError } from '../common/errors';
import { IO_CHUNK_BYTES, readEntryBuffer, type ZipSource } from './zip-entry-data';
import { classifyZipError, tooLarge } from './zip-errors';
import { extractEntries, type ExtractOptions, type ExtractResult } from './zip-extract';
import { ZipPolicy, type CheckedEntry } from './zip-policy';
import type { ZipEntryInfo, ZipLimits } from './zip.types';

/** Block size for central-directory reads. */
const CD_BLOCK_BYTES = 256 * 1024;

/**
 * One uploaded zip, opened once per import: `open` reads the central directory and checks every
 * entry against the policy (zip-policy.ts) before anything is extracted, then the manifest is read
 * and the package extracted through the same file handle and the same checked entries. Throws
 * PackageError with a named code on the first problem.
 *
 * Why up front: the central directory (APPNOTE §4.3.12) declares every name, size and attribute,
 * so a hostile package is refused before a single byte is written. Reading and extracting re-check
 * the actual bytes (sizes, CRC-32) because declarations can lie.
 */
export class ZipReader implements ZipSource {
  /** The accepted entries in directory order, names normalised. */
  readonly entries: ZipEntryInfo[];
  private readonly byName: Map<string, yauzl.Entry>;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly reader: CachedFileReader,
    private readonly checked: Array<CheckedEntry<yauzl.Entry>>,
  ) {
    this.entries = checked.map((c) => c.info);
    this.byName = new Map(checked.map((c) => [c.info.name, c.entry]));
  }

  static async open(file: string, limits: ZipLimits): Promise<ZipReader> {
    const zip = await openYauzl(file);
    try {
      const policy = new ZipPolicy<yauzl.Entry>(limits, zip.entryCount);
      await walkEntries(zip, (entry) => policy.add(entry, decodedName(entry)));
      return new ZipReader(zip, zip.reader, policy.finish(zip.fileSize));
    } catch (err) {
      zip.close();
      throw classifyZipError(err, file);
    }
  }

  get file(): string {
    return this.reader.file;
  }

  get fd(): number {
    return this.reader.fd;
  }

  get fileSize(): number {
    return this.zip.fileSize;
  }

  dataStart(entry: yauzl.Entry): Promise<number> {
    return new Promise((resolve, reject) => {
      this.zip.readLocalFileHeader(entry, { minimal: true }, (err, header) => (err ? reject(err) : resolve(header.fileDataStart)));
    });
  }

  /**
   * Reads one entry fully into memory; refuses entries larger than maxBytes (`zip_entry_too_large`)
   * by their declared size, and the data path refuses actual bytes beyond the declared size, so a
   * lying header cannot make it buffer more. `name` is a name from `entries`.
   */
  async readEntry(name: string, maxBytes: number): Promise<Buffer> {
    try {
      const entry = this.byName.get(name);
      if (!entry) {
        throw new PackageError('zip_entry_not_found', `The zip has no entry named ${JSON.stringify(name)}.`);
      }
      if (entry.uncompressedSize > maxBytes) {
        throw tooLarge(name, maxBytes);
      }
      return await readEntryBuffer(this, entry, name);
    } catch (err) {
      throw classifyZipError(err, this.file);
    }
  }

  /** Extracts the included entries to `dest` (see extractEntries); the caller deletes `dest` on failure. */
  async extract(dest: string, options: ExtractOptions): Promise<ExtractResult> {
    try {
      return await extractEntries(this, this.checked, dest, options);
    } catch (err) {
      throw classifyZipError(err, this.file);
    }
  }

  /** Closes the file; call it once the import no longer reads the zip. */
  close(): void {
    this.zip.close();
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

async function openYauzl(file: string): Promise<OpenZip> {
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
    // decodeStrings: false so that names are decoded and checked by the policy, and errors can name
    // them. validateEntrySizes: false because the policy checks stored sizes itself, naming the entry,
    // and the data path checks actual sizes.
    const zip = await yauzl.fromRandomAccessReaderPromise(reader, size, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: false,
      strictFileNames: false,
    });
    return Object.assign(zip, { reader });
  } catch (err) {
    fs.closeSync(fd);
    throw classifyZipError(err, file);
  }
}

/** The entry's name as UTF-8 (general-purpose bit 11 or the Info-ZIP Unicode path field) or CP437. */
function decodedName(entry: yauzl.Entry): string {
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
}

/** Reads every central-directory record in order, handing each to `onEntry`; rejects on the first throw. */
function walkEntries(zip: yauzl.ZipFile, onEntry: (entry: yauzl.Entry) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.removeListener('entry', entryListener);
      zip.removeListener('end', endListener);
      zip.removeListener('error', errorListener);
    };
    const entryListener = (entry: yauzl.Entry): void => {
      try {
        onEntry(entry);
      } catch (err) {
        cleanup();
        reject(err);
        return;
      }
      zip.readEntry();
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
