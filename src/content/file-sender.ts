import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ChildProcess, fork } from 'node:child_process';
import { type IncomingMessage, type Server, STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { runWithRequestId } from '../logging/request-id';
import { type FromHelper, type SendFile, stopReading } from './file-sender-protocol';

/** The last request the content listener has read from each connection: one read after a large file's stops its hand-over. */
const lastRead = new WeakMap<Socket, IncomingMessage>();

/** After the helper died, the server streams files itself for this long before it starts another. */
const RESTART_AFTER_MS = 1000;

/** What the server answers with a large file: its status and flat header list, the byte range, and for log lines the request's id and the file's name. */
export interface LargeAnswer {
  status: number;
  headers: string[];
  range: { start: number; end: number };
  requestId: string;
  name: string;
}

/**
 * Large course files sent by a helper process (`CONTENT_SENDER=process`, the
 * default; docs/performance.md, "Course files beside commits"). Sending a 2 MB file is mostly system
 * calls (reads, and writes that run the network stack), and on the event loop that also answers SCORM
 * commits they put every commit behind one chunk of every open download; in a process of its own
 * the operating system shares the cores between the two instead, at a finer grain.
 *
 * The server does everything but the bytes: the grant, the path, the headers, ranges and conditions
 * (ContentFiles). It hands the connection over with the answer's head; the helper
 * (file-sender-process.ts) writes the head and the bytes and gives the connection back, and the
 * content server reads the client's next request from it as from a new connection (keep-alive
 * kept). Neither process reads while the other holds it. A helper that dies is replaced; meanwhile
 * the server streams the files itself. From S3 the helper GETs the object by a presigned URL.
 */
@Injectable()
export class FileSender implements OnModuleDestroy {
  private readonly logger = new Logger('FileSender');
  private child: ChildProcess | null = null;
  /** The content origin's server, which takes connections back (set by src/server.ts). */
  private server: Server | null = null;
  private idleMs = 0;
  private startAfter = 0;
  private closed = false;

  constructor(private readonly config: AppConfig) {}

  /** Connections given back after their file go to `server` (the content origin's), whose idle timeout (`idleMs`) the helper keeps too. */
  returnConnectionsTo(server: Server, idleMs: number): void {
    this.server = server;
    this.idleMs = idleMs;
    server.prependListener('request', (req: IncomingMessage) => lastRead.set(req.socket, req));
  }

  /** The helper's process id while one runs (the bench counts its CPU; tests count its open files). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Hands `res`'s connection to the helper with the answer, and where to read the file (`source`:
   * storage's `senderSource`). False when it cannot — sending by the server, a server stopping, a
   * file outside its version, no helper, or bytes of an earlier answer still waiting to be written —
   * and the caller answers itself. When the hand-over fails after all (the helper died just then),
   * `orElse` answers, and the connection is closed after it. When the client pipelines (sends its next
   * request before this answer, as no browser does) and the server has read that request already,
   * the server answers both. A pipelined request only partly read by then is lost (the server, given
   * the connection back, reads the rest of it as a malformed request).
   */
  async handOff(res: ServerResponse, answer: LargeAnswer, source: () => Promise<string | null>, orElse: () => void): Promise<boolean> {
    if (this.config.contentSender !== 'process' || !this.server?.listening) {
      return false; // not while the server stops: its answers close their connections
    }
    const from = await source();
    const socket = res.socket;
    // A request read from the connection after this one (pipelined) is the server's to answer: its
    // bytes are gone from the socket. What the client sends from now on stays there (stopReading below).
    if (!from || !socket || socket.writableLength > 0 || res.headersSent || !this.server.listening || lastRead.get(socket) !== res.req) {
      return false;
    }
    const { status, headers, range } = answer;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nDate: ${new Date().toUTCString()}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(this.server.keepAliveTimeout / 1000)}\r\n`;
    for (let i = 0; i < headers.length; i += 2) {
      if (/[\r\n]/.test(headers[i + 1])) {
        return false; // written raw, a line break would split the head (Node's writeHead refuses it)
      }
      head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    }
    const child = this.helper();
    if (!child || !stopReading(socket)) {
      return false;
    }
    const message: SendFile = {
      head: head + '\r\n',
      source: from,
      start: range.start,
      end: range.end,
      idleMs: this.idleMs,
      requestId: answer.requestId,
      name: answer.name,
    };
    res.statusCode = status;
    // Sent as a connection of no server here: Node would otherwise track it as a cluster worker's and
    // make the server's close wait for the helper's report on it.
    (socket as Socket & { server: Server | null }).server = null;
    // The helper gets its own copy of the connection; once it has it, this process closes its copy,
    // which sends nothing to the client.
    child.send(message, socket, { keepOpen: true }, (err) => {
      if (err) {
        orElse();
      } else {
        socket.destroy();
      }
    });
    return true;
  }

  /**
   * The server stops (src/server.ts): the helper finishes the files it is sending, closing their
   * connections after them, and exits; at `deadline` it is stopped wherever it is.
   */
  async finish(deadline: number): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) {
      child.disconnect();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
    clearTimeout(timer);
    this.lost(child);
  }

  /** A large file that could not be sent for a reason not the client's (storage), by the helper or the server: one warning. */
  unsent(requestId: string, name: string, reason: string): void {
    runWithRequestId(requestId, () => this.logger.warn(`course file ${name} not sent: ${reason}`));
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.child?.kill();
    this.child = null;
  }

  private helper(): ChildProcess | null {
    if (this.child || this.closed || Date.now() < this.startAfter) {
      return this.child;
    }
    const entry = path.join(__dirname, `file-sender-process${path.extname(__filename)}`);
    const child = fork(entry, [], {
      execArgv: loaderFor(entry),
      // what it needs and no more: none of the server's secrets (the CAs it trusts, for an S3 endpoint's)
      env: {
        PATH: process.env.PATH,
        CONTENT_STREAMS: String(this.config.contentStreams),
        ...(process.env.NODE_EXTRA_CA_CERTS && { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS }),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('exit', () => this.lost(child));
    child.on('error', () => this.lost(child));
    child.on('message', (m: FromHelper, socket?: Socket) => {
      if (m.type === 'failed') {
        this.unsent(m.requestId, m.name, m.reason);
      } else if (m.type === 'back' && socket) {
        if (this.server?.listening) {
          this.server.emit('connection', socket);
        } else {
          socket.destroy(); // the server is closing
        }
      }
    });
    this.child = child;
    return child;
  }

  private lost(child: ChildProcess): void {
    if (this.child === child) {
      this.child = null;
      this.startAfter = Date.now() + RESTART_AFTER_MS;
    }
    child.kill('SIGKILL');
  }
}

/**
 * How Node loads the helper: dist/…/file-sender-process.js as built, as is; the .ts beside this file
 * with this process's own TypeScript hook when it was started with one (the benches' bench/register.js,
 * ts-node in worker mode from source), else ts-node (the tests).
 */
function loaderFor(entry: string): string[] {
  if (!entry.endsWith('.ts')) {
    return [];
  }
  const i = process.execArgv.findIndex((arg) => arg === '-r' || arg === '--require');
  return i >= 0 && process.execArgv[i + 1] ? ['-r', process.execArgv[i + 1]] : ['-r', 'ts-node/register/transpile-only'];
}
