import cluster, { Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { withServerFlags } from './node-flags';

/** What a worker tells the primary once both of its listeners accept connections. */
export interface WorkerReady {
  type: 'bridge-ready';
  publicUrl: string;
  contentUrl: string;
}

/** A worker that died this soon after it was started is restarted only after a growing pause. */
const STEADY_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Worker mode (docs/deployment.md): the primary process forks `config.workers` copies of the server
 * with node:cluster and does nothing else. Its own event loop only accepts connections and hands each
 * to a worker in turn (round-robin, Node's default on Linux), so a burst of new connections is not
 * held up by a busy server loop (Node 20 accepts one connection per turn of a loop); a keep-alive
 * connection then talks to its worker directly. Every worker shares the PostgreSQL database and the
 * storage, like separate machines would.
 *
 * The first worker starts alone: it runs the migrations and creates the secrets and keys of a new
 * database; the others start once it listens. Every worker sweeps what a crash left in storage, at
 * start and hourly (the sweep leaves anything younger than an hour, so a worker that replaced a dead
 * one keeps sweeping). A worker that dies is replaced (kill -9 loses only the
 * requests it was answering; clients retry). SIGTERM/SIGINT stop every worker gracefully (each lets
 * its requests under way finish, STOP_GRACE_SECONDS), then the primary; a second signal cuts them.
 * SIGHUP replaces the workers one at a time with ones that load the code anew (a deploy without
 * downtime). Resolves once the first worker is ready; exits the process if it cannot start.
 */
export async function runPrimary(config: AppConfig): Promise<void> {
  const logger = new Logger('Cluster');
  let stopping = false;
  let restartDelay = 1000;
  const startedAt = new Map<Worker, number>();
  // the workers run with the server's Node flags whether or not the primary was started with them
  cluster.setupPrimary({ execArgv: withServerFlags(process.execArgv) });
  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    return worker;
  };
  cluster.on('online', (worker) => logger.log(`worker ${worker.id} started, pid ${worker.process.pid}`));
  cluster.on('message', (worker, m: WorkerReady) => m?.type === 'bridge-ready' && logger.log(`worker ${worker.id} ready, pid ${worker.process.pid}`));

  const ready = (worker: Worker) =>
    new Promise<WorkerReady>((resolve, reject) => {
      worker.on('message', (m: WorkerReady) => m?.type === 'bridge-ready' && resolve(m));
      worker.once('exit', (code, signal) => reject(new Error(`worker ${worker.id} exited before it listened (${signal ?? `code ${code}`})`)));
    });

  const first = fork();
  let urls: WorkerReady;
  try {
    urls = await ready(first);
  } catch (err) {
    logger.error(`${(err as Error).message}; not starting the others`);
    process.exit(1);
  }

  // A reload's workers: the running ones it replaces and the new ones not ready yet. Neither is
  // started again when it exits (a new one that fails stops the reload).
  const reloaded = new Set<Worker>();
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.log('every worker stopped');
        process.exit(0);
      }
      return;
    }
    if (reloaded.delete(worker)) {
      return;
    }
    restartDelay = lived < STEADY_MS ? Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS) : 1000;
    logger.warn(`worker ${worker.id} (pid ${worker.process.pid}) died (${signal ?? `code ${code}`}); starting another in ${restartDelay} ms`);
    setTimeout(() => !stopping && fork(), restartDelay);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: stopping the workers now`);
      for (const worker of Object.values(cluster.workers ?? {})) {
        worker?.process.kill('SIGKILL');
      }
      process.exit(1);
    }
    stopping = true;
    logger.log('stopping the workers');
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) {
      process.exit(0);
    }
    for (const worker of workers) {
      worker?.process.kill('SIGTERM');
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // SIGHUP: every worker replaced by one running the code now on disk, one at a time — a new one
  // started, and once it listens the old one stopped gracefully — so the box keeps answering.
  let reloading = false;
  const reload = async () => {
    if (stopping || reloading) {
      logger.warn(`SIGHUP ignored: ${stopping ? 'stopping' : 'a reload is under way'}`);
      return;
    }
    reloading = true;
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    running.forEach((w) => reloaded.add(w));
    logger.log(`reloading: ${running.length} workers replaced one at a time`);
    try {
      for (const old of running) {
        if (stopping) {
          return;
        }
        const fresh = fork();
        reloaded.add(fresh);
        await ready(fresh);
        reloaded.delete(fresh);
        if (!old.isDead()) {
          const gone = new Promise((resolve) => old.once('exit', resolve));
          old.process.kill('SIGTERM');
          await gone;
        }
      }
      logger.log('reloaded: every worker runs the code now on disk');
    } catch (err) {
      logger.error(`reload stopped: ${(err as Error).message}; the workers running keep serving`);
      running.forEach((w) => reloaded.delete(w));
    } finally {
      reloading = false;
    }
  };
  process.on('SIGHUP', () => void reload());

  for (let i = 1; i < config.workers; i++) {
    fork();
  }
  logger.log(`${config.workers} workers; the primary (pid ${process.pid}) hands connections to them in turn`);
  logger.log(`App origin (console, API, LTI) listening on ${urls.publicUrl}`);
  logger.log(`Content origin (player, course files) listening on ${urls.contentUrl}`);
}

/** In a worker: tells the primary this worker listens (runPrimary waits for the first one). */
export function reportReady(config: AppConfig): void {
  process.send?.({ type: 'bridge-ready', publicUrl: config.publicUrl, contentUrl: config.contentUrl } satisfies WorkerReady);
}
