import { HttpStatus, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import { SecretsService } from '../secrets/secrets.service';

/** How long an instructor view token opens the view: one working session, then a launch from the LMS again. */
export const INSTRUCTOR_VIEW_TTL_SECONDS = 3600;

/** What an instructor's launch allows: the results of one link in one LMS context of one platform. */
export interface ViewClaims {
  /** Platform (registration) id. */
  platformId: string;
  /** The launch's `context.id` (null when the launch named none). */
  contextId: string | null;
  /** Our resource link row id. */
  linkId: string;
  /** The instructor's preview attempt on that link (the "Open the course" button). */
  previewAttemptId: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * The instructor view's credential (src/lti/README.md, "The instructor view"): an HMAC-signed token
 * issued by an instructor's launch and scoped to (platform, context, link), carried as a path segment
 * of `/lti/instructor/<token>` on the tool origin. No cookie, so it works in an LMS iframe where
 * third-party cookies are blocked; it never reaches the content origin, so course JavaScript cannot read it.
 */
@Injectable()
export class ViewTokenService {
  constructor(
    private readonly secrets: SecretsService,
    private readonly clock: Clock,
  ) {}

  async issue(claims: Omit<ViewClaims, 'exp'>, ttlSeconds = INSTRUCTOR_VIEW_TTL_SECONDS): Promise<string> {
    const exp = Math.floor(this.clock.now() / 1000) + ttlSeconds;
    const body = Buffer.from(JSON.stringify([claims.platformId, claims.contextId, claims.linkId, claims.previewAttemptId, exp])).toString('base64url');
    return `${body}.${await this.mac(body)}`;
  }

  /** The claims of a token; `instructor_view_expired` past its time, `instructor_view_invalid` for anything not ours. */
  async verify(token: string): Promise<ViewClaims> {
    const m = /^([A-Za-z0-9_-]{10,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
    const invalid = new AppError('instructor_view_invalid', 'This results link is not valid. Open the activity again from your LMS.', HttpStatus.UNAUTHORIZED);
    if (!m) {
      throw invalid;
    }
    const expected = Buffer.from(await this.mac(m[1]));
    const given = Buffer.from(m[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw invalid;
    }
    const [platformId, contextId, linkId, previewAttemptId, exp] = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as [string, string | null, string, string, number];
    if (exp * 1000 <= this.clock.now()) {
      throw new AppError(
        'instructor_view_expired',
        'This results view has expired (it lasts an hour after you open the activity). Open the activity again from your LMS to see the results.',
        HttpStatus.UNAUTHORIZED,
      );
    }
    return { platformId, contextId, linkId, previewAttemptId, exp };
  }

  private async mac(body: string): Promise<string> {
    return createHmac('sha256', await this.secrets.get('instructor-view')).update(body).digest('base64url');
  }
}
