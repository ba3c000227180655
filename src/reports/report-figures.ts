import { csvPercent } from '../common/csv';
import type { CourseResult } from '../scorm/result-rules';

/**
 * The usage figures of a set of counted attempts, as docs/rest-api.md ("Reports") defines them. Every
 * figure comes from the attempts' course results (`attemptResult`, src/scorm/result-rules.ts): nothing
 * here evaluates a SCORM status again.
 */
export interface ReportFigures {
  /** Distinct learners (one LMS user: platform and `sub`) with at least one counted attempt. */
  learners: number;
  /** Counted attempts: not previews, from a registered LMS. */
  attempts: number;
  /** Attempts whose course result is `completed`. */
  completions: number;
  /** Attempts whose course result is `passed`. */
  passed: number;
  /** Attempts whose course result is `failed`. */
  failed: number;
  /** passed / (passed + failed), 0..1 rounded to 4 decimals; null when no attempt has a success status. */
  passRate: number | null;
  /** Mean of the attempts' course scores (0..1, 4 decimals) over the attempts that have one; null when none does. */
  averageScore: number | null;
  /** ISO time of the latest activity of any counted attempt; null when there is none. */
  lastActivityAt: string | null;
  /**
   * Learners enrolled (NRPS roster: active, no instructor-like role) in the LMS contexts where a course
   * is placed who have no counted attempt on it, counted once per course; null when none of those
   * contexts has a roster.
   */
  enrolledNotStarted: number | null;
}

/** One counted attempt as the tally needs it. */
export interface AttemptOutcome {
  learnerId: string;
  result: CourseResult;
  lastActivityAt: number;
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/**
 * Adds up attempt outcomes into {@link ReportFigures}, in constant memory. The outcomes must come
 * grouped by learner (all of one learner's, then the next learner's: the order the reports read
 * attempts in), so a learner is counted when the learner changes instead of being remembered.
 */
export class FigureTally {
  private learners = 0;
  private lastLearner: string | undefined;
  private attempts = 0;
  private completions = 0;
  private passed = 0;
  private failed = 0;
  private scoreSum = 0;
  private scored = 0;
  private last = 0;
  private rostered = false;
  private notStarted = 0;

  /** A roster seen for this line, and `notStarted` of its learners who have not started the course. */
  enrol(notStarted: number): this {
    this.rostered = true;
    this.notStarted += notStarted;
    return this;
  }

  add(o: AttemptOutcome): this {
    if (o.learnerId !== this.lastLearner) {
      this.learners++;
      this.lastLearner = o.learnerId;
    }
    this.attempts++;
    if (o.result.completion === 'completed') {
      this.completions++;
    }
    if (o.result.success === 'passed') {
      this.passed++;
    } else if (o.result.success === 'failed') {
      this.failed++;
    }
    if (o.result.score !== undefined) {
      this.scoreSum += o.result.score;
      this.scored++;
    }
    this.last = Math.max(this.last, o.lastActivityAt);
    return this;
  }

  figures(): ReportFigures {
    const graded = this.passed + this.failed;
    return {
      learners: this.learners,
      attempts: this.attempts,
      completions: this.completions,
      passed: this.passed,
      failed: this.failed,
      passRate: graded ? round4(this.passed / graded) : null,
      averageScore: this.scored ? round4(this.scoreSum / this.scored) : null,
      lastActivityAt: this.last ? new Date(this.last).toISOString() : null,
      enrolledNotStarted: this.rostered ? this.notStarted : null,
    };
  }
}

/** Tallies outcomes by a key (a course id, a customer id), creating a tally on first sight. */
export class GroupedTally<K> {
  readonly groups = new Map<K, FigureTally>();

  add(key: K, o: AttemptOutcome): void {
    this.tally(key).add(o);
  }

  enrol(key: K, notStarted: number): void {
    this.tally(key).enrol(notStarted);
  }

  private tally(key: K): FigureTally {
    let t = this.groups.get(key);
    if (!t) {
      t = new FigureTally();
      this.groups.set(key, t);
    }
    return t;
  }

  figures(key: K): ReportFigures {
    return (this.groups.get(key) ?? new FigureTally()).figures();
  }
}

/** The CSV columns of a figures object, in order, after a report's own leading columns. */
export const FIGURE_COLUMNS = ['learners', 'attempts', 'completions', 'passed', 'failed', 'pass_rate_percent', 'average_score_percent', 'last_activity_at', 'enrolled_not_started'] as const;

/** The values of {@link FIGURE_COLUMNS} for one figures object (rates as percentages with one decimal). */
export function figureCells(f: ReportFigures): Array<string | number | null> {
  return [f.learners, f.attempts, f.completions, f.passed, f.failed, csvPercent(f.passRate), csvPercent(f.averageScore), f.lastActivityAt, f.enrolledNotStarted];
}
