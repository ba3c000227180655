import { Module } from '@nestjs/common';
import { AttemptLaunchService } from './attempt-launch.service';
import { AttemptsSql } from './attempts.sql';
import { CourseVersionCache } from './course-version-cache';
import { GroupCommitService } from './group-commit.service';
import { LaunchCodeService } from './launch-code.service';
import { ScoLaunchService } from './sco-launch.service';
import { RuntimeController } from './runtime.controller';
import { RuntimeTokenService } from './runtime-token.service';

/**
 * Attempts and the runtime API. `ResultListener` (the grade seam) is injected optionally: the grades
 * module provides it globally; without it GroupCommitService uses a no-op.
 */
@Module({
  controllers: [RuntimeController],
  providers: [AttemptsSql, CourseVersionCache, AttemptLaunchService, LaunchCodeService, ScoLaunchService, GroupCommitService, RuntimeTokenService],
  exports: [AttemptLaunchService, LaunchCodeService, RuntimeTokenService],
})
export class AttemptsModule {}
