import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AttemptLaunchService } from '../attempts/attempt-launch.service';
import { sendHtml } from '../common/html';
import { AppConfig } from '../config/app-config';
import { LaunchHandoff, LtiLaunchContext } from '../lti/protocol/launch-context';
import { PlayerLaunchService, renderHandoffPage } from '../player/player-launch.service';
import { RosterService } from '../roster/roster.service';
import { ViewTokenService } from './view-token.service';

/**
 * The app's `LaunchHandoff`: where a checked resource-link launch goes. A learner goes to the player.
 * An instructor (`ctx.isInstructor`, the one rule `isPrivilegedRole`) gets their preview attempt
 * (resolved now, not graded) and is sent to the instructor view of the link on the tool origin with a
 * token scoped to (platform, context, link). After either answer, the context's Names and Roles
 * roster is refreshed in the background (never delaying or failing the launch; src/roster/README.md).
 */
@Injectable()
export class LaunchRouter extends LaunchHandoff {
  constructor(
    private readonly player: PlayerLaunchService,
    private readonly attempts: AttemptLaunchService,
    private readonly tokens: ViewTokenService,
    private readonly roster: RosterService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async handoff(ctx: LtiLaunchContext, res: Response): Promise<void> {
    if (ctx.isInstructor) {
      const preview = await this.attempts.resolveLaunch(ctx);
      const token = await this.tokens.issue({ platformId: ctx.platformId, contextId: ctx.contextId ?? null, linkId: preview.resourceLinkId, previewAttemptId: preview.id });
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-store');
      sendHtml(res, renderHandoffPage(`${this.config.publicUrl}/lti/instructor/${token}`, 'instructor view'));
    } else {
      await this.player.handoff(ctx, res);
    }
    this.roster.refreshInBackground(ctx);
  }
}
