import { ConsoleLogger, LogLevel as NestLogLevel } from '@nestjs/common';
import type { AppConfig, LogLevel } from '../config/app-config';
import { currentRequestId } from './request-id';

/** Nest's levels enabled by our `LOG_LEVEL` (each level includes the more severe ones); false for silent. */
export function nestLogLevels(level: LogLevel): NestLogLevel[] | false {
  const order: NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  if (level === 'silent') {
    return false;
  }
  return order.slice(0, order.indexOf(level) + 1);
}

/** A request line's parts (`AppLogger.logRequest`): the path as `pathForLog` shows it, and whether the answer went out whole. */
export interface RequestFields {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** `sent`; `file-sender` (written by the file sender's helper); `closed` (the connection closed before the answer was sent). */
  outcome: 'sent' | 'file-sender' | 'closed';
}

/**
 * Nest's console logger with the request id in every line written while a request is being served
 * (`[Context] [req <id>] message`), and on each line of an error's stack trace, so the lines of one
 * request can be found together in a busy log. Every `new Logger(...)` in the app writes through it.
 * With `LOG_FORMAT=json` each line is instead one JSON object, Nest's (`level`, `pid`, `timestamp` in
 * ms since the epoch, `context`, `message`, `stack`) with `requestId` while a request is served, and
 * the request line's parts (`RequestFields`) on that line.
 */
export class AppLogger extends ConsoleLogger {
  /** The request line's parts while it is written (`logRequest`); only a JSON object shows them. */
  private requestFields: RequestFields | undefined;
  /** The second (since the epoch) `stamp` shows: Nest's timestamp has no finer unit, and formatting it is a few µs per line. */
  private stampSecond = -1;
  private stamp = '';

  constructor(level: LogLevel, format: AppConfig['logFormat'] = 'text') {
    super({ logLevels: nestLogLevels(level) || [], json: format === 'json' });
  }

  /** The logger of a process of the app (server, worker, CLI), as configured; Nest's start-up lines go through it too. */
  static for(config: AppConfig, level: LogLevel = config.logLevel): AppLogger {
    return new AppLogger(level, config.logFormat);
  }

  /** Nest's timestamp, formatted once per second (at LOG_LEVEL=log every course file is a line). */
  protected override getTimestamp(): string {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.stampSecond) {
      this.stampSecond = second;
      this.stamp = super.getTimestamp();
    }
    return this.stamp;
  }

  protected override formatMessage(
    logLevel: NestLogLevel,
    message: unknown,
    pidMessage: string,
    formattedLogLevel: string,
    contextMessage: string,
    timestampDiff: string,
  ): string {
    const id = currentRequestId();
    return super.formatMessage(logLevel, message, pidMessage, formattedLogLevel, id ? `${contextMessage}[req ${id}] ` : contextMessage, timestampDiff);
  }

  /** The request line (RequestLogger): `line` as its message, and with LOG_FORMAT=json its parts as fields too. */
  logRequest(line: string, fields: RequestFields): void {
    this.requestFields = fields;
    try {
      this.log(line, 'Request');
    } finally {
      this.requestFields = undefined;
    }
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const logObject = super.getJsonLogObject(message, options);
    const id = currentRequestId();
    return Object.assign(logObject, id && { requestId: id }, this.requestFields);
  }

  protected override printStackTrace(stack: string): void {
    const id = currentRequestId();
    super.printStackTrace(id && stack ? stack.replace(/^/gm, `[req ${id}] `) : stack);
  }
}
