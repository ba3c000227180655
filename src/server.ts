import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import * as http from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { RuntimeCommits } from './attempts/runtime-commits';
import { BODY_LIMITS, FORM_PARAMETERS_MAX } from './common/request-body';
import type { Clock } from './common/clock';
import type { ErrorCode } from './common/error-codes';
import { renderErrorPage } from './common/error-page';
import { sendHtml } from './common/html';
import { setupApiDocs } from './console/api-docs';
import { ContentFiles } from './content/content-files';
import { FileSender } from './content/file-sender';
import { lockSqliteServer } from './database/sqlite-server-lock';
import { AppLogger } from './logging/app-logger';
import { RequestLogger } from './logging/request-logger';

export type Origin = 'app' | 'content';

/** Route prefixes served only by the content origin (docs/architecture.md); everything else is app-origin only. */
const CONTENT_ROUTES = /^\/(content|player|player-assets|runtime|dispatch)(\/|$)/;
const SHARED_ROUTES = /^\/health(\/|$|\?)/;

export interface RunningServer {
  app: NestExpressApplication;
  config: AppConfig;
  appServer: http.Server;
  contentServer: http.Server;
  /**
   * Stops: no new connection is taken, the requests being answered get until `graceMs` from now to
   * finish (their connections closed after them), large files being sent by the file sender too;
   * then whatever is left is cut and the app closes. 0 (tests): cut at once. Called again, the
   * same stop.
   */
  close(graceMs?: number): Promise<void>;
}

/** What a test may swap in; production passes nothing. */
export interface ServerOverrides {
  /** The time the app runs on (a test's ManualClock); the real clock when absent. */
  clock?: Clock;
  /** `IDLE_TIMEOUT_MS` (a test's shorter one). */
  idleTimeoutMs?: number;
}

/**
 * On the content listener (and in its file sender, src/content/file-sender.ts) a connection on which
 * no byte moves either way for this long is closed (by the server within a quarter more: idleReaper):
 * a course file whose client stopped reading would otherwise hold its stream and its open file for
 * good. "Moves" as the server sees it: a client that reads so slowly that the network's buffers take
 * nothing more for this long counts as gone. Between requests a keep-alive connection goes sooner
 * (65 s). Not on the app listener, where an import may work for minutes before it answers.
 */
export const IDLE_TIMEOUT_MS = 120_000;

/** Builds the Nest app with the same settings everywhere (main, CLI, tests). */
export async function createApp(config: AppConfig, overrides: ServerOverrides = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, overrides.clock), {
    logger: AppLogger.for(config),
    bodyParser: false,
    abortOnError: false,
  });
  // Start-up lines go through a logger of the configured level and format; from here on the app's
  // own (request ids). The request id middleware comes first, so every line of a request has it.
  app.useLogger(app.get(AppLogger));
  app.use(app.get(RequestLogger).handle);
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(originPartition(config));
  app.useBodyParser('json', { limit: BODY_LIMITS.json, type: ['application/json', 'application/*+json'] });
  app.useBodyParser('urlencoded', { extended: false, limit: BODY_LIMITS.urlencoded, parameterLimit: FORM_PARAMETERS_MAX });
  app.useBodyParser('text', { limit: BODY_LIMITS.text, type: ['text/plain'] });
  setupApiDocs(app);
  return app;
}

/**
 * Starts the server: one process, two listeners. The app origin (console, API, LTI) and the content
 * origin (player, course files, runtime) share the Nest app, and every request is tagged with the
 * listener it came in on, so a route of one origin is never reachable on the other. Readable course
 * files and runtime commits take lean paths on the content listener, outside the framework.
 */
export async function startServer(config: AppConfig, overrides: ServerOverrides = {}): Promise<RunningServer> {
  const sqliteLock = lockSqliteServer(config.databaseUrl); // SqliteInUseError when another server has it
  let app: NestExpressApplication;
  try {
    app = await createApp(config, overrides);
  } catch (err) {
    sqliteLock?.release();
    throw err;
  }
  await app.init();
  const express = app.getHttpAdapter().getInstance() as (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const tag = (origin: Origin) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    (req as http.IncomingMessage & { bridgeOrigin?: Origin }).bridgeOrigin = origin;
    express(req, res);
  };
  // Course files are most of the traffic and commits the hottest route: the content listener answers
  // a readable file (ContentFiles.handle) and a commit as the player sends it (RuntimeCommits.handle)
  // before Express and Nest, and passes everything else on (a file's refusals included).
  const files = app.get(ContentFiles);
  const commits = app.get(RuntimeCommits);
  const toContent = tag('content');
  const toFiles = (req: http.IncomingMessage, res: http.ServerResponse) => files.handle(req, res, toContent);
  const appServer = http.createServer(tag('app'));
  const contentServer = http.createServer((req, res) => commits.handle(req, res, toFiles));
  const idleMs = overrides.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const sender = app.get(FileSender);
  sender.returnConnectionsTo(contentServer, idleMs);
  const drains = [drainer(appServer), drainer(contentServer)];
  for (const server of [appServer, contentServer]) {
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 0; // large uploads may take long
  }
  const stopReaping = idleReaper(contentServer, idleMs);
  await listen(appServer, config.port);
  await listen(contentServer, config.contentPort);
  if (!config.explicitUrls.public) {
    config.publicUrl = `http://localhost:${(appServer.address() as AddressInfo).port}`;
  }
  if (!config.explicitUrls.content) {
    config.contentUrl = `http://localhost:${(contentServer.address() as AddressInfo).port}`;
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    config,
    appServer,
    contentServer,
    close(graceMs = 0) {
      closing ??= (async () => {
        const deadline = Date.now() + graceMs;
        await Promise.all(drains.map((drain) => drain(deadline)));
        stopReaping();
        await sender.finish(deadline);
        await app.close();
        sqliteLock?.release();
      })();
      return closing;
    },
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * How `server` stops (RunningServer.close): it takes no new connection at once; the answers under
 * way go on until `deadline`, each with `Connection: close` unless its head went out before (its
 * connection is then closed once it is done), and so does anything a kept-alive connection asks
 * meanwhile; the idle connections are closed after IDLE_LINGER_MS (or at the deadline, if sooner);
 * at the deadline every connection left is cut. Resolves once none is left.
 */
/**
 * How long a stopping server keeps its idle kept-alive connections open, answering whatever comes
 * on them with `Connection: close`. A proxy keeps connections to the server open for its next
 * requests (nginx's upstream `keepalive`); one it sends a request on just as the server closes it
 * sees the connection fail, and for a POST (a launch) it may not try another server: nginx answered
 * 502 in the load-balancer e2e. Meanwhile each connection the proxy uses is answered and closed, and
 * a new one is refused, which it may retry elsewhere.
 */
const IDLE_LINGER_MS = 500;

function drainer(server: http.Server): (deadline: number) => Promise<void> {
  const answering = new Set<http.ServerResponse>();
  let draining = false;
  function forget(this: http.ServerResponse) {
    answering.delete(this);
  }
  let lingering = false;
  const closeIdle = () => {
    if (!lingering) {
      setImmediate(() => server.closeIdleConnections());
    }
  };
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (draining) {
      res.shouldKeepAlive = false;
    } else {
      answering.add(res);
      res.on('close', forget);
    }
  });
  return (deadline) =>
    new Promise((resolve) => {
      draining = true;
      lingering = true;
      for (const res of answering) {
        res.shouldKeepAlive = false;
        res.on('finish', closeIdle);
      }
      const left = Math.max(0, deadline - Date.now());
      const linger = setTimeout(() => {
        lingering = false;
        server.close(); // http's close: the idle connections, and Node's timer that checks connections
      }, Math.min(IDLE_LINGER_MS, left));
      const cut = setTimeout(() => server.closeAllConnections(), left);
      // Stop listening only: http.Server's close would also close the idle connections at once.
      NetServer.prototype.close.call(server, () => {
        clearTimeout(linger);
        clearTimeout(cut);
        resolve();
      });
    });
}

/**
 * Closes `server`'s connections on which no byte has moved either way for `idleMs` (IDLE_TIMEOUT_MS):
 * every `idleMs / 8` it compares each connection's bytes read and written (as Node counts them: a
 * write the network's buffers have not taken yet counts once, when it is made) with the last look,
 * so one is closed between `idleMs` and `idleMs` and a quarter after its last byte. Node's own
 * `server.timeout` does the same with a timer made anew for each request (after the keep-alive
 * timer of the one before), which is measurable on the course-file path (docs/performance.md, "Course files").
 * Stops with the returned function.
 */
function idleReaper(server: http.Server, idleMs: number): () => void {
  const seen = new Map<Socket, { moved: number; since: number }>();
  server.on('connection', (socket: Socket) => {
    seen.set(socket, { moved: 0, since: Date.now() });
    socket.once('close', () => seen.delete(socket));
  });
  const look = setInterval(() => {
    const now = Date.now();
    for (const [socket, last] of seen) {
      const moved = socket.bytesRead + socket.bytesWritten;
      if (moved !== last.moved) {
        last.moved = moved;
        last.since = now;
      } else if (now - last.since >= idleMs) {
        socket.destroy();
      }
    }
  }, idleMs / 8);
  look.unref();
  return () => clearInterval(look);
}

function originPartition(config: AppConfig) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = (req as Request & { bridgeOrigin?: Origin }).bridgeOrigin ?? 'app';
    const path = req.path;
    if (SHARED_ROUTES.test(path)) {
      return next();
    }
    const contentRoute = CONTENT_ROUTES.test(path);
    if (contentRoute === (origin === 'content')) {
      return next();
    }
    const where = origin === 'content' ? config.publicUrl : config.contentUrl;
    res.status(404);
    if (path.startsWith('/api/') || path.startsWith('/runtime/')) {
      res.json({ error: 'wrong_origin' satisfies ErrorCode, message: `This address is served on ${where}, not on this origin.` });
    } else {
      sendHtml(res, renderErrorPage(404, 'wrong_origin', 'This page is not served on this address.'));
    }
  };
}
