import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { RateCounters } from './rate-counters';

/** A limit per client address: a burst, then a steady rate. */
export interface AddressLimit {
  /** Names the counter, e.g. `lti-login`. */
  name: string;
  burst: number;
  perSecond: number;
}

/** OIDC logins (`/lti/login`, unauthenticated, creates state): generous, a whole campus may sit behind one NAT address. */
export const LTI_LOGIN_LIMIT: AddressLimit = { name: 'lti-login', burst: 300, perSecond: 20 };
/** LTI 1.1 launches (`/lti/1p1/*`, unauthenticated until the signature is checked, write a nonce): as LTI 1.3 logins, on their own counter. */
export const LTI11_LAUNCH_LIMIT: AddressLimit = { ...LTI_LOGIN_LIMIT, name: 'lti11-launch' };
/** Console sign-ins: an admin mistypes the token now and then; guessing it takes billions of tries. */
export const CONSOLE_SIGN_IN_LIMIT: AddressLimit = { name: 'console-sign-in', burst: 10, perSecond: 1 / 6 };

/** Prune the counters after this many takes in this process. */
const PRUNE_EVERY = 1000;

/**
 * Rate limits per client address. On PostgreSQL counted in the database (`rate_limits`) so that every
 * instance behind a load balancer spends from the same counter: a client cannot multiply its
 * allowance by the number of instances. On SQLite (one server process) counted in memory, so a login
 * costs no database write (`RateCounters`, chosen in rate-limits.module.ts). Loopback is exempt (local tools and benchmarks; a reverse proxy on the
 * same host must send X-Forwarded-For, which the app trusts from loopback).
 */
@Injectable()
export class AddressRateLimiter {
  private takes = 0;

  constructor(
    private readonly counters: RateCounters,
    private readonly clock: Clock,
  ) {}

  /** Takes one unit for this address; answers 0 when allowed, else the whole seconds to wait. */
  async take(limit: AddressLimit, address: string | undefined): Promise<number> {
    if (!address || /^(127\.|::1$|::ffff:127\.)/.test(address)) {
      return 0;
    }
    const now = this.clock.now();
    if (++this.takes % PRUNE_EVERY === 0) {
      await this.counters.prune(now);
    }
    const interval = Math.ceil(1000 / limit.perSecond);
    const waitMs = await this.counters.take(`${limit.name}:${address}`, now, interval, interval * limit.burst);
    return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
  }
}
