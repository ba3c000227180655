import { ConsoleLogger, LogLevel as NestLogLevel } from '@nestjs/common';
import type { AppConfig, LogLevel } from '../config/app-config';
import { currentRequestId } from './request-id';
import { flushLines, queueLine } from './stdout-lines';

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
 * the request line's parts (`RequestFields`) on that line. Colours only on a terminal: a file, a
 * pipe or journald gets plain text.
 *
 * Request lines are held until the event loop's turn ends and written together (./stdout-lines.ts);
 * every other line first writes those held, so the order in which lines were logged is kept.
 */
export class AppLogger extends ConsoleLogger {
  /** The second (since the epoch) `stamp` shows: Nest's timestamp has no finer unit, and formatting it is a few µs per line. */
  private stampSecond = -1;
  private stamp = '';

  constructor(level: LogLevel, format: AppConfig['logFormat'] = 'text') {
    super({ logLevels: nestLogLevels(level) || [], json: format === 'json', colors: format === 'text' && onTerminal() });
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

  /**
   * The request line (RequestLogger), in the `Request` context: `line` as its message, with request
   * `requestId`'s id, and with LOG_FORMAT=json its parts as fields too. Formatted as Nest formats a
   * `log` line, but held until the loop's turn ends (`queueLine`).
   */
  logRequest(requestId: string, line: string, fields: RequestFields): void {
    if (!this.isLevelEnabled('log')) {
      return;
    }
    if (this.options.json) {
      // Nest's JSON line (its getJsonLogObject) with the request's parts, as one literal (a fixed shape); strings and
      // numbers only, so plain JSON.stringify writes what Nest's replacer would, for a fraction of its CPU
      const { method, path, status, durationMs, outcome } = fields;
      const logObject = {
        level: 'log',
        pid: process.pid,
        timestamp: Date.now(),
        message: line,
        context: 'Request',
        requestId,
        method,
        path,
        status,
        durationMs,
        outcome,
      };
      queueLine(`${JSON.stringify(logObject)}\n`);
    } else {
      const context = `${this.formatContext('Request')}[req ${requestId}] `;
      queueLine(super.formatMessage('log', line, this.formatPid(process.pid), LOG_LABEL, context, this.updateAndGetTimestampDiff()));
    }
  }

  protected override printMessages(...args: Parameters<ConsoleLogger['printMessages']>): void {
    flushLines();
    super.printMessages(...args);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const logObject = super.getJsonLogObject(message, options);
    const id = currentRequestId();
    return Object.assign(logObject, id && { requestId: id });
  }

  protected override printStackTrace(stack: string): void {
    const id = currentRequestId();
    super.printStackTrace(id && stack ? stack.replace(/^/gm, `[req ${id}] `) : stack);
  }
}

/** Nest's level label for `log` lines (its `printMessages`: upper case, padded to 7). */
const LOG_LABEL = 'LOG'.padStart(7, ' ');

/** Nest colours lines unless NO_COLOR is set; we also leave them plain where stdout is not a terminal. */
function onTerminal(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}
