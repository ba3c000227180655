import { HttpStatus, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { setBounded } from '../common/bounded-map';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { SecretsService } from '../secrets/secrets.service';

export type GrantCheck = 'ok' | 'invalid' | 'expired';

/** Most grants whose signature is remembered as checked; past it the oldest (or an expired one) is forgotten (a grant is one HMAC to check again). */
const VERIFIED_GRANTS_MAX = 50_000;

/**
 * Grants expire on the next multiple of this many seconds after their lifetime (at most 10 minutes
 * more): every learner who opens a version within the same ten minutes gets the same grant, so a
 * course file has one address for all of them, which a shared cache (a CDN) keeps once.
 */
export const GRANT_WINDOW_SECONDS = 600;

/**
 * Expiring read grants for course files (docs/architecture.md): a signed path prefix
 * `/content/<versionId>/<expires>.<mac>/` scoped to one course version, so relative links inside a
 * package keep working and no cookie is needed inside an LMS iframe. A grant names no learner: all
 * who open a version within one `GRANT_WINDOW_SECONDS` share it.
 *
 * With `CONTENT_LINK_SECRET` set (the offload mode with nginx's `secure_link`, deploy/nginx/README.md)
 * a grant is `<expires>.<mac>.<link>`: `link` is the base64url MD5 of `<expires>:<versionId>:<secret>`,
 * which nginx checks itself, expiry included, without asking the bridge. The bridge checks both.
 */
@Injectable()
export class ContentGrantService implements OnApplicationBootstrap {
  /** The signing key, read once at start (a database read per file would be the slow path). */
  private key?: Buffer;
  /** `<versionId>/<grant>` → its expiry (s) for grants whose signature was checked: one HMAC per grant, not per file. */
  private readonly verified = new Map<string, number>();

  constructor(
    private readonly secrets: SecretsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Absolute URL prefix (ending in '/') granting read access to a version for `ttlSeconds` from now, rounded up to the window. */
  async grantPrefix(versionId: string, ttlSeconds: number, now = this.clock.now()): Promise<string> {
    const expires = Math.ceil((Math.floor(now / 1000) + ttlSeconds) / GRANT_WINDOW_SECONDS) * GRANT_WINDOW_SECONDS;
    const mac = await this.mac(versionId, expires);
    const secret = this.config.contentLinkSecret;
    const link = secret ? `.${linkFor(secret, versionId, expires)}` : '';
    return `${this.config.contentUrl}/content/${versionId}/${expires}.${mac}${link}/`;
  }

  /** Absolute URL of a package-relative launch URL (which may carry ?query and #fragment). */
  async launchUrl(versionId: string, launchUrl: string, ttlSeconds: number): Promise<string> {
    if (/^https?:\/\//i.test(launchUrl)) {
      return launchUrl;
    }
    return (await this.grantPrefix(versionId, ttlSeconds)) + encodePath(launchUrl);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.key = await this.secrets.get('content-grant');
  }

  /**
   * Checks a grant in memory (no database read, and one HMAC per grant thanks to the remembered
   * signatures); expiry is checked against the clock on every call.
   */
  check(versionId: string, grant: string, now = this.clock.now()): { result: GrantCheck; expires: number } {
    const id = `${versionId}/${grant}`;
    let expires = this.verified.get(id);
    if (expires === undefined) {
      const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})(?:\.([A-Za-z0-9_-]{22}))?$/.exec(grant);
      if (!m || !this.key) {
        return { result: 'invalid', expires: 0 };
      }
      expires = Number(m[1]);
      // A link part is checked when this bridge makes them; one made before the secret was removed is ignored.
      const secret = this.config.contentLinkSecret;
      if (!same(macWith(this.key, versionId, expires), m[2]) || (m[3] !== undefined && secret && !same(linkFor(secret, versionId, expires), m[3]))) {
        return { result: 'invalid', expires };
      }
      setBounded(this.verified, id, expires, VERIFIED_GRANTS_MAX, (e) => !grantOpen(e, now));
    }
    return { result: grantOpen(expires, now) ? 'ok' : 'expired', expires };
  }

  /** The grant's expiry (s) when it lets a reader in now; otherwise the refusal every content route answers. */
  require(versionId: string, grant: string): number {
    const check = this.check(versionId, grant);
    if (check.result !== 'ok') {
      throw new AppError(
        check.result === 'expired' ? 'content_grant_expired' : 'content_grant_invalid',
        check.result === 'expired' ? 'This link to the course has expired; relaunch the course from your LMS.' : 'This link to the course is not valid.',
        HttpStatus.FORBIDDEN,
      );
    }
    return check.expires;
  }

  private async mac(versionId: string, expires: number): Promise<string> {
    this.key ??= await this.secrets.get('content-grant');
    return macWith(this.key, versionId, expires);
  }
}

/** Whether a grant expiring at `expires` (s since the epoch) still lets a reader in at `now` (ms). */
export function grantOpen(expires: number, now: number): boolean {
  return expires * 1000 > now;
}

function macWith(key: Buffer, versionId: string, expires: number): string {
  return createHmac('sha256', key).update(`${versionId}.${expires}`).digest('base64url');
}

/**
 * The grant's part nginx checks (`secure_link_md5 "$bridge_expires:$bridge_version:<secret>"`,
 * deploy/nginx/content-offload-link.conf). MD5 is what nginx offers; keyed with a secret at the end
 * of a message only the bridge chooses, it cannot be forged without the secret (no length extension
 * past the secret, and collisions need a message pair the bridge would have to sign).
 */
function linkFor(secret: string, versionId: string, expires: number): string {
  return createHash('md5').update(`${expires}:${versionId}:${secret}`).digest('base64url');
}

function same(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Percent-encodes each path segment of a package-relative URL, keeping its query and fragment as they are. */
export function encodePath(url: string): string {
  const cut = url.search(/[?#]/);
  const pathPart = cut < 0 ? url : url.slice(0, cut);
  const rest = cut < 0 ? '' : url.slice(cut);
  return (
    pathPart
      .split('/')
      .map((seg) => encodeURIComponent(safeDecode(seg)))
      .join('/') + rest
  );
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
