import { Module } from '@nestjs/common';
import { LaunchHandoff } from '../lti/protocol/launch-context';
import { PlayerModule } from '../player/player.module';
import { RosterModule } from '../roster/roster.module';
import { LaunchRouter } from './launch-router';

/**
 * What follows a checked launch on the tool origin: the `LaunchRouter` (binds the LTI module's
 * `LaunchHandoff` seam: learners to the player, the roster refreshed in the background).
 */
@Module({
  imports: [PlayerModule, RosterModule],
  providers: [LaunchRouter, { provide: LaunchHandoff, useExisting: LaunchRouter }],
  exports: [LaunchHandoff],
})
export class InstructorModule {}
