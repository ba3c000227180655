import { HttpStatus } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AppError } from './errors';

const MB = 1024 * 1024;

/**
 * The largest request body each content type may have, in bytes: the app's body parsers use them
 * (src/server.ts), and so does the runtime commit's lean path (src/attempts/runtime-commits.ts).
 */
export const BODY_LIMITS = {
  json: 10 * MB,
  text: 10 * MB,
  urlencoded: 2 * MB,
} as const;

export type BodyType = keyof typeof BODY_LIMITS;

/** The most parameters a form body may have (the urlencoded body parser's `parameterLimit`, and the lean path's). */
export const FORM_PARAMETERS_MAX = 1000;

/** The answer to a body over its limit (`413 payload_too_large`), from the body parsers and the lean path alike. */
export function bodyTooLarge(limit: number): AppError {
  return new AppError('payload_too_large', `The request body is larger than the ${+(limit / MB).toFixed(1)} MB this address accepts.`, HttpStatus.PAYLOAD_TOO_LARGE);
}

/** The answer to a form body with more than {@link FORM_PARAMETERS_MAX} parameters (`413 payload_too_large`), from the body parser and the lean path alike. */
export function tooManyParameters(): AppError {
  return new AppError('payload_too_large', `The form body has more than the ${FORM_PARAMETERS_MAX} parameters this address accepts.`, HttpStatus.PAYLOAD_TOO_LARGE);
}

/**
 * A form body's parameters, refusing more than {@link FORM_PARAMETERS_MAX} with {@link tooManyParameters}
 * before any is decoded (the body parser's rule; a 2 MB form could otherwise hold a million).
 */
export function parseForm(text: string): Record<string, string> {
  let separators = 0;
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    if (++separators >= FORM_PARAMETERS_MAX) {
      throw tooManyParameters();
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** The answer to a request whose client went away before its body ended (`400 bad_request`; nobody reads it, the log does). */
export function bodyAborted(): AppError {
  return new AppError('bad_request', 'The request ended before its body was complete.');
}

/**
 * The body type a request's `Content-Type` names when it is one a lean path reads itself: JSON,
 * text or a form, in UTF-8 (no charset, or `charset=utf-8`), not compressed. Anything else
 * (`application/*+json`, another charset, a `Content-Encoding`) is left to the body parsers.
 */
export function plainBodyType(req: IncomingMessage): BodyType | undefined {
  const header = req.headers['content-type'];
  const encoding = req.headers['content-encoding'];
  if (header === undefined || (encoding !== undefined && encoding.toLowerCase() !== 'identity')) {
    return undefined;
  }
  const [type, ...params] = header.split(';');
  for (const param of params) {
    const [name, value] = param.split('=');
    if (name.trim().toLowerCase() === 'charset' && !/^"?utf-8"?$/i.test(value?.trim() ?? '')) {
      return undefined;
    }
  }
  return TYPES[type.trim().toLowerCase()];
}

const TYPES: Record<string, BodyType | undefined> = {
  'application/json': 'json',
  'text/plain': 'text',
  'application/x-www-form-urlencoded': 'urlencoded',
};

/**
 * Reads a whole request body as UTF-8 text (a leading byte order mark dropped), refusing one over
 * `limit` bytes with {@link bodyTooLarge}: at once when `Content-Length` says so, else as soon as the
 * bytes pass it. A refused body is still read to its end, unkept, so the answer reaches a client that
 * is still sending (as the body parsers do). Rejects with {@link bodyAborted} when the client goes
 * away before the end.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
      }
      if (!tooLarge) {
        chunks.push(chunk);
      } else {
        chunks.length = 0;
      }
    };
    const onEnd = () => {
      cleanup();
      if (tooLarge) {
        reject(bodyTooLarge(limit));
        return;
      }
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8');
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onClose = () => {
      cleanup();
      reject(bodyAborted());
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}
