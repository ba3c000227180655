import { Injectable } from '@nestjs/common';
import type { CourseVersion } from '../courses/course-version.entity';
import { findItem } from '../scorm/manifest-items';
import { launchedStatus } from '../scorm/result-rules';
import type { ScoSummary } from '../scorm/manifest.types';
import type { Attempt } from './attempt.entity';
import { initialCmi, learnerDisplayName } from './cmi-rules';
import { carriedTotalTime, fullCmi } from './commit-plan';
import { CourseVersionCache } from './course-version-cache';
import type { Learner } from './learner.entity';
import { AttemptsRepository } from './attempts.repository';
import type { RuntimeClaims } from './runtime-token.service';
import type { ScoState } from './sco-state.entity';
import { ScoStatesRepository } from './sco-states.repository';
import { checkScope, scoOf } from './sco-lookup';

export interface ScoLaunchState {
  itemId: string;
  entry: string;
  cmi: Record<string, unknown>;
}

/** Which SCO a launch opens: the one left suspended most recently, else the first not completed, else the first. */
export function pickStartItem(scos: ScoSummary[], states: ScoState[]): string {
  const byItem = new Map(states.map((s) => [s.itemId, s]));
  const suspended = states
    .filter((s) => s.exit === 'suspend' && scos.some((c) => c.itemId === s.itemId))
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  if (suspended.length) {
    return suspended[0].itemId;
  }
  const open = scos.find((c) => c.isVisible && byItem.get(c.itemId)?.completionStatus !== 'completed');
  return (open ?? scos.find((c) => c.isVisible) ?? scos[0]).itemId;
}

/** Starting a SCO: the CMI data it begins with, from its stored state (player/README.md). */
@Injectable()
export class ScoLaunchService {
  constructor(
    private readonly repo: AttemptsRepository,
    private readonly states: ScoStatesRepository,
    private readonly versions: CourseVersionCache,
  ) {}

  async loadAttempt(attemptId: string): Promise<{ attempt: Attempt; version: CourseVersion; learner: Learner }> {
    const { attempt, version } = await this.versions.attemptAndVersion(attemptId);
    const learner = await this.repo.findLearnerOrFail(attempt.learnerId);
    return { attempt, version, learner };
  }

  /**
   * The data a SCO starts with (player/README.md): entry `ab-initio` the first time, `resume`
   * after exit=suspend, else ''; in 2004 a non-suspend Terminate ended the SCO attempt, so it starts
   * afresh. Records the visit (an asset counts as completed once opened).
   */
  async launchSco(claims: RuntimeClaims, attemptId: string, itemId: string): Promise<ScoLaunchState> {
    checkScope(claims, attemptId);
    const { attempt, version, learner } = await this.loadAttempt(attemptId);
    const sco = scoOf(version, itemId);
    let state = await this.states.findState(attemptId, itemId);
    const now = new Date();
    if (!state) {
      state = await this.states.insertFirstState({
        attemptId,
        itemId,
        ...launchedStatus(sco.scormType),
        visitedAt: now,
        cmi: null,
      });
    } else if (!state.visitedAt) {
      await this.states.markVisited(state.id, now);
    }
    const v = version.scormVersion as '1.2' | '2004';
    let saved: Record<string, unknown> | null = fullCmi(state);
    let entry: 'ab-initio' | 'resume' | '' = 'ab-initio';
    let total = state.totalTimeSeconds;
    if (saved) {
      const carried = carriedTotalTime(v, state, saved);
      if (carried === null) {
        saved = null;
        total = 0;
      } else {
        total = carried;
        entry = state.exit === 'suspend' ? 'resume' : '';
      }
    }
    const cmi = initialCmi({
      version: v,
      item: findItem(version.manifest.items, itemId),
      learnerId: learner.sub,
      learnerName: learnerDisplayName(learner),
      credit: attempt.preview ? 'no-credit' : 'credit',
      mode: 'normal',
      saved,
      entry,
      totalTimeSeconds: total,
    });
    return { itemId, entry, cmi };
  }
}
