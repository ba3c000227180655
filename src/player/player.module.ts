import { Module } from '@nestjs/common';
import { AttemptsModule } from '../attempts/attempts.module';
import { ContentModule } from '../content/content.module';
import { LaunchHandoff } from '../lti/protocol/launch-context';
import { PlayerController } from './player.controller';
import { PlayerLaunchService } from './player-launch.service';

/**
 * The player shell on the content origin and the LTI → player handoff (docs/lti-launch-checks.md). PlayerLaunchService
 * implements the LTI module's `LaunchHandoff` seam, so the binding is made here.
 */
@Module({
  imports: [AttemptsModule, ContentModule],
  controllers: [PlayerController],
  providers: [PlayerLaunchService, { provide: LaunchHandoff, useExisting: PlayerLaunchService }],
  exports: [PlayerLaunchService, LaunchHandoff],
})
export class PlayerModule {}
