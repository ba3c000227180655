/** A timer started by a Clock; `cancel()` may be called more than once. */
export interface ClockTimer {
  cancel(): void;
}

/**
 * The time, and timers measured in it. Code whose behaviour depends on time passing (the grade
 * outbox's backoff, spacing and wake-ups; session and token expiry) asks the Clock instead of
 * `Date.now()`/`setTimeout`, so tests can move time by hand (test/support/manual-clock.ts) instead of
 * waiting for it. Provided globally by ConfigModule; `SystemClock` unless a test passes another.
 */
export abstract class Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  abstract now(): number;

  /** Calls `fn` once, `ms` from now in this clock's time. It never keeps the process alive on its own. */
  abstract timeout(ms: number, fn: () => void): ClockTimer;
}

/** The real time. */
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }

  timeout(ms: number, fn: () => void): ClockTimer {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }
}
