import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CourseVersion } from '../courses/course-version.entity';
import { RollupMemo, sharedDataTargets, untimed, stateForPlayer, type ScoTracking } from '../sequencing/server-run';
import { selectsChildren } from '../sequencing/saved-selection';
import type { SerializedSequencingState } from '../sequencing/sequencing-state';
import type { ScoState } from './sco-state.entity';
import { SequencingStateRepository } from './sequencing-state.repository';

/** A SCO state as the server's engine run reads it (docs/sequencing.md, "The grade"). */
export function scoTracking(s: ScoState): ScoTracking {
  return {
    itemId: s.itemId,
    completionStatus: s.completionStatus,
    successStatus: s.successStatus,
    score: s.cmi?.score,
    progressMeasure: s.progressMeasure,
    objectives: s.cmi?.objectives,
    ended: s.terminated && s.exit !== 'suspend',
  };
}

/**
 * SCORM 2004 sequencing state on the server (docs/sequencing.md, "State on the server"): saves the
 * player engine's state with a commit, works out the root activity's result from the SCOs' stored
 * data with the server's own engine run (and the learner-wide global objectives it writes), and
 * gives the player the state to start from.
 */
@Injectable()
export class SequencingStateService {
  /** Rollup runs remembered by their inputs (one per process; see {@link RollupMemo}). */
  readonly rollups = new RollupMemo();

  constructor(private readonly repo: SequencingStateRepository) {}

  /**
   * Stores the player's state when newer than the stored one; the `adl.data` stores a course shares
   * with the whole system go to the learner's stores (only the ones the course may write).
   */
  async save(m: EntityManager, attemptId: string, version: CourseVersion, text: string, parsed: SerializedSequencingState, launch: number, seq: number): Promise<boolean> {
    const saved = await this.repo.saveState(attemptId, text, launch, seq, m);
    const compiled = version.sequencing;
    if (saved && compiled?.sharedDataGlobalToSystem && parsed.sharedData && typeof parsed.sharedData === 'object') {
      const writable = sharedDataTargets(compiled, 'write');
      const learnerId = await this.repo.learnerOf(attemptId, m);
      for (const [key, value] of Object.entries(parsed.sharedData)) {
        if (learnerId && writable.has(key) && typeof value === 'string') {
          await this.repo.writeStore(learnerId, 'data', key, value, m);
        }
      }
    }
    return saved;
  }

  /**
   * The root activity's completion, success and measure after the engine's rollup over the
   * attempt's stored SCO data (with the learner's global objectives when the course shares them),
   * written on the attempt; the global objectives the course writes go to the learner's stores.
   * `states`: every SCO state of the attempt as the commit's transaction holds them (the group commit
   * has just read, locked and updated them: not read again).
   */
  async rollUp(m: EntityManager, attemptId: string, version: CourseVersion, states: ScoState[]): Promise<void> {
    const compiled = version.sequencing;
    if (!compiled) {
      return;
    }
    const learnerId = compiled.objectivesGlobalToSystem ? await this.repo.learnerOf(attemptId, m) : null;
    const stores = learnerId ? await this.repo.readStores(learnerId, m) : undefined;
    const scos = states.filter((s) => s.cmi !== null).map(scoTracking);
    // Of the saved state the run reads only the clusters' selections: not read without any.
    const saved = selectsChildren(compiled) ? await this.repo.readState(attemptId, m) : null;
    const run = this.rollups.rollUp(version.id, compiled, scos, stores?.objectives, saved);
    await this.repo.writeRoot(attemptId, { rootCompletion: run.root.completion, rootSuccess: run.root.success, rootMeasure: run.root.measure }, m);
    if (learnerId) {
      // Most runs write back what they read: a store left as it was (but for the engine's `lastUpdated`) is not written again.
      const before = untimed(stores?.objectives ?? {});
      const after = untimed(run.writtenGlobals);
      for (const [id, entry] of Object.entries(run.writtenGlobals)) {
        if (!(id in before) || JSON.stringify(before[id]) !== JSON.stringify(after[id])) {
          await this.repo.writeStore(learnerId, 'objective', id, JSON.stringify(entry), m);
        }
      }
    }
  }

  /** The player's starting state (src/player/bootstrap.types.ts `PlayerSequencing.state`). */
  async playerState(attemptId: string, learnerId: string, version: CourseVersion): Promise<string | null> {
    const compiled = version.sequencing;
    if (!compiled) {
      return null;
    }
    const saved = await this.repo.readState(attemptId);
    const shares = compiled.objectivesGlobalToSystem || compiled.sharedDataGlobalToSystem;
    const stores = shares ? await this.repo.readStores(learnerId) : { objectives: {}, data: {} };
    return stateForPlayer(compiled, saved, stores);
  }
}
