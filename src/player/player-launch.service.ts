import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config';
import { AttemptsService } from '../attempts/attempts.service';
import { LaunchHandoff, LtiLaunchContext } from '../lti/launch-context';

/**
 * After a validated LTI launch: resolve the attempt and send the browser to the player on the content
 * origin with a one-time, ~60 s launch code (DESIGN §2). No cookie and no long-lived credential
 * travels in the URL; the runtime token is minted when the code is redeemed.
 */
@Injectable()
export class PlayerLaunchService extends LaunchHandoff {
  constructor(
    private readonly attempts: AttemptsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async handoff(ctx: LtiLaunchContext, res: Response): Promise<void> {
    const url = await this.playerUrl(ctx);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, url);
  }

  /** The one-time player URL for a launch (also used by tests that enter without an LMS). */
  async playerUrl(ctx: LtiLaunchContext): Promise<string> {
    const attempt = await this.attempts.resolveLaunch(ctx);
    const code = await this.attempts.createLaunchCode(attempt.id, ctx.returnUrl);
    return `${this.config.contentUrl}/player/${code}`;
  }
}
