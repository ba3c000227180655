import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The header a request id comes in on (from a proxy or client) and goes back out on. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * One printable token of at most 128 characters: what proxies and clients send as correlation ids
 * (UUIDs, hex, base64, `host:counter`). Anything else is replaced, so a client cannot put spaces,
 * control characters or a forged second id into our log lines.
 */
const SANE_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

const storage = new AsyncLocalStorage<string>();

/**
 * Fresh ids are UUID-shaped: a random UUID drawn once per process with its last 12 hex digits
 * replaced by a counter. Unique across instances and restarts like a random UUID (74 random bits
 * per process), but without a random draw per request, which was measurable on the course-file path
 * (docs/performance.md, "Course files"). An id correlates log lines; it is not a secret.
 */
const ID_PREFIX = randomUUID().slice(0, 24);
let lastId = 0;

/** The caller's id when it is sane (a repeated header arrives joined with ", " and is not), else a fresh one. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  if (typeof incoming === 'string' && SANE_ID.test(incoming)) {
    return incoming;
  }
  lastId = (lastId + 1) % 0x1000000000000;
  return ID_PREFIX + lastId.toString(16).padStart(12, '0');
}

/** The id of the request whose work is running now; undefined outside a request (start-up, timers). */
export function currentRequestId(): string | undefined {
  return storage.getStore();
}

/** Runs `fn`, and everything it starts asynchronously, as part of request `id`. */
export function runWithRequestId<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}
