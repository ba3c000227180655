import * as fs from 'node:fs';
import { targetError } from './zip-errors';

/** Longest synchronous run of small-file writes before yielding to the event loop (bench/import.ts). */
const SLICE_MS = 8;

// O_EXCL: never overwrite, never follow an existing symlink (open(2)).
const OPEN_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
const FILE_MODE = 0o644;

/** The first failure of any lane; every lane stops starting work once it is set. */
export interface PoolState {
  failed: boolean;
  error: unknown;
}

/** Records the first failure only: later ones are consequences of stopping. */
function fail(state: PoolState, err: unknown): void {
  if (!state.failed) {
    state.failed = true;
    state.error = err;
  }
}

/** Creates a file that did not exist (never one reached through a symlink) for streaming into. */
export async function openTarget(target: string, name: string): Promise<fs.promises.FileHandle> {
  try {
    return await fs.promises.open(target, OPEN_FLAGS, FILE_MODE);
  } catch (err) {
    throw targetError(err, name);
  }
}

/** Writes a small file in one synchronous step; same flags and errors as openTarget. */
export function writeSmallFileSync(target: string, name: string, data: Buffer): void {
  let fd: number;
  try {
    fd = fs.openSync(target, OPEN_FLAGS, FILE_MODE);
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

export async function writeAll(out: fs.promises.FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await out.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** Runs `work` over `items` synchronously in slices of at most SLICE_MS, yielding to the event loop between slices. */
export async function runSliced<T>(items: T[], state: PoolState, work: (item: T) => void): Promise<void> {
  let i = 0;
  while (i < items.length && !state.failed) {
    const sliceEnd = performance.now() + SLICE_MS;
    try {
      do {
        work(items[i++]);
      } while (i < items.length && performance.now() < sliceEnd);
    } catch (err) {
      fail(state, err);
      return;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Runs jobs with at most `limit` at once. The first failure is recorded in `state` (shared between
 * pools), no further job starts, and running ones see `state.failed` at their next chunk; resolves
 * once every started job has stopped, so nothing writes after the caller deletes the folder.
 */
export async function runPool<T>(jobs: T[], limit: number, state: PoolState, run: (job: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!state.failed && next < jobs.length) {
      const job = jobs[next++];
      try {
        await run(job);
      } catch (err) {
        fail(state, err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}
