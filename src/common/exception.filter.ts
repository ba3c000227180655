import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpErrorCode } from './error-codes';
import { AppError } from './errors';
import { renderErrorPage } from './error-page';
import { sendHtml } from './html';
import { pathForLog } from './log-path';
import { bodyAborted, bodyTooLarge, tooManyParameters } from './request-body';

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

/** A request as the filter reads it: Express's (`originalUrl`) or a bare one (a lean path's, before Express). */
type AnyRequest = IncomingMessage & { originalUrl?: string };

const logger = new Logger('HTTP');

/**
 * The one place errors become responses: `{ error, message }` JSON for API clients, a readable page for
 * browsers on LTI and player routes (a refused LTI launch too, with the code the certification logs
 * look for in the warning line). Never a stack trace, token or key (docs/rest-api.md). Nest's filter
 * for every route, and called directly by the lean paths in front of Nest (the runtime commit's).
 */
export function answerError(exception: unknown, req: AnyRequest, res: ServerResponse): void {
  const { status, body } = toEnvelope(exception);
  const url = req.originalUrl ?? req.url ?? '';
  const where = `${req.method} ${pathForLog(url)}`;
  if (status >= 500) {
    logger.error(`${where} → ${status} ${body.error}`, exception instanceof Error ? exception.stack : String(exception));
  } else {
    logger.warn(`${where} → ${status} ${body.error}: ${body.message}`);
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = status;
  // an error answer is about this request only: never kept by a browser or a proxy
  res.setHeader('Cache-Control', 'no-store');
  if (wantsHtml(url, req.headers.accept)) {
    sendHtml(res, renderErrorPage(status, body.error, body.message, exception instanceof AppError ? exception.pageHtml : undefined));
    return;
  }
  const json = JSON.stringify(body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    answerError(exception, ctx.getRequest<AnyRequest>(), ctx.getResponse<ServerResponse>());
  }
}

function toEnvelope(exception: unknown): { status: number; body: Envelope } {
  exception = fromBodyParser(exception);
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

/**
 * The body parsers' refusals (http-errors with `expose` and a 4xx status: a body over its limit, an
 * unsupported charset or encoding, a client gone mid-body) as the errors they are, not a 500.
 */
function fromBodyParser(exception: unknown): unknown {
  if (!(exception instanceof Error) || exception instanceof HttpException || exception instanceof AppError) {
    return exception;
  }
  const e = exception as Error & { expose?: boolean; status?: number; type?: string; limit?: number };
  if (e.expose !== true || typeof e.status !== 'number' || e.status < 400 || e.status >= 500) {
    return exception;
  }
  if (e.type === 'entity.too.large' && typeof e.limit === 'number') {
    return bodyTooLarge(e.limit);
  }
  if (e.type === 'parameters.too.many') {
    return tooManyParameters();
  }
  if (e.type === 'request.aborted') {
    return bodyAborted();
  }
  return new HttpException(e.message.charAt(0).toUpperCase() + e.message.slice(1), e.status);
}

function ensureSentence(message: string): string {
  const m = message.trim() || 'The request could not be handled.';
  return /[.!?]$/.test(m) ? m : `${m}.`;
}

/** LTI and player routes are opened by browsers inside an LMS iframe: they get a page, not JSON. */
function wantsHtml(url: string, accept: string | undefined): boolean {
  if (url.startsWith('/api/') || url.startsWith('/runtime/')) {
    return false;
  }
  return /^\/(lti|player|dispatch)(\/|$|\?)/.test(url) && !/application\/json/.test(accept ?? '');
}
