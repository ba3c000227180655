import { Module } from '@nestjs/common';
import { GradesModule } from '../grades/grades.module';
import { SecretsModule } from '../secrets/secrets.module';
import { AttemptResultController } from './attempt-result.controller';
import { AttemptLaunchService } from './attempt-launch.service';
import { AttemptsRepository } from './attempts.repository';
import { CourseVersionCache } from './course-version-cache';
import { GroupCommitService } from './group-commit.service';
import { LaunchCodeService } from './launch-code.service';
import { ScoLaunchService } from './sco-launch.service';
import { ScoStatesRepository } from './sco-states.repository';
import { RuntimeCommits } from './runtime-commits';
import { RuntimeController, RuntimeSequencingController } from './runtime.controller';
import { RuntimeTokenService } from './runtime-token.service';
import { ResumeSeedService } from './resume-seed.service';
import { SequencingStateRepository } from './sequencing-state.repository';
import { SequencingStateService } from './sequencing-state.service';

/**
 * Attempts and the runtime API, one job a file: launch resolution (attempt-launch.service), launch
 * codes (launch-code.service), the course version caches (course-version-cache), starting a SCO
 * (sco-launch.service), the batching writer (group-commit.service) and what a commit writes, decided
 * without the database (commit-plan.ts); their database access in attempts.repository and
 * sco-states.repository. The group commit tells the `ResultListener` seam about every applied
 * commit; the grades module implements it (its outbox) and binds it. `ResumeSeedService` gives a fresh
 * attempt the place another system kept (a dispatch's LMS) through that same commit path;
 * `AttemptResultController` answers the player the attempt's course result (a dispatch relays it).
 */
@Module({
  imports: [GradesModule, SecretsModule],
  controllers: [RuntimeController, RuntimeSequencingController, AttemptResultController],
  providers: [AttemptsRepository, ScoStatesRepository, CourseVersionCache, AttemptLaunchService, LaunchCodeService, ScoLaunchService, GroupCommitService, RuntimeCommits, RuntimeTokenService, ResumeSeedService, SequencingStateRepository, SequencingStateService],
  exports: [RuntimeCommits, AttemptLaunchService, LaunchCodeService, RuntimeTokenService, ResumeSeedService, SequencingStateService],
})
export class AttemptsModule {}
