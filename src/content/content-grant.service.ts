import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { SecretsService } from '../secrets/secrets.service';

export type GrantCheck = 'ok' | 'invalid' | 'expired';

/**
 * Expiring read grants for course files (docs/architecture.md): a signed path prefix
 * `/content/<versionId>/<expires>.<mac>/` scoped to one course version, so relative links inside a
 * package keep working and no cookie is needed inside an LMS iframe.
 */
@Injectable()
export class ContentGrantService {
  constructor(
    private readonly secrets: SecretsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Absolute URL prefix (ending in '/') granting read access to a version until `ttlSeconds` from now. */
  async grantPrefix(versionId: string, ttlSeconds: number, now = this.clock.now()): Promise<string> {
    const expires = Math.floor(now / 1000) + ttlSeconds;
    const mac = await this.mac(versionId, expires);
    return `${this.config.contentUrl}/content/${versionId}/${expires}.${mac}/`;
  }

  /** Absolute URL of a package-relative launch URL (which may carry ?query and #fragment). */
  async launchUrl(versionId: string, launchUrl: string, ttlSeconds: number): Promise<string> {
    if (/^https?:\/\//i.test(launchUrl)) {
      return launchUrl;
    }
    return (await this.grantPrefix(versionId, ttlSeconds)) + encodePath(launchUrl);
  }

  async check(versionId: string, grant: string, now = this.clock.now()): Promise<{ result: GrantCheck; expires: number }> {
    const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(grant);
    if (!m) {
      return { result: 'invalid', expires: 0 };
    }
    const expires = Number(m[1]);
    const expected = Buffer.from(await this.mac(versionId, expires));
    const given = Buffer.from(m[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { result: 'invalid', expires };
    }
    return { result: expires * 1000 > now ? 'ok' : 'expired', expires };
  }

  private async mac(versionId: string, expires: number): Promise<string> {
    const key = await this.secrets.get('content-grant');
    return createHmac('sha256', key).update(`${versionId}.${expires}`).digest('base64url');
  }
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
