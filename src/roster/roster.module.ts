import { Module } from '@nestjs/common';
import { GradesModule } from '../grades/grades.module';
import { PlatformsModule } from '../platforms/platforms.module';
import { RosterRepository } from './roster.repository';
import { RosterService } from './roster.service';

/**
 * Names and Roles rosters of LMS contexts (src/roster/README.md): fetched in the background of a
 * launch with the service-token machinery of the grades module's `AgsClient`, cached per (platform,
 * context), read by the instructor view and reports through `RosterService`.
 */
@Module({
  imports: [GradesModule, PlatformsModule],
  providers: [RosterRepository, RosterService],
  exports: [RosterService],
})
export class RosterModule {}
