import { Controller, Get, Head, HttpStatus, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import { PackageStorage } from '../storage/package-storage';
import { ContentGrantService } from './content-grant.service';
import { contentTypeFor } from './content-types';

const VERSION_ID = /^[0-9a-f-]{36}$/;

/**
 * Course files on the content origin: `/content/<versionId>/<grant>/<path>`. Immutable versions, so a
 * strong ETag and long caching (bounded by the grant); byte ranges for video seeking; no listing, no
 * traversal (docs/architecture.md).
 */
@Controller('content')
export class ContentController {
  constructor(
    private readonly storage: PackageStorage,
    private readonly grants: ContentGrantService,
    private readonly clock: Clock,
  ) {}

  @Get('*path')
  get(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.serve(req, res);
  }

  @Head('*path')
  head(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.serve(req, res);
  }

  private async serve(req: Request, res: Response): Promise<void> {
    const rawPath = (req.originalUrl.split(/[?#]/)[0] ?? '').slice('/content/'.length);
    const [versionId, grant, ...segments] = rawPath.split('/');
    if (!versionId || !VERSION_ID.test(versionId) || !grant) {
      throw new AppError('not_found', 'There is no course file at this address.', HttpStatus.NOT_FOUND);
    }
    const check = await this.grants.check(versionId, grant);
    if (check.result !== 'ok') {
      throw new AppError(
        check.result === 'expired' ? 'content_grant_expired' : 'content_grant_invalid',
        check.result === 'expired' ? 'This link to the course has expired; relaunch the course from your LMS.' : 'This link to the course is not valid.',
        HttpStatus.FORBIDDEN,
      );
    }
    const relative = decodeSegments(segments);
    const stat = relative ? await this.storage.stat(versionId, relative) : null;
    if (!relative || !stat) {
      throw new AppError('not_found', 'There is no course file at this address.', HttpStatus.NOT_FOUND);
    }

    const etag = `"${versionId.slice(0, 8)}-${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
    const maxAge = Math.max(0, check.expires - Math.floor(this.clock.now() / 1000));
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', `private, max-age=${maxAge}, immutable`);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', contentTypeFor(relative));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Last-Modified', new Date(stat.mtimeMs).toUTCString());

    if (ifNoneMatch(req.headers['if-none-match'], etag)) {
      res.status(HttpStatus.NOT_MODIFIED).end();
      return;
    }
    let range: { start: number; end: number } | undefined;
    const rangeHeader = req.headers.range;
    if (rangeHeader && (!req.headers['if-range'] || req.headers['if-range'] === etag)) {
      const parsed = parseRange(rangeHeader, stat.size);
      if (parsed === 'unsatisfiable') {
        res.setHeader('Content-Range', `bytes */${stat.size}`);
        res.status(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE).end();
        return;
      }
      range = parsed ?? undefined;
    }
    if (range) {
      res.status(HttpStatus.PARTIAL_CONTENT);
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`);
      res.setHeader('Content-Length', String(range.end - range.start + 1));
    } else {
      res.status(HttpStatus.OK);
      res.setHeader('Content-Length', String(stat.size));
    }
    if (req.method === 'HEAD' || stat.size === 0) {
      res.end();
      return;
    }
    try {
      await pipeline(this.storage.read(versionId, relative, range), res);
    } catch {
      res.destroy(); // the client went away mid-file (e.g. video seeking); nothing to report
    }
  }
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

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) {
    return false;
  }
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
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
