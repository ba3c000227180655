/**
 * Where the rate-limit counters are kept (rate-limiter.ts): one interface, chosen at start-up by
 * rate-limits.module.ts. On PostgreSQL, several instances share the database, so the counters are rows
 * every instance spends from (`RateLimitsRepository`); on SQLite there is one server process by
 * design, so they are kept in its memory (`MemoryRateCounters`) and a login costs no write.
 */
export abstract class RateCounters {
  /**
   * Spends one unit of `key` (one per `intervalMs`, up to `windowMs` ahead of now: GCRA). Answers 0
   * when allowed, else the milliseconds until the next unit.
   */
  abstract take(key: string, now: number, intervalMs: number, windowMs: number): Promise<number>;

  /** Forgets the keys whose counters are back to a full burst (an unknown key means the same). */
  abstract prune(now: number): Promise<void>;
}

/**
 * The counters in this process's memory, for SQLite (one server process). The same GCRA as the
 * database's statement: each key keeps its "theoretical arrival time" (tat); a take moves it one
 * interval on from max(tat, now) unless that would put it more than the window ahead of now.
 */
export class MemoryRateCounters extends RateCounters {
  private readonly tats = new Map<string, number>();

  take(key: string, now: number, intervalMs: number, windowMs: number): Promise<number> {
    const moved = Math.max(this.tats.get(key) ?? now, now) + intervalMs;
    if (moved - now > windowMs) {
      return Promise.resolve(Math.max(1, moved - now - windowMs));
    }
    this.tats.set(key, moved);
    return Promise.resolve(0);
  }

  prune(now: number): Promise<void> {
    for (const [key, tat] of this.tats) {
      if (tat < now) {
        this.tats.delete(key);
      }
    }
    return Promise.resolve();
  }
}
