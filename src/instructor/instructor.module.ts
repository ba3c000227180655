import { Module } from '@nestjs/common';
import { AttemptsModule } from '../attempts/attempts.module';
import { CustomersModule } from '../customers/customers.module';
import { GradesModule } from '../grades/grades.module';
import { LaunchHandoff } from '../lti/protocol/launch-context';
import { PlatformsModule } from '../platforms/platforms.module';
import { PlayerModule } from '../player/player.module';
import { RosterModule } from '../roster/roster.module';
import { SecretsModule } from '../secrets/secrets.module';
import { InstructorController } from './instructor.controller';
import { InstructorRepository } from './instructor.repository';
import { InstructorViewService } from './instructor-view.service';
import { LaunchRouter } from './launch-router';
import { ViewTokenService } from './view-token.service';

/**
 * What follows a checked launch on the tool origin: the `LaunchRouter` (binds the LTI module's
 * `LaunchHandoff` seam: learners to the player, instructors to their view; the roster refreshed in
 * the background) and the instructor view of a link (`/lti/instructor/<token>`; src/lti/README.md).
 */
@Module({
  imports: [AttemptsModule, CustomersModule, GradesModule, PlatformsModule, PlayerModule, RosterModule, SecretsModule],
  controllers: [InstructorController],
  providers: [LaunchRouter, { provide: LaunchHandoff, useExisting: LaunchRouter }, InstructorRepository, InstructorViewService, ViewTokenService],
  exports: [LaunchHandoff],
})
export class InstructorModule {}
