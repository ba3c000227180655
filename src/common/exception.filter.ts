import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { HttpErrorCode } from './error-codes';
import { AppError } from './errors';
import { renderErrorPage } from './error-page';
import { sendHtml } from './html';
import { pathForLog } from './log-path';

interface Envelope {
  /** An `ErrorCode`, or the snake_case code a framework exception named itself. */
  error: string;
  message: string;
  [key: string]: unknown;
}

const STATUS_CODES: Record<number, HttpErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
};

/**
 * The one place errors become responses: `{ error, message }` JSON for API clients, a readable page for
 * browsers on LTI and player routes (a refused LTI launch too, with the code the certification logs
 * look for in the warning line). Never a stack trace, token or key (docs/rest-api.md).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const { status, body } = this.toEnvelope(exception);

    const where = `${req.method} ${pathForLog(req.originalUrl)}`;
    if (status >= 500) {
      this.logger.error(`${where} → ${status} ${body.error}`, exception instanceof Error ? exception.stack : String(exception));
    } else {
      this.logger.warn(`${where} → ${status} ${body.error}: ${body.message}`);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    // an error answer is about this request only: never kept by a browser or a proxy
    res.setHeader('Cache-Control', 'no-store');
    if (wantsHtml(req)) {
      res.status(status);
      sendHtml(res, renderErrorPage(status, body.error, body.message, exception instanceof AppError ? exception.pageHtml : undefined));
      return;
    }
    res.status(status).json(body);
  }

  private toEnvelope(exception: unknown): { status: number; body: Envelope } {
    if (exception instanceof AppError) {
      return { status: exception.status, body: { error: exception.code, message: exception.message, ...(exception.details ?? {}) } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      let message = exception.message;
      let code: string = STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
      if (typeof response === 'object' && response !== null) {
        const r = response as Record<string, unknown>;
        if (typeof r.error === 'string' && /^[a-z0-9_]+$/.test(r.error)) {
          code = r.error;
        }
        if (Array.isArray(r.message)) {
          message = r.message.join('; ');
        } else if (typeof r.message === 'string') {
          message = r.message;
        }
      }
      if (status === HttpStatus.NOT_FOUND && message.startsWith('Cannot ')) {
        message = 'There is nothing at this address.';
      }
      return { status, body: { error: code, message: ensureSentence(message) } };
    }
    return { status: 500, body: { error: 'internal_error', message: 'Something went wrong on the server; it has been logged.' } };
  }
}

function ensureSentence(message: string): string {
  const m = message.trim() || 'The request could not be handled.';
  return /[.!?]$/.test(m) ? m : `${m}.`;
}

/** LTI and player routes are opened by browsers inside an LMS iframe: they get a page, not JSON. */
function wantsHtml(req: Request): boolean {
  const url = req.originalUrl ?? '';
  if (url.startsWith('/api/') || url.startsWith('/runtime/')) {
    return false;
  }
  return /^\/(lti|player|dispatch)(\/|$|\?)/.test(url) && !/application\/json/.test(req.headers.accept ?? '');
}
