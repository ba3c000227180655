import { Injectable } from '@nestjs/common';
import type { Attempt } from './attempt.entity';
import { CourseVersionCache } from './course-version-cache';
import { GroupCommitService } from './group-commit.service';
import { ScoStatesRepository } from './sco-states.repository';

/** Where a learner was, as another system kept it: SCORM's location and suspend data. */
export interface ResumeSeed {
  location?: string | null;
  suspendData?: string | null;
}

/**
 * Gives a single-SCO attempt the bridge has no record of the place another system kept for the
 * learner (a dispatch package's LMS, docs/dispatch.md "Closing the tab, relaunching"): one commit with
 * that location and suspend data and `exit = suspend`, through the ordinary commit path (its rules
 * and checks), before the player starts, so the SCO resumes there. A SCO the bridge has a state of
 * is left as it is: the bridge's record is never older than what was relayed from it.
 */
@Injectable()
export class ResumeSeedService {
  constructor(
    private readonly versions: CourseVersionCache,
    private readonly states: ScoStatesRepository,
    private readonly commits: GroupCommitService,
  ) {}

  /** True when the seed was written. */
  async seed(attempt: Pick<Attempt, 'id' | 'launchCount'>, seed: ResumeSeed): Promise<boolean> {
    if (!seed.location && !seed.suspendData) {
      return false;
    }
    const version = await this.versions.versionOfAttempt(attempt.id);
    const scos = version.manifest.scos.filter((s) => s.scormType === 'sco');
    if (scos.length !== 1 || (await this.states.findState(attempt.id, scos[0].itemId))) {
      return false;
    }
    const location = seed.location ?? '';
    const suspendData = seed.suspendData ?? '';
    const cmi = version.scormVersion === '1.2' ? { core: { lesson_location: location, exit: 'suspend' }, suspend_data: suspendData } : { location, suspend_data: suspendData, exit: 'suspend' };
    // Launch number of the attempt as it is now: the player's launch (redeemed next) counts one more, so its commits come after this one.
    const outcome = await this.commits.commit({ attemptId: attempt.id, launch: attempt.launchCount, exp: Number.MAX_SAFE_INTEGER }, attempt.id, scos[0].itemId, { session: 0, seq: 1, cmi });
    return outcome.applied;
  }
}
