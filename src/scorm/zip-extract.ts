import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as yauzl from 'yauzl';
import { PackageError } from '../common/errors';
import { checkDecodable, copyStoredEntry, drainEntry, openEntryData, readSmallEntrySync, SMALL_READ_BYTES, type ZipSource } from './zip-entry-data';
import type { CheckedEntry } from './zip-policy';
import { openTarget, runPool, runSliced, writeAll, writeSmallFileSync, type PoolState } from './zip-write-pool';

/** Large entries streamed at once, beside the small ones. */
const LARGE_CONCURRENCY = 2;

export interface ExtractOptions {
  /** Folder prefix inside the zip that becomes the package root ('' or 'course/'). */
  stripPrefix: string;
  /** Entries for which this returns false are skipped (e.g. __MACOSX/). Receives the full entry name. */
  include: (name: string) => boolean;
  /** Called as uncompressed bytes are written. */
  onProgress?: (writtenBytes: number) => void;
}

export interface ExtractResult {
  files: number;
  bytes: number;
}

interface ExtractJob {
  entry: yauzl.Entry;
  name: string;
  target: string;
}

/**
 * Streams every included entry to `dest`. `entries` are the ones the policy accepted, so their
 * declared sizes are within the limits; each entry's actual bytes must equal its declared size
 * (zip-entry-data.ts), which is why the actual total needs no check of its own.
 *
 * Why this shape: memory stays bounded whatever the package size (no large entry is buffered whole;
 * at most LARGE_CONCURRENCY streams of IO_CHUNK_BYTES are in flight), stored media entries are
 * copied straight from the file's byte range, files are created exclusively (`O_EXCL`, mode 0644) so
 * nothing is ever overwritten or followed through a symlink, and every target is re-checked to stay
 * under `dest`. Files are not fsynced one by one (that would cost more than the extraction); the
 * caller publishes the folder with an atomic rename. On any error it rejects after in-flight writes
 * stop; the caller deletes `dest`.
 */
export async function extractEntries(zip: ZipSource, entries: Array<CheckedEntry<yauzl.Entry>>, dest: string, options: ExtractOptions): Promise<ExtractResult> {
  const root = path.resolve(dest);
  await fs.promises.mkdir(root, { recursive: true });
  const { dirs, jobs } = plan(entries, root, options);
  // Shortest first, so each mkdir finds its parent and recursion rarely has to walk up.
  for (const dir of [...dirs].sort((a, b) => a.length - b.length)) {
    if (dir !== root) {
      await fs.promises.mkdir(dir, { recursive: true });
    }
  }

  let written = 0;
  const count = (bytes: number): void => {
    written += bytes;
    options.onProgress?.(written);
  };
  const state: PoolState = { failed: false, error: undefined };
  const small = jobs.filter((j) => j.entry.compressedSize <= SMALL_READ_BYTES);
  const large = jobs.filter((j) => j.entry.compressedSize > SMALL_READ_BYTES);
  // Two lanes at once: many small files are bound by file-creation latency, a few large ones by
  // I/O and inflate; running them side by side keeps both the disk and the CPU busy.
  await Promise.all([
    runSliced(small, state, (job) => {
      const data = readSmallEntrySync(zip, job.entry, job.name);
      count(data.length);
      writeSmallFileSync(job.target, job.name, data);
    }),
    runPool(large, LARGE_CONCURRENCY, state, async (job) => {
      const out = await openTarget(job.target, job.name);
      try {
        const sink = async (chunk: Buffer): Promise<void> => {
          if (state.failed) {
            throw new Error('aborted');
          }
          count(chunk.length);
          await writeAll(out, chunk);
        };
        if (job.entry.compressionMethod === 0) {
          await copyStoredEntry(zip, job.entry, job.name, sink);
        } else {
          await drainEntry(await openEntryData(zip, job.entry), job.entry, job.name, sink);
        }
      } finally {
        await out.close();
      }
    }),
  ]);
  if (state.failed) {
    throw state.error;
  }
  return { files: jobs.length, bytes: written };
}

/** Where each included entry goes, and the folders to create first. */
function plan(entries: Array<CheckedEntry<yauzl.Entry>>, root: string, options: ExtractOptions): { dirs: Set<string>; jobs: ExtractJob[] } {
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
      checkDecodable(entry, info.name);
      dirs.add(path.dirname(target));
      jobs.push({ entry, name: info.name, target });
    }
  }
  return { dirs, jobs };
}
