import { Module } from '@nestjs/common';
import { AttemptsModule } from '../attempts/attempts.module';
import { ContentModule } from '../content/content.module';
import { PlayerController } from './player.controller';
import { PlayerLaunchService } from './player-launch.service';

/**
 * The player shell on the content origin and the LTI → player handoff (docs/lti-launch-checks.md):
 * `PlayerLaunchService` implements `LaunchHandoff`; the instructor module's `LaunchRouter`, which binds
 * the seam, sends learners (and an instructor's preview) through it.
 */
@Module({
  imports: [AttemptsModule, ContentModule],
  controllers: [PlayerController],
  providers: [PlayerLaunchService],
  exports: [PlayerLaunchService],
})
export class PlayerModule {}
