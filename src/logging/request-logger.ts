import { Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { REQUEST_ID_HEADER, requestIdFrom, runWithRequestId } from './request-id';

/**
 * The first middleware of every request: gives it an id (the caller's `X-Request-Id` when sane),
 * answers the id in the same header, runs the rest of the request inside it so every log line
 * carries it, and writes one line per request when it ends (method, path without the query string,
 * status, time), like the exception filter's lines.
 */
@Injectable()
export class RequestLogger {
  private readonly logger = new Logger('Request');

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    const id = requestIdFrom(req.headers['x-request-id']);
    const started = performance.now();
    res.setHeader(REQUEST_ID_HEADER, id);
    res.once('close', () => {
      const outcome = res.writableFinished ? String(res.statusCode) : `${res.statusCode} (connection closed before the answer was sent)`;
      runWithRequestId(id, () => this.logger.log(`${req.method} ${req.originalUrl.split('?')[0]} ${outcome} ${(performance.now() - started).toFixed(1)} ms`));
    });
    runWithRequestId(id, next);
  };
}
