import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import type * as yauzl from 'yauzl';
import { PackageError } from '../common/errors';
import { LOCAL_HEADER_MIN_BYTES } from './zip-policy';
import { cannotDecode, crcMismatch, dataCutShort, dataPastEnd, sizeMismatch } from './zip-errors';

/** Read size for entry data: large sequential reads, far fewer syscalls than Node's 16 KiB default. */
export const IO_CHUNK_BYTES = 1024 * 1024;
/** Entries whose stored bytes are at most this are read in one pread and decoded in one call. */
export const SMALL_READ_BYTES = 256 * 1024;
/** Output chunk of the inflater (zlib's default is 16 KiB). */
const INFLATE_CHUNK_BYTES = 256 * 1024;
/** APPNOTE §4.3.7; the local header's name and extra-field lengths sit at offsets 26 and 28. */
const LOCAL_HEADER_SIGNATURE = 0x04034b50;

/** What the data path needs of an open zip (zip-reader.ts provides it). */
export interface ZipSource {
  readonly file: string;
  readonly fd: number;
  readonly fileSize: number;
  /** Offset of the entry's data after its local header; yauzl reads the header and bounds-checks it. */
  dataStart(entry: yauzl.Entry): Promise<number>;
}

/** Refuses what cannot be decoded before anything is read or created for it. */
export function checkDecodable(entry: yauzl.Entry, name: string): void {
  if (!entry.canDecodeFileData()) {
    throw cannotDecode(name);
  }
}

/**
 * The whole of one entry in memory: small ones in one read, larger ones streamed and joined. Both
 * paths check the actual size and CRC-32 against the declarations.
 */
export async function readEntryBuffer(zip: ZipSource, entry: yauzl.Entry, name: string): Promise<Buffer> {
  checkDecodable(entry, name);
  if (entry.compressedSize <= SMALL_READ_BYTES) {
    return readSmallEntrySync(zip, entry, name);
  }
  const chunks: Buffer[] = [];
  const source = await openEntryData(zip, entry);
  await drainEntry(source, entry, name, (chunk) => {
    chunks.push(chunk);
    return Promise.resolve();
  });
  return Buffer.concat(chunks);
}

/**
 * Small entries (most of a course: HTML, JS, CSS) in one pread of local header plus data and one
 * inflate bounded by the declared size; then the same size and CRC-32 checks as drainEntry.
 * Synchronous calls on purpose. Thousands of tiny files are bound by
 * per-call latency, and each async fs call is a thread-pool round trip: doing read, inflate and write
 * of one small file in one synchronous step is what keeps extraction within 1.5x of `unzip`. The
 * caller runs these in time slices so the event loop is never blocked for long.
 */
export function readSmallEntrySync(zip: ZipSource, entry: yauzl.Entry, name: string): Buffer {
  const fd = zip.fd;
  const start = entry.relativeOffsetOfLocalHeader;
  const guess = Math.min(LOCAL_HEADER_MIN_BYTES + entry.fileNameLength + entry.extraFieldLength + entry.compressedSize + 64, zip.fileSize - start);
  const head = Buffer.allocUnsafe(Math.max(guess, LOCAL_HEADER_MIN_BYTES));
  const got = fs.readSync(fd, head, 0, head.length, start);
  if (got < LOCAL_HEADER_MIN_BYTES || head.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) {
    throw new PackageError('zip_truncated', `The zip is truncated or corrupt: the local header of entry ${JSON.stringify(name)} is missing.`);
  }
  const dataStart = LOCAL_HEADER_MIN_BYTES + head.readUInt16LE(26) + head.readUInt16LE(28);
  if (start + dataStart + entry.compressedSize > zip.fileSize) {
    throw dataPastEnd(name);
  }
  let stored: Buffer;
  if (dataStart + entry.compressedSize <= got) {
    stored = head.subarray(dataStart, dataStart + entry.compressedSize);
  } else {
    stored = Buffer.allocUnsafe(entry.compressedSize);
    if (fs.readSync(fd, stored, 0, stored.length, start + dataStart) !== stored.length) {
      throw dataCutShort(name);
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
    throw crcMismatch(name);
  }
  return data;
}

/**
 * The entry's bytes, decompressed. Stored entries are read straight from their byte range with
 * large reads; deflated ones go through a raw inflater fed the same way. yauzl located the data
 * (local header, bounds check against the file size).
 */
export async function openEntryData(zip: ZipSource, entry: yauzl.Entry): Promise<Readable | null> {
  const fileDataStart = await zip.dataStart(entry);
  if (entry.compressedSize === 0) {
    return null;
  }
  const raw = fs.createReadStream(zip.file, {
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
export async function drainEntry(source: Readable | null, entry: yauzl.Entry, name: string, sink: (chunk: Buffer) => Promise<void>): Promise<void> {
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
    throw crcMismatch(name);
  }
}

/**
 * A stored entry (method 0, typical for .mp4/.jpg which zip tools do not compress) is its own
 * bytes: read straight from the zip's byte range through one reused buffer, with the CRC-32 checked
 * on the way. `sink` must be done with a chunk when its promise settles (the buffer is reused).
 * Its size needs no check here: the policy refused stored entries whose two sizes differ.
 */
export async function copyStoredEntry(zip: ZipSource, entry: yauzl.Entry, name: string, sink: (chunk: Buffer) => Promise<void>): Promise<void> {
  let position = await zip.dataStart(entry);
  const buffer = Buffer.allocUnsafe(Math.min(IO_CHUNK_BYTES, entry.compressedSize));
  let left = entry.compressedSize;
  let crc = 0;
  while (left > 0) {
    const n = await pread(zip.fd, left < buffer.length ? buffer.subarray(0, left) : buffer, position);
    if (n === 0) {
      throw dataCutShort(name);
    }
    const chunk = buffer.subarray(0, n);
    crc = zlib.crc32(chunk, crc);
    await sink(chunk);
    position += n;
    left -= n;
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw crcMismatch(name);
  }
}

function pread(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, 0, buffer.length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}
