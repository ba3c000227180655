import { HttpStatus, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setBounded } from '../common/bounded-map';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { ChangeNotices, forgetChanged } from '../database/change-notices';
import { RequestLogger } from '../logging/request-logger';
import { currentRequestId, REQUEST_ID_HEADER } from '../logging/request-id';
import { PackageStorage } from '../storage/package-storage';
import { ContentGrantService, grantOpen } from './content-grant.service';
import { contentTypeFor } from './content-types';
import { FileSender } from './file-sender';

const VERSION_ID = /^[0-9a-f-]{36}$/;
/** Files up to this size are held in memory whole (when the cache has room); larger ones are streamed. */
const SMALL_FILE_MAX = 1024 * 1024;
/** Most files whose headers are remembered (the bodies are bounded by `CONTENT_CACHE_MB`). */
const ENTRIES_MAX = 20_000;
/**
 * Most URLs the lean path remembers (a URL is per grant and file; a few hundred bytes each, so a few
 * MB at most); past it the oldest remembered is forgotten.
 */
const KNOWN_URLS_MAX = 20_000;

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
  /** Set when the entry is forgotten (course deleted, or pushed out of the cache): URLs that knew it look it up again. */
  dropped?: boolean;
}

export interface LocatedFile {
  entry: FileEntry;
  /** The grant's expiry (s since the epoch): browsers may keep the file until then. */
  expires: number;
}

/** A content URL the lean path answered: what it located, and its whole-file headers for one second. */
interface KnownUrl extends LocatedFile {
  /** The second (since the epoch) `whole` was made for: Cache-Control's max-age counts down to the grant's expiry. */
  second: number;
  /** The headers of a whole-file answer in that second; the last value is the request id's slot. */
  whole: string[];
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
 * 256 KB reads (at most `CONTENT_STREAMS` at once per process when set, src/storage/file-streams.ts). The grant is checked in memory (ContentGrantService), never with a database read.
 * When a course is deleted (on any instance) its versions' entries are dropped (`course-versions`),
 * and a file being read when the notice comes is not kept.
 */
@Injectable()
export class ContentFiles {
  private readonly entries = new Map<string, FileEntry>();
  /** Request URL → what it located (the lean path's memory; see `handle`). */
  private readonly known = new Map<string, KnownUrl>();
  private cachedBytes = 0;

  constructor(
    private readonly storage: PackageStorage,
    private readonly grants: ContentGrantService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly requests: RequestLogger,
    private readonly changes: ChangeNotices,
    private readonly sender: FileSender,
  ) {
    // A deleted course's files are no longer answered from memory, on any instance.
    changes.on('course-versions', (ids) => {
      for (const gone of forgetChanged(this.entries, (_, entry) => entry.versionId, ids)) {
        this.cachedBytes -= gone.body?.length ?? 0;
        gone.dropped = true;
      }
    });
  }

  /**
   * The content listener's lean path: a GET or HEAD of a course file that may be read is answered
   * here; anything else (another route, a refused grant, a missing file) goes to `next` untouched.
   * A URL answered before is found with one map lookup (`known`): its grant was checked then, so only
   * its expiry is checked again; a whole-file answer reuses its header list for the current second.
   */
  readonly handle = (req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void): void => {
    const url = req.url ?? '';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !url.startsWith('/content/')) {
      next(req, res);
      return;
    }
    const known = this.known.get(url);
    if (known !== undefined && !known.entry.dropped && grantOpen(known.expires, this.clock.now())) {
      this.answer(req, res, known);
      return;
    }
    let found: LocatedFile | Promise<LocatedFile>;
    try {
      found = this.locate(url);
    } catch {
      next(req, res);
      return;
    }
    if (found instanceof Promise) {
      found.then(
        (f) => this.answer(req, res, this.remember(url, f)),
        () => next(req, res),
      );
    } else {
      this.answer(req, res, this.remember(url, found));
    }
  };

  /** The lean path's answer: a whole file with the remembered headers, or `send`'s general rules. */
  private answer(req: IncomingMessage, res: ServerResponse, located: KnownUrl): void {
    try {
      const requestId = this.requests.begin(req, res);
      const h = req.headers;
      if (h.range !== undefined || h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined) {
        this.send(req, res, located, requestId)?.catch(() => res.destroy());
        return;
      }
      const now = Math.floor(this.clock.now() / 1000);
      if (located.second !== now) {
        located.second = now;
        located.whole = wholeFileHeaders(located, now, requestId);
      }
      const headers = located.whole;
      // The request id is the list's last value; writeHead reads the list before it returns.
      headers[headers.length - 1] = requestId;
      this.body(req, res, located.entry, requestId, HttpStatus.OK, headers)?.catch(() => res.destroy());
    } catch {
      res.destroy();
    }
  }

  private remember(url: string, found: LocatedFile): KnownUrl {
    const known: KnownUrl = { ...found, second: -1, whole: [] };
    setBounded(this.known, url, known, KNOWN_URLS_MAX);
    return known;
  }

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
  send(req: IncomingMessage, res: ServerResponse, located: LocatedFile, requestId?: string): Promise<void> | undefined {
    const { entry } = located;
    const now = Math.floor(this.clock.now() / 1000);
    if (notModified(req, entry)) {
      res.writeHead(HttpStatus.NOT_MODIFIED, answerHeaders(located, now, requestId)).end();
      return;
    }
    let range: { start: number; end: number } | undefined;
    const rangeHeader = req.headers.range;
    if (rangeHeader && (!req.headers['if-range'] || req.headers['if-range'] === entry.etag)) {
      const parsed = parseRange(rangeHeader, entry.size);
      if (parsed === 'unsatisfiable') {
        res
          .writeHead(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, answerHeaders(located, now, requestId).concat('Content-Range', `bytes */${entry.size}`))
          .end();
        return;
      }
      range = parsed ?? undefined;
    }
    if (!range) {
      return this.body(req, res, entry, requestId, HttpStatus.OK, wholeFileHeaders(located, now, requestId));
    }
    const headers = answerHeaders(located, now, requestId);
    headers.push('Content-Range', `bytes ${range.start}-${range.end}/${entry.size}`, 'Content-Length', String(range.end - range.start + 1));
    return this.body(req, res, entry, requestId, HttpStatus.PARTIAL_CONTENT, headers, range);
  }

  /**
   * Answers with `status` and `headers` and the body (none for HEAD): from memory when held, else by
   * the file sender's helper process (file-sender.ts), else streamed from storage (a promise then).
   */
  private body(
    req: IncomingMessage,
    res: ServerResponse,
    entry: FileEntry,
    requestId: string | undefined,
    status: number,
    headers: string[],
    range?: { start: number; end: number },
  ): Promise<void> | undefined {
    if (req.method === 'HEAD' || entry.size === 0) {
      res.writeHead(status, headers).end();
      return;
    }
    if (entry.body) {
      res.writeHead(status, headers).end(range ? entry.body.subarray(range.start, range.end + 1) : entry.body);
      return;
    }
    const bytes = range ?? { start: 0, end: entry.size - 1 };
    // The headers copied: the whole-file list is reused by the next request for the file, which may
    // come while this one waits for the file sender.
    const own = headers.slice();
    const answer = { status, headers: own, range: bytes, requestId: requestId ?? currentRequestId() ?? '', name: `${entry.versionId}/${entry.relative}` };
    const stream = (head: string[]) => {
      res.writeHead(status, head);
      return this.storage.copyTo(entry.versionId, entry.relative, bytes, res).catch((err: Error) => {
        // a client gone mid-file (e.g. video seeking) is nothing to report; the storage failing is
        if (!res.destroyed) {
          this.sender.unsent(answer.requestId, answer.name, err.message);
        }
        res.destroy();
      });
    };
    // A hand-over that fails leaves a connection no longer read here: closed after this answer.
    const source = () => this.storage.senderSource(entry.versionId, entry.relative);
    return this.sender.handOff(res, answer, source, () => void stream(own.concat('Connection', 'close'))).then((sent) => {
      if (sent) {
        this.requests.answeredElsewhere(res);
      } else {
        return stream(own);
      }
    });
  }

  private async load(key: string, versionId: string, relative: string): Promise<FileEntry | null> {
    const generation = this.changes.generation('course-versions');
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
    if (generation !== this.changes.generation('course-versions')) {
      entry.dropped = true; // a course was deleted meanwhile, maybe this one: answered once, not remembered
      return entry;
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
      old.dropped = true;
    }
    return entry;
  }
}

/**
 * The headers of an answer at second `now`: the file's own, browsers and shared caches (a CDN) may
 * keep it until the grant expires — the file is the same for everyone who holds the grant, and its
 * address carries the grant —, and the request id when the caller answers it here (the Nest path
 * has set it already).
 */
function answerHeaders({ entry, expires }: LocatedFile, now: number, requestId?: string): string[] {
  const headers = entry.headers.concat('Cache-Control', `public, max-age=${Math.max(0, expires - now)}, immutable`);
  if (requestId) {
    headers.push(REQUEST_ID_HEADER, requestId);
  }
  return headers;
}

/** The headers of a whole-file answer: `answerHeaders` with the length, the request id (if any) last. */
function wholeFileHeaders(located: LocatedFile, now: number, requestId?: string): string[] {
  const headers = answerHeaders(located, now);
  headers.push('Content-Length', String(located.entry.size));
  if (requestId) {
    headers.push(REQUEST_ID_HEADER, requestId);
  }
  return headers;
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
