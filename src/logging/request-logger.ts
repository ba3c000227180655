import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { pathForLog } from '../common/log-path';
import { AppLogger } from './app-logger';
import { REQUEST_ID_HEADER, requestIdFrom, runWithRequestId } from './request-id';

/**
 * The first middleware of every request: gives it an id (the caller's `X-Request-Id` when sane),
 * answers the id in the same header, runs the rest of the request inside it so every log line
 * carries it, and writes one line per request when it ends (method, path as `pathForLog` shows it,
 * status, time), like the exception filter's lines. At a level above `log` (the benchmarks run at
 * `error`) that line is not even prepared.
 */
@Injectable()
export class RequestLogger {
  constructor(private readonly logger: AppLogger) {}

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    const id = requestIdFrom(req.headers['x-request-id']);
    res.setHeader(REQUEST_ID_HEADER, id);
    if (!this.logger.isLevelEnabled('log')) {
      runWithRequestId(id, next);
      return;
    }
    const started = performance.now();
    res.once('close', () => {
      const outcome = res.writableFinished ? String(res.statusCode) : `${res.statusCode} (connection closed before the answer was sent)`;
      runWithRequestId(id, () =>
        this.logger.log(`${req.method} ${pathForLog(req.originalUrl)} ${outcome} ${(performance.now() - started).toFixed(1)} ms`, 'Request'),
      );
    });
    runWithRequestId(id, next);
  };
}
