import { Clock, ClockTimer } from '../../src/common/clock';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A Clock that moves only when a test says so: pass it to createTestApp,
 * then `advance(ms)` instead of sleeping. Timers fire inside `advance`, in the order they fall due,
 * with `now()` at their due time; what they start (a dispatcher pass, say) still runs asynchronously,
 * so await the work's own "idle" after advancing.
 */
export class ManualClock extends Clock {
  private current: number;
  private seq = 0;
  private timers: Pending[] = [];

  /** Starts at the real time, so timestamps sent to emulators look like today's. */
  constructor(start = Date.now()) {
    super();
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  timeout(ms: number, fn: () => void): ClockTimer {
    const timer: Pending = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((t) => t !== timer)) };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) {
        break;
      }
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }

  /** When the next timer falls due (null when none waits): tests can assert what the app is waiting for. */
  nextTimerAt(): number | null {
    return this.timers.length ? Math.min(...this.timers.map((t) => t.at)) : null;
  }
}
