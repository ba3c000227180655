import { summarize } from './ags.client';
import type { HttpAnswer } from './ags.types';
import { retryAfterMs } from './backoff';

// What one grade send's answer means and when the next send may go: pure rules the outbox worker
// (grade-dispatcher.ts) applies, kept apart from its scheduling and I/O.

/** Sends for one (line item, user) at least this far apart (Moodle compares whole seconds; src/grades/README.md). */
export const MIN_SPACING_MS = 1000;

export type Outcome =
  | { kind: 'sent'; status: number }
  | { kind: 'superseded'; status: number; message: string }
  | { kind: 'failed'; status: number | null; message: string }
  | { kind: 'retry'; status: number | null; message: string; afterMs?: number }
  | { kind: 'wait'; until: number }
  | { kind: 'aborted' };

/**
 * The AGS timestamp for a new send: the result's commit time, but at least a second after the last
 * one put on the wire, so it is strictly increasing per (line item, user) even for Moodle's
 * whole-second comparison (AGS §3.4.9, src/grades/README.md). The caller waits until it is not in the
 * future before sending.
 */
export function nextScoreTimestamp(resultAt: number, lastTimestamp: string | null): number {
  const last = lastTimestamp ? Date.parse(lastTimestamp) : -Infinity;
  return Math.max(resultAt, last + MIN_SPACING_MS);
}

/**
 * Decides what a score POST answer means (src/grades/README.md, src/grades/README.md): 2xx sent;
 * Canvas 400 "timestamp … before …" and Moodle 409 superseded (the platform holds a newer score);
 * 5xx, 429 and 408 retried with backoff; any other 4xx failed with the platform's message.
 */
export function judgeScoreAnswer(answer: HttpAnswer, now: number): Outcome {
  const { status } = answer;
  if (status >= 200 && status < 300) {
    return { kind: 'sent', status };
  }
  const message = `The platform answered ${status}: ${summarize(answer.body)}`;
  if (status === 409 || (status === 400 && /timestamp/i.test(answer.body))) {
    return { kind: 'superseded', status, message };
  }
  if (status >= 500 || status === 429 || status === 408) {
    return { kind: 'retry', status, message, afterMs: retryAfterMs(answer.headers.get('retry-after'), now) };
  }
  return { kind: 'failed', status, message };
}
