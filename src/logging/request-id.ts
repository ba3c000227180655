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

/** The caller's id when it is sane (a repeated header arrives joined with ", " and is not), else a fresh UUID. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE_ID.test(incoming) ? incoming : randomUUID();
}

/** The id of the request whose work is running now; undefined outside a request (start-up, timers). */
export function currentRequestId(): string | undefined {
  return storage.getStore();
}

/** Runs `fn`, and everything it starts asynchronously, as part of request `id`. */
export function runWithRequestId<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}
