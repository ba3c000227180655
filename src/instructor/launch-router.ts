import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { LaunchHandoff, LtiLaunchContext } from '../lti/protocol/launch-context';
import { PlayerLaunchService } from '../player/player-launch.service';
import { RosterService } from '../roster/roster.service';

/**
 * The app's `LaunchHandoff`: where a checked resource-link launch goes. Learners go to the player;
 * after the answer, the context's Names and Roles roster is refreshed in the background (never
 * delaying or failing the launch; src/roster/README.md).
 */
@Injectable()
export class LaunchRouter extends LaunchHandoff {
  constructor(
    private readonly player: PlayerLaunchService,
    private readonly roster: RosterService,
  ) {
    super();
  }

  async handoff(ctx: LtiLaunchContext, res: Response): Promise<void> {
    await this.player.handoff(ctx, res);
    this.roster.refreshInBackground(ctx);
  }
}
