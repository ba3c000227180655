import { Global, Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { ConsoleController } from './console.controller';
import { ConsoleSessionService } from './console-session.service';
import { ConsoleRepository } from './console.repository';
import { ConsoleService } from './console.service';

/**
 * The web console (issue 5): sign-in sessions, the console page and its static files, previews and
 * course statistics. Global so the admin guard can accept the console's session cookie.
 */
@Global()
@Module({
  imports: [CoursesModule],
  controllers: [ConsoleController],
  providers: [ConsoleSessionService, ConsoleService, ConsoleRepository],
  exports: [ConsoleSessionService],
})
export class ConsoleModule {}
