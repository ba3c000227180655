import { HttpStatus, Injectable } from '@nestjs/common';
import { parseCookie, stringifySetCookie } from 'cookie';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import { SecretsService } from '../secrets/secrets.service';
import { SessionRevocationsRepository } from './session-revocations.repository';

/** Name of the console session cookie (app origin only, docs/architecture.md). */
export const SESSION_COOKIE = 'bridge_console';
/** Header that carries the per-session CSRF token on state-changing requests made with the cookie. */
export const CSRF_HEADER = 'x-csrf-token';
/** A console session lasts a working day; signing in again is cheap. */
export const SESSION_TTL_SECONDS = 8 * 3600;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ConsoleSession {
  id: string;
  expiresAt: number;
  csrfToken: string;
}

/**
 * Console sessions (docs/architecture.md: the admin token is exchanged for an `HttpOnly`, `SameSite=Strict`
 * cookie on the app origin). The cookie is `<id>.<expiry>.<HMAC>` signed with a server secret, so any
 * instance can check it without a session table; the CSRF token is derived from the session id with
 * the same secret (a per-session synchronizer token that never needs storing). Sign-out records the
 * id in the database until it would have expired anyway, so it holds on every instance at once.
 */
@Injectable()
export class ConsoleSessionService {
  constructor(
    private readonly config: AppConfig,
    private readonly secrets: SecretsService,
    private readonly revocations: SessionRevocationsRepository,
    private readonly clock: Clock,
  ) {}

  /** Starts a session; the caller has already checked the admin token. */
  async create(): Promise<{ session: ConsoleSession; cookie: string }> {
    const id = randomBytes(18).toString('base64url');
    const expiresAt = Math.floor(this.clock.now() / 1000) + SESSION_TTL_SECONDS;
    const value = `${id}.${expiresAt}.${await this.mac(`session.${id}.${expiresAt}`)}`;
    const session = { id, expiresAt, csrfToken: await this.mac(`csrf.${id}`) };
    return { session, cookie: this.cookie(value, SESSION_TTL_SECONDS) };
  }

  /** A Set-Cookie value that removes the session cookie. */
  clearCookie(): string {
    return this.cookie('', 0);
  }

  /** Signs a session out on every instance. */
  async revoke(session: ConsoleSession): Promise<void> {
    await this.revocations.revoke(session.id, session.expiresAt * 1000, this.clock.now());
  }

  /** The session named by the request's cookie, or null when there is none or it is not valid. */
  async read(req: Request): Promise<ConsoleSession | null> {
    const raw = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
    const m = raw ? /^([A-Za-z0-9_-]{16,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(raw) : null;
    if (!m) {
      return null;
    }
    const [, id, exp, mac] = m;
    const expiresAt = Number(exp);
    if (expiresAt * 1000 <= this.clock.now()) {
      return null;
    }
    if (!safeEqual(mac, await this.mac(`session.${id}.${exp}`)) || (await this.revocations.isRevoked(id))) {
      return null;
    }
    return { id, expiresAt, csrfToken: await this.mac(`csrf.${id}`) };
  }

  /**
   * Authenticates a request by its session cookie. State-changing methods must also prove they come
   * from the console page: the `X-CSRF-Token` header (a cross-site form cannot set it) and, when the
   * browser sends one, an `Origin` equal to the app origin. Returns false when there is no valid session.
   */
  async authenticate(req: Request): Promise<boolean> {
    const session = await this.read(req);
    if (!session) {
      return false;
    }
    if (!SAFE_METHODS.has(req.method.toUpperCase())) {
      this.checkOrigin(req);
      const header = req.headers[CSRF_HEADER];
      if (typeof header !== 'string' || !safeEqual(header, session.csrfToken)) {
        throw new AppError('csrf_token_invalid', 'This request did not come from the console page; reload the console and try again.', HttpStatus.FORBIDDEN);
      }
    }
    return true;
  }

  /** Refuses a request whose Origin header names another site (sent by browsers on POST, PATCH, DELETE). */
  checkOrigin(req: Request): void {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== new URL(this.config.publicUrl).origin) {
      throw new AppError('cross_origin_refused', 'Console requests must come from the console page on this server.', HttpStatus.FORBIDDEN);
    }
  }

  private async mac(data: string): Promise<string> {
    const key = await this.secrets.get('console-session');
    return createHmac('sha256', key).update(data).digest('base64url');
  }

  private cookie(value: string, maxAge: number): string {
    return stringifySetCookie(SESSION_COOKIE, value, { path: '/', maxAge, httpOnly: true, sameSite: 'strict', secure: this.config.publicUrl.startsWith('https:') });
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
