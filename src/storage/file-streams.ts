import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { Writable } from 'node:stream';

/** Reads of 256 KB (not the stream default of 64 KB): a quarter of the system calls and writes for a large file. */
const READ_CHUNK = 256 * 1024;
/**
 * Read buffers kept for reuse once written out (at most 16 MB), instead of a fresh one per read. A
 * file's last, shorter chunk gives its buffer back too: one fresh 256 KB buffer per file sent made
 * V8 collect its old generation again and again (a fifth of the file sender's CPU; docs/performance.md).
 */
const spareBuffers: Buffer[] = [];
const SPARE_BUFFERS_MAX = 64;

/** A stream whose client has not taken its last chunk for this long lets the next one go meanwhile. */
export const STALL_MS = 100;

/** Most large course files streamed to clients at once by this process; the others wait their turn. */
let limit = Infinity;
/** Sets the limit for this process: `CONTENT_STREAMS` (0: none, the default), or the content bench's A/B rows. */
export function streamsAtOnce(n: number): void {
  limit = n > 0 ? n : Infinity;
}

let streaming = 0;
const waiting: Array<() => void> = [];

/**
 * A place among the streams at once: now (undefined) or once one is given back. A stream that lent
 * its place mid-file (`again`) goes before the ones not yet started: finishing a download its client
 * is still waiting for comes first, or under load it could wait behind every new one until its
 * client gives up and all it was sent is lost.
 */
function takePlace(again: boolean): Promise<void> | undefined {
  if (streaming < limit) {
    streaming++;
    return undefined;
  }
  return new Promise((resolve) => (again ? waiting.unshift(resolve) : waiting.push(resolve)));
}

function givePlace(): void {
  const next = waiting.shift();
  if (next) {
    next(); // the place passes on; `streaming` is unchanged
  } else {
    streaming--;
  }
}

/**
 * How a process reads the files it sends: on libuv's threads, so that its event loop never waits for
 * the disk (the server, whose loop answers commits), or `blocking` on the loop itself, as nginx does
 * by default (the file sender's helper, whose loop does nothing else: a read from the page cache takes
 * less time than handing it to a thread and back).
 */
export type FileReads = 'threads' | 'blocking';

/** Writes the inclusive byte range of a file on the local disk to `out` through `sendChunks`, its read buffers reused. */
export function sendFile(out: Writable, file: string, range: { start: number; end: number }, reads: FileReads = 'threads'): Promise<void> {
  const chunks = reads === 'blocking' ? readChunksBlocking(file, range) : readChunks(file, range);
  return sendChunks(out, chunks, (chunk) => {
    if (chunk.buffer.byteLength === READ_CHUNK && spareBuffers.length < SPARE_BUFFERS_MAX) {
      spareBuffers.push(chunk.length === READ_CHUNK ? chunk : Buffer.from(chunk.buffer, 0, READ_CHUNK));
    }
  });
}

/**
 * Writes the chunks of a large course file (local or S3) to `out`, minding back-pressure (the caller
 * ends `out`); rejects when `out` closes first (a client gone mid-file). The one rule that keeps file
 * traffic from starving the runtime's commits on the same event loop, when `CONTENT_STREAMS` is set
 * (docs/performance.md, "Course files beside commits"): at most that many files are streamed at once, so a turn of the loop handles at most that many chunks (their reads,
 * writes and drains) beside the requests that arrived meanwhile, however many downloads are open; a
 * commit no longer waits behind one chunk per open download. Every chunk's write is as large as the
 * source gives it (256 KB reads from the local disk), so the loop's share of each is the same.
 *
 * A client that stops reading holds its place for at most `STALL_MS`: the place is lent to the next
 * stream until the client has taken the chunk, then taken back (before any stream not yet started).
 * `written` is told of each chunk once the socket has taken it (to reuse its buffer).
 */
export async function sendChunks(out: Writable, chunks: AsyncIterable<Buffer> | Iterable<Buffer>, written?: (chunk: Buffer) => void): Promise<void> {
  let closed = false;
  let wake: (() => void) | null = null;
  const onClose = () => {
    closed = true;
    wake?.();
  };
  const onDrain = () => wake?.();
  out.on('close', onClose);
  out.on('drain', onDrain);
  let holding = false;
  const hold = async (again: boolean) => {
    const wait = takePlace(again);
    holding = true; // given to us now, or when `wait` resolves (a place is passed on, never lost)
    if (wait) {
      await wait;
    }
  };
  let stall: NodeJS.Timeout | undefined;
  try {
    await hold(false);
    if (closed || out.destroyed) {
      throw new Error('the reader went away while the stream waited for its place');
    }
    for await (const chunk of chunks) {
      if (closed || out.destroyed) {
        throw new Error('the reader went away');
      }
      const more = out.write(chunk, written && ((err) => !err && written(chunk)));
      if (!more) {
        stall = setTimeout(() => {
          if (holding) {
            holding = false;
            givePlace();
          }
        }, STALL_MS);
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (closed || !out.writableNeedDrain) {
            resolve();
          }
        });
        wake = null;
        clearTimeout(stall);
        if (!holding && !closed) {
          await hold(true);
        }
      }
    }
  } finally {
    clearTimeout(stall);
    out.off('close', onClose);
    out.off('drain', onDrain);
    if (holding) {
      holding = false;
      givePlace();
    }
  }
}

/**
 * The inclusive byte range of a file in READ_CHUNK reads, one read ahead (the next chunk is read while
 * the last one is written out). The file is opened at the first chunk asked for (once the stream has
 * its place in `sendChunks`) and closed when the last is taken or the reader goes away.
 */
async function* readChunks(file: string, range: { start: number; end: number }): AsyncGenerator<Buffer> {
  const handle = await fsp.open(file, 'r');
  const end = range.end + 1;
  const readAt = (position: number): Promise<Buffer> => {
    const buffer = spareBuffer();
    const read = handle.read(buffer, 0, Math.min(READ_CHUNK, end - position), position).then(({ bytesRead }) => filled(buffer, bytesRead));
    // A read ahead that fails while its reader waits for the last chunk to be written out rejects
    // before anyone awaits it: without this, an unhandled rejection (which ends the process).
    read.catch(() => undefined);
    return read;
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

/** `readChunks` without threads or read-ahead: each chunk read on the loop when `sendChunks` asks for it. */
function* readChunksBlocking(file: string, range: { start: number; end: number }): Generator<Buffer> {
  const fd = fs.openSync(file, 'r');
  try {
    for (let position = range.start; position <= range.end; ) {
      const buffer = spareBuffer();
      const chunk = filled(buffer, fs.readSync(fd, buffer, 0, Math.min(READ_CHUNK, range.end + 1 - position), position));
      position += chunk.length;
      yield chunk;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function spareBuffer(): Buffer {
  return spareBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
}

/** The part of `buffer` a read filled; a read of nothing before the range's end means the file shrank. */
function filled(buffer: Buffer, bytesRead: number): Buffer {
  if (bytesRead === 0) {
    throw new Error('the file is shorter than it was');
  }
  return bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
}
