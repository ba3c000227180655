import { Injectable, Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';

/**
 * `dataSource.transaction()` called while a transaction of the same request is open. On SQLite (one
 * connection, see {@link guardTransactions}) the inner call would wait for the outer one forever; on
 * Postgres it would take a second connection whose work is not part of the outer transaction and
 * may wait on the outer one's row locks. Both are bugs, so the call fails at once with this error.
 */
export class NestedTransactionError extends Error {
  constructor() {
    super(
      'A transaction was started inside another transaction. Pass the open transaction\'s EntityManager down to the code that needs it instead of starting a new transaction.',
    );
    this.name = 'NestedTransactionError';
  }
}

/** The open transaction of the current async call chain. */
interface OpenTransaction {
  /** False once committed or rolled back: timers started inside it may outlive it. */
  active: boolean;
  afterCommit: Array<() => void>;
}

const open = new AsyncLocalStorage<OpenTransaction>();
const logger = new Logger('Transactions');

/**
 * Runs `work` once the transaction `m` belongs to has committed (never if it rolls back); at once when
 * `m` is not in a transaction. For work that must see the committed rows or must not run inside the
 * transaction: waking a worker that reads what was just written, for instance.
 */
export function afterCommit(m: EntityManager, work: () => void): void {
  const tx = open.getStore();
  if (!m.queryRunner?.isTransactionActive) {
    work();
  } else if (tx?.active) {
    tx.afterCommit.push(work);
  } else {
    throw new Error('afterCommit: this transaction was not started through dataSource.transaction()');
  }
}

/**
 * Every transaction goes through `dataSource.transaction()` (TypeORM's `DataSource.transaction` calls
 * `manager.transaction`), which this wraps once at start-up: a transaction started inside another
 * throws {@link NestedTransactionError}, and {@link afterCommit} work runs after COMMIT.
 *
 * SQLite also gets a connection lock. TypeORM's SQLite drivers have ONE connection and one shared
 * QueryRunner. Without care, two requests' transactions nest as savepoints of each other (an error in
 * one rolls back the other's acknowledged write), and a plain query of one request runs inside another
 * request's open transaction (a consumed nonce or a claimed outbox row rolled back with it). So, as a
 * real database would give each request its own connection, a transaction holds the lock from BEGIN
 * to COMMIT/ROLLBACK and any query outside a transaction takes it for that one statement. The
 * transaction's own queries are recognised through AsyncLocalStorage. SQLite allows one writer at a
 * time anyway, so nothing that could run in parallel is lost.
 */
export function guardTransactions(ds: DataSource): void {
  const lock = ds.options.type === 'better-sqlite3' ? connectionLock(ds) : undefined;
  const manager = ds.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = (async (...args: unknown[]) => {
    if (open.getStore()?.active) {
      throw new NestedTransactionError();
    }
    const release = await lock?.();
    const tx: OpenTransaction = { active: true, afterCommit: [] };
    let result: unknown;
    try {
      result = await open.run(tx, () => transaction(...args));
    } finally {
      tx.active = false;
      release?.();
    }
    for (const work of tx.afterCommit) {
      try {
        work();
      } catch (e) {
        // The transaction has committed: its caller must not see a failure.
        logger.error(`after-commit work failed: ${(e as Error).message}`);
      }
    }
    return result;
  });
}

/** The SQLite connection lock (see {@link guardTransactions}); returns the lock's acquire. */
function connectionLock(ds: DataSource): () => Promise<() => void> {
  let tail: Promise<void> = Promise.resolve();
  const acquire = (): Promise<() => void> => {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = tail.then(() => release);
    tail = tail.then(() => next);
    return ready;
  };
  const runner = ds.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = (async (...args: unknown[]) => {
    if (open.getStore()?.active) {
      return query(...args);
    }
    const release = await acquire();
    try {
      return await query(...args);
    } finally {
      release();
    }
  }) as typeof runner.query;
  return acquire;
}

/**
 * Starts transactions for services (`run`), so that they need not hold the DataSource. Repository
 * methods take the transaction's EntityManager as their last argument.
 */
@Injectable()
export class Transactions {
  constructor(private readonly ds: DataSource) {}

  run<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }
}
