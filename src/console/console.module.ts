import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { CoursesModule } from '../courses/courses.module';
import { PlayerModule } from '../player/player.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { ConsoleController } from './console.controller';
import { ConsoleRepository } from './console.repository';
import { ConsoleService } from './console.service';

/**
 * The web console (issue 5): the console page and its static files, sign-in and sign-out (the
 * session itself is the admin module's, since the admin guard accepts it), previews and course
 * statistics.
 */
@Module({
  imports: [AdminModule, CoursesModule, PlayerModule, RateLimitsModule],
  controllers: [ConsoleController],
  providers: [ConsoleService, ConsoleRepository],
})
export class ConsoleModule {}
