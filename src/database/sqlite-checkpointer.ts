import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * How often the checkpointer copies the WAL back into the database file. Idle, a tick costs a read of
 * the WAL index and no I/O; under load each tick copies what was committed since the last one.
 */
const CHECKPOINT_EVERY_MS = 200;

/**
 * The WAL size (pages of 4 KB) at which the server's own connection still checkpoints after a commit:
 * SQLite's automatic checkpoint, kept as the backstop and as what restarts the WAL from its start
 * (below). SQLite's default is 1,000 pages (4 MB).
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** The worker's code (plain JS: it runs as is under ts-node and from dist/). */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY: another checkpoint is running (the server's backstop); the next tick goes on.
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints a SQLite database in WAL mode from a worker thread with a connection of its own, so
 * the server's event loop never waits for one (docs/performance.md, "Commits on SQLite").
 *
 * better-sqlite3 is synchronous, and SQLite runs its automatic checkpoint inside the COMMIT that
 * crossed the threshold: every 1,000 pages it copied 4 MB into the database file and fsynced the WAL
 * and the database on the event loop, 10-50 ms each time (strace, bench/runtime paced: about four a
 * second at 2,000 commits/s), and every request that arrived meanwhile waited that long. A PASSIVE
 * checkpoint from another connection runs beside the writer without taking its lock.
 *
 * It cannot restart the WAL from its beginning under a steady stream of commits (a restart needs a
 * moment with every frame copied and no writer), so the server's connection keeps SQLite's automatic
 * checkpoint at {@link WAL_AUTOCHECKPOINT_PAGES}: rarely reached, and when it is, the frames are
 * already copied and synced, so it has little left to do before the WAL starts over.
 */
export function startCheckpointer(file: string): { stop(): Promise<void> } {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, driver: createRequire(__filename).resolve('better-sqlite3'), everyMs: CHECKPOINT_EVERY_MS },
  });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // An error in the worker (the file removed under it) ends the checkpointing, not the server: the
  // backstop still checkpoints.
  worker.on('error', () => undefined);
  return {
    async stop() {
      // Held while it closes: an unref'd worker is not enough to keep the process up, and a caller
      // awaiting close (the CLI, before its exit code) would otherwise see the process end under it.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
