/**
 * Delay before retry number `tries` (1-based): exponential from `baseMs`, capped at `maxMs`, with
 * "full jitter" between half and all of it so that many rows failing together do not retry in
 * lock-step when the LMS comes back (src/grades/README.md). `random` is injectable for tests (not a security value).
 */
export function backoffDelay(tries: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, tries - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** Seconds or HTTP-date of a `Retry-After` header (RFC 9110 §10.2.3) as milliseconds from `now`. */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) {
    return undefined;
  }
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
