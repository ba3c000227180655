import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathForLog } from '../common/log-path';
import { AppLogger, RequestFields } from './app-logger';
import { REQUEST_ID_HEADER, requestIdFrom, runWithRequestId } from './request-id';

/**
 * The first middleware of every request: gives it an id (the caller's `X-Request-Id` when sane),
 * answers the id in the same header, runs the rest of the request inside it so every log line
 * carries it, and writes one line per request when it ends (method, path as `pathForLog` shows it,
 * status, time), like the exception filter's lines. At a level above `log` (the benchmarks run at
 * `error`) that line is not even prepared. The lean course-file path (src/content/content-files.ts)
 * calls `begin` itself and sends the id with its own headers.
 */
@Injectable()
export class RequestLogger {
  constructor(private readonly logger: AppLogger) {}

  readonly handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const id = this.begin(req, res);
    res.setHeader(REQUEST_ID_HEADER, id);
    runWithRequestId(id, next);
  };

  /** The request's id; at `log` level, also arranges its one line when it ends. The caller answers the id. */
  begin(req: IncomingMessage, res: ServerResponse): string {
    const id = requestIdFrom(req.headers['x-request-id']);
    if (this.logger.isLevelEnabled('log')) {
      const started = performance.now();
      // the first middleware sees the URL as it came in (Express's originalUrl)
      const url = req.url;
      res.once('close', () => {
        const outcome = res.writableFinished ? 'sent' : handedOver.has(res) ? 'file-sender' : 'closed';
        const fields = { method: req.method ?? '', path: pathForLog(url), status: res.statusCode, durationMs: Math.round((performance.now() - started) * 10) / 10, outcome } as const;
        const status = `${fields.status}${OUTCOME_TEXT[outcome]}`;
        this.logger.logRequest(id, `${fields.method} ${fields.path} ${status} ${fields.durationMs.toFixed(1)} ms`, fields);
      });
    }
    return id;
  }

  /** The answer is written by another process (src/content/file-sender.ts): its line says so rather than "connection closed". */
  answeredElsewhere(res: ServerResponse): void {
    handedOver.add(res);
  }
}

const handedOver = new WeakSet<ServerResponse>();

/** How a request line's text says the answer went (nothing for one sent whole). */
const OUTCOME_TEXT: Record<RequestFields['outcome'], string> = {
  sent: '',
  'file-sender': ' (sent by the file sender)',
  closed: ' (connection closed before the answer was sent)',
};
