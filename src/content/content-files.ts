import { HttpStatus, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { ChangeNotices, forgetChanged } from '../database/change-notices';
import { RequestLogger } from '../logging/request-logger';
import { REQUEST_ID_HEADER } from '../logging/request-id';
import { PackageStorage } from '../storage/package-storage';
import { ContentGrantService } from './content-grant.service';
import { contentTypeFor } from './content-types';

const VERSION_ID = /^[0-9a-f-]{36}$/;
/** Files up to this size are held in memory whole (when the cache has room); larger ones are streamed. */
const SMALL_FILE_MAX = 1024 * 1024;
/** Most files whose headers are remembered (the bodies are bounded by `CONTENT_CACHE_MB`). */
const ENTRIES_MAX = 20_000;

/** What is known about one file of a version; versions are immutable, so it is computed once. */
interface FileEntry {
  versionId: string;
  relative: string;
  size: number;
  etag: string;
  /** Whole seconds of the modification time, as `Last-Modified` shows it (for `If-Modified-Since`). */
  modifiedSeconds: number;
  /** The headers every answer for this file carries, as a flat `[name, value, …]` list. */
  headers: string[];
  /** The whole file, when it is small and the cache had room. */
  body?: Buffer;
}

export interface LocatedFile {
  entry: FileEntry;
  /** The grant's expiry (s since the epoch): browsers may keep the file until then. */
  expires: number;
}

/**
 * Course files on the content origin: `/content/<versionId>/<grant>/<path>` (docs/architecture.md).
 * The one implementation of the rules — grant, path decoding (no traversal, no listing), headers,
 * conditional requests, byte ranges — used by two entry points: `handle`, the content listener's
 * first stop, which answers a readable file without Express or Nest (src/server.ts), and the Nest
 * `ContentController`, which gets every request `handle` passes on, so every refusal is answered by
 * the one exception filter.
 *
 * Versions are immutable: a file's headers and ETag are computed once and remembered, small files
 * are held in memory (oldest dropped first past `CONTENT_CACHE_MB`), large ones are streamed in
 * 256 KB reads. The grant is checked in memory (ContentGrantService), never with a database read.
 * When a course is deleted (on any instance) its versions' entries are dropped (`course-versions`).
 */
@Injectable()
export class ContentFiles {
  private readonly entries = new Map<string, FileEntry>();
  private cachedBytes = 0;

  constructor(
    private readonly storage: PackageStorage,
    private readonly grants: ContentGrantService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly requests: RequestLogger,
    changes: ChangeNotices,
  ) {
    // A deleted course's files are no longer answered from memory, on any instance.
    changes.on('course-versions', (ids) => {
      for (const gone of forgetChanged(this.entries, (_, entry) => entry.versionId, ids)) {
        this.cachedBytes -= gone.body?.length ?? 0;
      }
    });
  }

  /**
   * The content listener's lean path: a GET or HEAD of a course file that may be read is answered
   * here; anything else (another route, a refused grant, a missing file) goes to `next` untouched.
   */
  readonly handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = req.url ?? '';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !url.startsWith('/content/')) {
      next();
      return;
    }
    let found: LocatedFile | Promise<LocatedFile>;
    try {
      found = this.locate(url);
    } catch {
      next();
      return;
    }
    const answer = (f: LocatedFile) => {
      try {
        this.send(req, res, f, this.requests.begin(req, res))?.catch(() => res.destroy());
      } catch {
        res.destroy();
      }
    };
    if (found instanceof Promise) {
      found.then(answer, next);
    } else {
      answer(found);
    }
  };

  /**
   * The file a content URL names, its grant checked; throws the AppError to answer otherwise.
   * Synchronous when the file is already known (the common case), a promise when it must be looked up.
   */
  locate(url: string): LocatedFile | Promise<LocatedFile> {
    const path = url.split(/[?#]/)[0] ?? '';
    const [versionId, grant, ...segments] = path.slice('/content/'.length).split('/');
    if (!versionId || !VERSION_ID.test(versionId) || !grant) {
      throw notFound();
    }
    const expires = this.grants.require(versionId, grant);
    const relative = decodeSegments(segments);
    if (!relative) {
      throw notFound();
    }
    const key = `${versionId}/${relative}`;
    const entry = this.entries.get(key);
    if (entry) {
      return { entry, expires };
    }
    return this.load(key, versionId, relative).then((loaded) => {
      if (!loaded) {
        throw notFound();
      }
      return { entry: loaded, expires };
    });
  }

  /**
   * Answers a located file: 304 to a matching condition, 206/416 to a range, else the whole file (no
   * body for HEAD). Synchronous unless the body is streamed from storage (a promise then): most
   * answers come from memory, and a promise per answer is measurable on the small-file path.
   */
  send(req: IncomingMessage, res: ServerResponse, { entry, expires }: LocatedFile, requestId?: string): Promise<void> | undefined {
    const maxAge = Math.max(0, expires - Math.floor(this.clock.now() / 1000));
    const headers = entry.headers.concat('Cache-Control', `private, max-age=${maxAge}, immutable`);
    if (requestId) {
      headers.push(REQUEST_ID_HEADER, requestId);
    }
    if (notModified(req, entry)) {
      res.writeHead(HttpStatus.NOT_MODIFIED, headers).end();
      return;
    }
    let range: { start: number; end: number } | undefined;
    const rangeHeader = req.headers.range;
    if (rangeHeader && (!req.headers['if-range'] || req.headers['if-range'] === entry.etag)) {
      const parsed = parseRange(rangeHeader, entry.size);
      if (parsed === 'unsatisfiable') {
        res.writeHead(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, headers.concat('Content-Range', `bytes */${entry.size}`)).end();
        return;
      }
      range = parsed ?? undefined;
    }
    if (range) {
      headers.push('Content-Range', `bytes ${range.start}-${range.end}/${entry.size}`, 'Content-Length', String(range.end - range.start + 1));
      res.writeHead(HttpStatus.PARTIAL_CONTENT, headers);
    } else {
      headers.push('Content-Length', String(entry.size));
      res.writeHead(HttpStatus.OK, headers);
    }
    if (req.method === 'HEAD' || entry.size === 0) {
      res.end();
      return;
    }
    if (entry.body) {
      res.end(range ? entry.body.subarray(range.start, range.end + 1) : entry.body);
      return;
    }
    return this.storage.copyTo(entry.versionId, entry.relative, range ?? { start: 0, end: entry.size - 1 }, res).catch(() => {
      res.destroy(); // the client went away mid-file (e.g. video seeking); nothing to report
    });
  }

  private async load(key: string, versionId: string, relative: string): Promise<FileEntry | null> {
    const stat = await this.storage.stat(versionId, relative);
    if (!stat) {
      return null;
    }
    const etag = `"${versionId.slice(0, 8)}-${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
    const entry: FileEntry = {
      versionId,
      relative,
      size: stat.size,
      etag,
      modifiedSeconds: Math.floor(stat.mtimeMs / 1000),
      headers: fileHeaders(relative, etag, stat.mtimeMs),
    };
    const budget = this.config.contentCacheBytes;
    if (stat.size > 0 && stat.size <= SMALL_FILE_MAX && stat.size <= budget) {
      const body = await this.storage.readFile(versionId, relative);
      if (body.length === stat.size) {
        entry.body = body;
      }
    }
    const already = this.entries.get(key);
    if (already) {
      return already; // another request loaded it meanwhile
    }
    this.entries.set(key, entry);
    this.cachedBytes += entry.body?.length ?? 0;
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= ENTRIES_MAX && this.cachedBytes <= budget) {
        break;
      }
      this.entries.delete(oldKey);
      this.cachedBytes -= old.body?.length ?? 0;
    }
    return entry;
  }
}

/** The headers of every answer for a course file (the grant-bounded Cache-Control is added per answer). */
function fileHeaders(relative: string, etag: string, mtimeMs: number): string[] {
  return [
    'ETag',
    etag,
    'Last-Modified',
    new Date(mtimeMs).toUTCString(),
    'Accept-Ranges',
    'bytes',
    'Content-Type',
    contentTypeFor(relative),
    'X-Content-Type-Options',
    'nosniff',
    'Referrer-Policy',
    'same-origin',
  ];
}

function notFound(): AppError {
  return new AppError('not_found', 'There is no course file at this address.', HttpStatus.NOT_FOUND);
}

/** Decodes each segment; refuses '.', '..', empty segments and encoded separators or NUL. */
function decodeSegments(segments: string[]): string | null {
  if (segments.length === 0) {
    return null;
  }
  const out: string[] = [];
  for (const seg of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return null;
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || /[\\/\0]/.test(decoded)) {
      return null;
    }
    out.push(decoded);
  }
  return out.join('/');
}

/** RFC 9110 §13.1: If-None-Match decides when present; otherwise If-Modified-Since against Last-Modified. */
function notModified(req: IncomingMessage, entry: FileEntry): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch) {
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === entry.etag);
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && entry.modifiedSeconds <= Math.floor(since / 1000);
  }
  return false;
}

/** A single byte range (RFC 9110 §14.1.2); multiple ranges are answered with the whole file. */
export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) {
    return null;
  }
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) {
      return 'unsatisfiable';
    }
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) {
      return null;
    }
  }
  if (start >= size || size === 0) {
    return 'unsatisfiable';
  }
  return { start, end };
}
