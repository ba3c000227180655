import { Global, Module } from '@nestjs/common';
import { AttemptsModule } from '../attempts/attempts.module';
import { ContentModule } from '../content/content.module';
import { PlayerController } from './player.controller';
import { PlayerLaunchService } from './player-launch.service';

/**
 * The player shell on the content origin and the LTI → player handoff (DESIGN §1.3–§1.4). Global so
 * the LTI module's `LaunchHandoff` binding can point at PlayerLaunchService.
 */
@Global()
@Module({
  imports: [AttemptsModule, ContentModule],
  controllers: [PlayerController],
  providers: [PlayerLaunchService],
  exports: [PlayerLaunchService, AttemptsModule],
})
export class PlayerModule {}
