import type { CourseResult } from '../scorm/result-rules';

/** AGS §3.4 activityProgress values. */
export type ActivityProgress = 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
/** AGS §3.4 gradingProgress values. */
export type GradingProgress = 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';

/** The score fields that depend on the result; `userId` and `timestamp` are added at send time. */
export interface ScoreContent {
  activityProgress: ActivityProgress;
  gradingProgress: GradingProgress;
  scoreGiven?: number;
  scoreMaximum?: number;
}

/** How a course's results become a grade (src/grades/README.md defaults, overridable per course: `PATCH /api/courses/:id`). */
export interface GradePolicy {
  /** `scoreMaximum` sent with every score (our own line items are created with 100). */
  scoreMaximum: number;
  /** Which attempt's result is sent when a learner has several. */
  attempts: 'highest' | 'latest' | 'first';
  /** A completed course without any score earns full credit (src/grades/README.md row 3); else it is sent without a score. */
  completionEarnsFullCredit: boolean;
}

export const DEFAULT_GRADE_POLICY: GradePolicy = { scoreMaximum: 100, attempts: 'highest', completionEarnsFullCredit: true };

/** The effective policy of a course: its stored overrides on top of the defaults. */
export function effectivePolicy(overrides: Partial<GradePolicy> | null | undefined): GradePolicy {
  return { ...DEFAULT_GRADE_POLICY, ...(overrides ?? {}) };
}

/** Rounds to 4 decimals so float noise never counts as a changed result. */
const round = (n: number) => Math.round(n * 10_000) / 10_000;

/**
 * Maps a course result to AGS score content, row by row from src/grades/README.md:
 *
 * | state                       | activityProgress | gradingProgress | scoreGiven                 |
 * | launched, nothing reported  | Started          | NotReady        | omitted                    |
 * | incomplete / in progress    | InProgress       | Pending         | score so far, if any       |
 * | completed, no score         | Completed        | FullyGraded     | scoreMaximum               |
 * | passed / failed with score  | Completed        | FullyGraded     | score × scoreMaximum       |
 * | failed without a score      | Completed        | FullyGraded     | 0                          |
 *
 * A failed learner is still `FullyGraded`: in AGS, `Failed` means grading failed (src/grades/README.md).
 */
export function toScoreContent(result: CourseResult, policy: GradePolicy = DEFAULT_GRADE_POLICY): ScoreContent {
  const max = policy.scoreMaximum;
  const given = result.score !== undefined ? round(result.score * max) : undefined;
  const final = result.completion === 'completed' || result.success === 'passed' || result.success === 'failed';
  if (final) {
    let scoreGiven = given;
    if (scoreGiven === undefined) {
      if (result.success === 'failed') {
        scoreGiven = 0;
      } else if (policy.completionEarnsFullCredit) {
        scoreGiven = max;
      }
    }
    return scoreGiven === undefined
      ? { activityProgress: 'Completed', gradingProgress: 'FullyGraded' }
      : { activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven, scoreMaximum: max };
  }
  if (result.reported) {
    return given === undefined
      ? { activityProgress: 'InProgress', gradingProgress: 'Pending' }
      : { activityProgress: 'InProgress', gradingProgress: 'Pending', scoreGiven: given, scoreMaximum: max };
  }
  if (result.started) {
    return { activityProgress: 'Started', gradingProgress: 'NotReady' };
  }
  return { activityProgress: 'Initialized', gradingProgress: 'NotReady' };
}

const PROGRESS_RANK: Record<ActivityProgress, number> = { Initialized: 0, Started: 1, InProgress: 2, Submitted: 3, Completed: 4 };

/** True when `a` is a better grade than `b`: final beats unfinished, then the higher score, then more progress. */
export function isBetterScore(a: ScoreContent, b: ScoreContent): boolean {
  const fa = a.gradingProgress === 'FullyGraded' ? 1 : 0;
  const fb = b.gradingProgress === 'FullyGraded' ? 1 : 0;
  if (fa !== fb) {
    return fa > fb;
  }
  const sa = a.scoreGiven ?? -1;
  const sb = b.scoreGiven ?? -1;
  if (sa !== sb) {
    return sa > sb;
  }
  return PROGRESS_RANK[a.activityProgress] > PROGRESS_RANK[b.activityProgress];
}

/**
 * Chooses the score to send from a learner's attempts (ordered by attempt number): the highest by
 * default (src/grades/README.md "Attempts"), or the latest / first. Undefined when there is no attempt.
 */
export function pickAttemptScore(attempts: ScoreContent[], policy: GradePolicy = DEFAULT_GRADE_POLICY): ScoreContent | undefined {
  if (attempts.length === 0) {
    return undefined;
  }
  switch (policy.attempts) {
    case 'first':
      return attempts[0];
    case 'latest':
      return attempts[attempts.length - 1];
    case 'highest':
      return attempts.reduce((best, a) => (isBetterScore(a, best) ? a : best));
  }
}

/** True when two score contents would be the same AGS score (so no new send is needed). */
export function sameScore(a: ScoreContent | null | undefined, b: ScoreContent | null | undefined): boolean {
  if (!a || !b) {
    return a === b;
  }
  return a.activityProgress === b.activityProgress && a.gradingProgress === b.gradingProgress && a.scoreGiven === b.scoreGiven && a.scoreMaximum === b.scoreMaximum;
}
