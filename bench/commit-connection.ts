/**
 * The runtime bench driver's HTTP client: one keep-alive HTTP/1.1 connection on a `net` socket per
 * learner (a browser tab's), sending POSTs one at a time in the order they were asked for, as
 * node:http's agent with one socket did. It writes each request as pre-built header bytes and the body
 * (a body given as parts is written without joining them: the 64 KB suspend data stays one Buffer),
 * and of each answer reads only what the bench checks: the status line and the body (Content-Length or chunked).
 * The driver shares the machine's cores with the servers it measures (bench/runtime-instances.ts), and
 * node:http (request and response objects, header parsing and validation, stream events) was most of
 * its CPU per commit.
 *
 * An answer with neither Content-Length nor a chunked body fails its request.
 * A connection the server closed is opened again for the next request; a request in flight on it fails.
 */
import * as net from 'node:net';

/** What a request resolves with. */
export interface Answer {
  status: number;
  body: string;
}

/** A request body: a string, or parts written one after another (strings or Buffers). */
export type Body = string | Array<string | Buffer>;

interface Pending {
  head: Buffer;
  body: Array<string | Buffer>;
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export class CommitConnection {
  private socket: net.Socket | null = null;
  private readonly queue: Pending[] = [];
  /** The request on the wire (the head of the queue once written). */
  private sent = false;
  private buffered: Buffer = Buffer.alloc(0);
  /** Connections this client opened (the driver counts those opened in the timed phase). */
  opened = 0;

  /** `headers`: extra header lines, e.g. `Authorization: Bearer …` (no CR/LF inside). */
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly headers: string[],
  ) {}

  post(path: string, body: Body): Promise<Answer> {
    const parts = typeof body === 'string' ? [body] : body;
    const length = parts.reduce((n, p) => n + (typeof p === 'string' ? Buffer.byteLength(p) : p.length), 0);
    const head = Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n${this.headers.map((h) => `${h}\r\n`).join('')}Content-Length: ${length}\r\n\r\n`,
      'latin1',
    );
    return new Promise<Answer>((resolve, reject) => {
      this.queue.push({ head, body: parts, resolve, reject });
      this.next();
    });
  }

  destroy(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private next(): void {
    if (this.sent || !this.queue.length) {
      return;
    }
    const socket = this.socket ?? this.connect();
    const { head, body } = this.queue[0];
    this.sent = true;
    socket.cork();
    socket.write(head);
    for (const part of body) {
      socket.write(part);
    }
    socket.uncork();
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.opened++;
    this.socket = socket;
    this.buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const lost = (err?: Error) => {
      if (this.socket !== socket) {
        return;
      }
      this.socket = null;
      if (this.sent) {
        this.sent = false;
        this.queue.shift()!.reject(err ?? new Error('the server closed the connection before answering'));
      }
      this.next();
    };
    socket.on('error', lost);
    socket.on('close', () => lost());
    return socket;
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    for (;;) {
      const end = this.buffered.indexOf(HEAD_END);
      if (end < 0) {
        return;
      }
      const head = this.buffered.toString('latin1', 0, end);
      const pending = this.queue[0];
      if (!pending || !this.sent) {
        this.fail(new Error('answer to no request'));
        return;
      }
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const answer = length
        ? this.sized(end + HEAD_END.length, Number(length[1]))
        : /\r\ntransfer-encoding:\s*chunked/i.test(head)
          ? this.chunked(end + HEAD_END.length)
          : new Error(`answer without Content-Length or chunked body: ${head.slice(0, 200)}`);
      if (answer instanceof Error) {
        this.fail(answer);
        return;
      }
      if (!answer) {
        return;
      }
      this.buffered = this.buffered.subarray(answer.end);
      this.queue.shift();
      this.sent = false;
      if (/\r\nconnection:\s*close/i.test(head)) {
        this.destroy();
      }
      pending.resolve({ status: Number(head.slice(9, 12)), body: answer.body });
      this.next();
    }
  }

  /** A body of `length` bytes from `start`, or undefined until all of it arrived. */
  private sized(start: number, length: number): { body: string; end: number } | undefined {
    return this.buffered.length < start + length ? undefined : { body: this.buffered.toString('utf8', start, start + length), end: start + length };
  }

  /** A chunked body from `start` (no trailers), or undefined until its last chunk arrived. */
  private chunked(start: number): { body: string; end: number } | undefined | Error {
    const parts: Buffer[] = [];
    let at = start;
    for (;;) {
      const line = this.buffered.indexOf('\r\n', at);
      if (line < 0) {
        return undefined;
      }
      const size = parseInt(this.buffered.toString('latin1', at, line), 16);
      if (!Number.isFinite(size)) {
        return new Error('malformed chunked body');
      }
      if (this.buffered.length < line + 2 + size + 2) {
        return undefined;
      }
      if (size === 0) {
        return { body: Buffer.concat(parts).toString('utf8'), end: line + 4 };
      }
      parts.push(this.buffered.subarray(line + 2, line + 2 + size));
      at = line + 2 + size + 2;
    }
  }

  /** The connection can no longer be read: the request on it fails, the next one opens another. */
  private fail(err: Error): void {
    this.sent = false;
    this.queue.shift()?.reject(err);
    this.destroy();
    this.next();
  }
}
