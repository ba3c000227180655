import { MemoryRateCounters } from './rate-counters';

// The in-memory counters of SQLite (one process) follow the database statement's GCRA
// (rate-limits.repository.ts, checked on PostgreSQL by test/e2e/console-session.e2e-spec.ts).
describe('MemoryRateCounters', () => {
  const interval = 6000;
  const burst = 3;

  it('allows a burst, then one unit per interval, and says how long to wait', async () => {
    const c = new MemoryRateCounters();
    const t0 = 1_000_000;
    for (let i = 0; i < burst; i++) {
      expect(await c.take('k', t0, interval, interval * burst)).toBe(0);
    }
    expect(await c.take('k', t0, interval, interval * burst)).toBe(interval);
    expect(await c.take('k', t0 + 5000, interval, interval * burst)).toBe(1000);
    expect(await c.take('other', t0 + 5000, interval, interval * burst)).toBe(0);
    expect(await c.take('k', t0 + interval, interval, interval * burst)).toBe(0);
    expect(await c.take('k', t0 + interval, interval, interval * burst)).toBe(interval);
  });

  it('forgets only the keys whose burst is whole again', async () => {
    const c = new MemoryRateCounters();
    await c.take('short', 0, interval, interval * burst);
    for (let i = 0; i < burst; i++) {
      await c.take('long', 0, interval, interval * burst);
    }
    await c.prune(interval + 1);
    // 'long' still owes two intervals: pruning it would hand its address a new burst.
    expect(await c.take('long', interval + 1, interval, interval * burst)).toBe(0);
    expect(await c.take('long', interval + 1, interval, interval * burst)).toBeGreaterThan(0);
  });
});
