import { Injectable } from '@nestjs/common';

/** Burst of logins one client address may start at once. */
export const LOGIN_BURST = 300;
/** Sustained logins per second per client address. */
export const LOGIN_PER_SECOND = 20;
const MAX_TRACKED = 50_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token bucket per client address for `/lti/login` (docs/lti-launch-checks.md: the endpoint is
 * unauthenticated and creates state). Generous, because a whole campus may sit behind one NAT
 * address; loopback is exempt (local tools and benchmarks; a reverse proxy on the same host must send
 * X-Forwarded-For, which the app trusts from loopback). In memory: each instance limits on its own.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(address: string | undefined, now = Date.now()): number {
    if (!address || /^(127\.|::1$|::ffff:127\.)/.test(address)) {
      return 0;
    }
    let b = this.buckets.get(address);
    if (!b) {
      if (this.buckets.size >= MAX_TRACKED) {
        this.prune(now);
      }
      b = { tokens: LOGIN_BURST, at: now };
      this.buckets.set(address, b);
    }
    b.tokens = Math.min(LOGIN_BURST, b.tokens + ((now - b.at) / 1000) * LOGIN_PER_SECOND);
    b.at = now;
    if (b.tokens < 1) {
      return Math.ceil((1 - b.tokens) / LOGIN_PER_SECOND);
    }
    b.tokens -= 1;
    return 0;
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * LOGIN_PER_SECOND >= LOGIN_BURST) {
        this.buckets.delete(k);
      }
    }
    if (this.buckets.size >= MAX_TRACKED) {
      this.buckets.clear();
    }
  }
}
