import { HttpStatus, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { setBounded } from '../common/bounded-map';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import { SecretsService } from '../secrets/secrets.service';

export interface RuntimeClaims {
  /** Attempt id: the only attempt the token may write (docs/architecture.md). */
  attemptId: string;
  /** Attempt.launchCount at redeem time: orders commits across launches. */
  launch: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * The runtime's write credential: an HMAC-signed, short-lived bearer token scoped to one attempt,
 * held in the player page's memory and never put in a URL (docs/architecture.md). Stateless, so several server
 * instances on one database agree on it (the key is an app secret).
 */
@Injectable()
export class RuntimeTokenService {
  /**
   * Tokens whose signature was already checked → their claims. A player sends the same token with
   * every commit; the cache saves the HMAC and the secret lookup. Expiry is still checked every time.
   */
  private readonly verified = new Map<string, RuntimeClaims>();

  constructor(
    private readonly secrets: SecretsService,
    private readonly clock: Clock,
  ) {}

  async issue(attemptId: string, launch: number, ttlSeconds: number, now = this.clock.now()): Promise<string> {
    const body = Buffer.from(JSON.stringify({ a: attemptId, l: launch, e: Math.floor(now / 1000) + ttlSeconds })).toString('base64url');
    return `${body}.${await this.mac(body)}`;
  }

  /**
   * Checks a token. A valid signature past its expiry is `runtime_token_expired` (the player tells the
   * learner to relaunch from the LMS and keeps the data); anything else is `runtime_token_invalid`.
   */
  async verify(token: string | undefined, now = this.clock.now()): Promise<RuntimeClaims> {
    const known = token === undefined ? undefined : this.verified.get(token);
    if (known) {
      return this.unexpired(known, now);
    }
    const m = /^([A-Za-z0-9_-]{10,400})\.([A-Za-z0-9_-]{43})$/.exec(token ?? '');
    if (!m) {
      throw new AppError('runtime_token_invalid', 'The player session is not valid; relaunch the course from your LMS.', HttpStatus.UNAUTHORIZED);
    }
    const expected = Buffer.from(await this.mac(m[1]));
    const given = Buffer.from(m[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new AppError('runtime_token_invalid', 'The player session is not valid; relaunch the course from your LMS.', HttpStatus.UNAUTHORIZED);
    }
    const raw = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as { a: string; l: number; e: number };
    const claims: RuntimeClaims = { attemptId: raw.a, launch: raw.l, exp: raw.e };
    // the oldest verification forgotten past 10,000 (not all at once: a burst of HMACs on the commit path)
    setBounded(this.verified, m[0], claims, 10_000, (c) => c.exp * 1000 <= now);
    return this.unexpired(claims, now);
  }

  private unexpired(claims: RuntimeClaims, now: number): RuntimeClaims {
    if (claims.exp * 1000 <= now) {
      throw new AppError('runtime_token_expired', 'Your session has expired; relaunch the course from your LMS to continue.', HttpStatus.UNAUTHORIZED);
    }
    return { ...claims };
  }

  private async mac(body: string): Promise<string> {
    const key = await this.secrets.get('runtime-token');
    return createHmac('sha256', key).update(body).digest('base64url');
  }
}
