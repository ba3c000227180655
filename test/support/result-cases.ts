/**
 * The table of SCORM result cases. Each case is a course (its manifest items), what its SCOs
 * do over one or more launches, and what must come out: each SCO's completion, success and score as
 * the runtime stored them, what the SCO reads back on the next launch, the course's result as the
 * roll-up computes it, and the score the LMS gradebook receives. The same table runs through the pure
 * rules (src/scorm/result-cases.spec.ts) and through the real server (test/e2e/result-rules.e2e-spec.ts);
 * result-case-player.ts builds each case's package and plays its launches for both.
 */
import type { ActivityProgress, GradingProgress } from '../../src/grades/score-policy';
import type { Completion, Success } from '../../src/scorm/result-rules';

/** One commit of a SCO: the values it set since its launch (dotted names), and whether it then finished. */
export interface ScoStep {
  sco: string;
  set: Record<string, string>;
  /** LMSFinish / Terminate: the terminating commit. */
  finish?: boolean;
}

export interface ScoExpectation {
  completion: Completion;
  success: Success;
  /** 0..1; absent when the SCO reported no score. */
  score?: number;
  /** Values the SCO reads on the next launch ('' for a value that is not there). */
  readBack: Record<string, string>;
}

export interface ResultCase {
  name: string;
  version: '1.2' | '2004';
  /** 2004 only; default 4th. */
  edition?: '3rd' | '4th';
  /** The manifest's items in document order; `xml` goes inside the `<item>`. */
  items: Array<{ id: string; xml?: string }>;
  /** no-credit: an instructor's preview attempt (it never produces a grade). */
  credit?: 'credit' | 'no-credit';
  /** Launches from the LMS, each a list of commits in order. */
  launches: ScoStep[][];
  expect: {
    /** The SCOs the case launched. */
    scos: Record<string, ScoExpectation>;
    course: { completion: Completion; success: Success; score?: number };
    /** The score at the LMS; null when none may be sent (no-credit). */
    grade: { activityProgress: ActivityProgress; gradingProgress: GradingProgress; scoreGiven?: number; scoreMaximum?: number } | null;
  };
}

export const mastery = (score: number) => `<adlcp:masteryscore>${score}</adlcp:masteryscore>`;
export const threshold = (attrs: string) => `<adlcp:completionThreshold ${attrs}/>`;
export const passingScore = (min: number) =>
  `<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="PRIMARY" satisfiedByMeasure="true"><imsss:minNormalizedMeasure>${min}</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives></imsss:sequencing>`;

const one = (xml?: string) => [{ id: 'SCO-1', xml }];
const finish12 = (set: Record<string, string>): ScoStep => ({ sco: 'SCO-1', set: { 'cmi.core.session_time': '00:01:00', ...set }, finish: true });
const finish2004 = (set: Record<string, string>, sco = 'SCO-1'): ScoStep => ({
  sco,
  set: { 'cmi.exit': 'suspend', 'cmi.session_time': 'PT1M', ...set },
  finish: true,
});
const status12 = (lessonStatus: string, raw = '') => ({ 'cmi.core.lesson_status': lessonStatus, 'cmi.core.score.raw': raw });
const graded = (scoreGiven: number) => ({ activityProgress: 'Completed' as const, gradingProgress: 'FullyGraded' as const, scoreGiven, scoreMaximum: 100 });
const pending = (scoreGiven?: number) =>
  scoreGiven === undefined
    ? { activityProgress: 'InProgress' as const, gradingProgress: 'Pending' as const }
    : { activityProgress: 'InProgress' as const, gradingProgress: 'Pending' as const, scoreGiven, scoreMaximum: 100 };
const notReady = { activityProgress: 'Started' as const, gradingProgress: 'NotReady' as const };

export const RESULT_CASES: ResultCase[] = [
  {
    name: '1.2 mastery score with credit: raw above it → passed, over the SCO\'s "completed"',
    version: '1.2',
    items: one(mastery(80)),
    launches: [[finish12({ 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '85' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'passed', score: 0.85, readBack: status12('passed', '85') } },
      course: { completion: 'completed', success: 'passed', score: 0.85 },
      grade: graded(85),
    },
  },
  {
    name: '1.2 mastery score with credit: raw below it → failed, over the SCO\'s "passed"',
    version: '1.2',
    items: one(mastery(80)),
    launches: [[finish12({ 'cmi.core.lesson_status': 'passed', 'cmi.core.score.raw': '70' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'failed', score: 0.7, readBack: status12('failed', '70') } },
      course: { completion: 'completed', success: 'failed', score: 0.7 },
      grade: graded(70),
    },
  },
  {
    name: "1.2 mastery score before LMSFinish: the SCO's own status stands until the session ends",
    version: '1.2',
    items: one(mastery(80)),
    launches: [[{ sco: 'SCO-1', set: { 'cmi.core.lesson_status': 'passed', 'cmi.core.score.raw': '70' } }]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'passed', score: 0.7, readBack: status12('passed', '70') } },
      course: { completion: 'completed', success: 'passed', score: 0.7 },
      grade: graded(70),
    },
  },
  {
    name: "1.2 mastery score without credit (instructor preview): the SCO's status stands at LMSFinish",
    version: '1.2',
    items: one(mastery(80)),
    credit: 'no-credit',
    launches: [[finish12({ 'cmi.core.lesson_status': 'passed', 'cmi.core.score.raw': '70' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'passed', score: 0.7, readBack: status12('passed', '70') } },
      course: { completion: 'completed', success: 'passed', score: 0.7 },
      grade: null,
    },
  },
  {
    name: '1.2 "not attempted" at LMSFinish → completed (full credit without a score)',
    version: '1.2',
    items: one(),
    launches: [[finish12({})]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'unknown', readBack: status12('completed') } },
      course: { completion: 'completed', success: 'unknown' },
      grade: graded(100),
    },
  },
  {
    name: '1.2 "not attempted" at LMSFinish → completed without credit too',
    version: '1.2',
    items: one(mastery(80)),
    credit: 'no-credit',
    launches: [[finish12({})]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'unknown', readBack: status12('completed') } },
      course: { completion: 'completed', success: 'unknown' },
      grade: null,
    },
  },
  {
    name: '1.2 lesson_status "incomplete" → incomplete, in progress at the LMS',
    version: '1.2',
    items: one(),
    launches: [[finish12({ 'cmi.core.lesson_status': 'incomplete' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'incomplete', success: 'unknown', readBack: status12('incomplete') } },
      course: { completion: 'incomplete', success: 'unknown' },
      grade: pending(),
    },
  },
  {
    name: '1.2 lesson_status "browsed" → incomplete',
    version: '1.2',
    items: one(),
    launches: [[finish12({ 'cmi.core.lesson_status': 'browsed' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'incomplete', success: 'unknown', readBack: status12('browsed') } },
      course: { completion: 'incomplete', success: 'unknown' },
      grade: pending(),
    },
  },
  {
    name: '1.2 lesson_status "failed" without a mastery score: the SCO\'s status stands, score from raw/max',
    version: '1.2',
    items: one(),
    launches: [[finish12({ 'cmi.core.lesson_status': 'failed', 'cmi.core.score.raw': '40', 'cmi.core.score.max': '50' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'failed', score: 0.8, readBack: status12('failed', '40') } },
      course: { completion: 'completed', success: 'failed', score: 0.8 },
      grade: graded(80),
    },
  },
  {
    name: '1.2 review visit after completion: the next launch reads the evaluated status, and the review keeps the grade',
    version: '1.2',
    items: one(mastery(80)),
    launches: [[finish12({ 'cmi.core.score.raw': '90' })], [{ sco: 'SCO-1', set: { 'cmi.core.lesson_location': 'page-2' } }]],
    expect: {
      scos: {
        'SCO-1': { completion: 'completed', success: 'passed', score: 0.9, readBack: { ...status12('passed', '90'), 'cmi.core.lesson_location': 'page-2' } },
      },
      course: { completion: 'completed', success: 'passed', score: 0.9 },
      grade: graded(90),
    },
  },
  {
    name: '1.2 review visit: a commit still saying "not attempted" (the SCO never set a status) keeps the completion',
    version: '1.2',
    items: one(),
    launches: [[finish12({})], [{ sco: 'SCO-1', set: { 'cmi.core.lesson_status': 'not attempted' } }]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'unknown', readBack: status12('completed') } },
      course: { completion: 'completed', success: 'unknown' },
      grade: graded(100),
    },
  },
  {
    name: '2004 completionThreshold with completedByMeasure false (progressWeight only): the SCO\'s "completed" stands',
    version: '2004',
    items: one(threshold('progressWeight="0.5"')),
    launches: [[finish2004({ 'cmi.completion_status': 'completed', 'cmi.progress_measure': '0.2' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'unknown', readBack: { 'cmi.completion_status': 'completed', 'cmi.completion_threshold': '' } } },
      course: { completion: 'completed', success: 'unknown' },
      grade: graded(100),
    },
  },
  {
    name: '2004 completedByMeasure true: progress_measure at or above minProgressMeasure → completed, over the SCO\'s "incomplete"',
    version: '2004',
    items: one(threshold('completedByMeasure="true" minProgressMeasure="0.8"')),
    launches: [[finish2004({ 'cmi.completion_status': 'incomplete', 'cmi.progress_measure': '0.8' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'unknown', readBack: { 'cmi.completion_status': 'completed', 'cmi.completion_threshold': '0.8' } } },
      course: { completion: 'completed', success: 'unknown' },
      grade: graded(100),
    },
  },
  {
    name: '2004 completedByMeasure true: progress_measure below minProgressMeasure → incomplete, over the SCO\'s "completed"',
    version: '2004',
    items: one(threshold('completedByMeasure="true" minProgressMeasure="0.8"')),
    launches: [[finish2004({ 'cmi.completion_status': 'completed', 'cmi.progress_measure': '0.5' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'incomplete', success: 'unknown', readBack: { 'cmi.completion_status': 'incomplete', 'cmi.progress_measure': '0.5' } } },
      course: { completion: 'incomplete', success: 'unknown' },
      grade: pending(),
    },
  },
  {
    name: '2004 completedByMeasure true without minProgressMeasure: the threshold is 1.0',
    version: '2004',
    items: one(threshold('completedByMeasure="true"')),
    launches: [[finish2004({ 'cmi.completion_status': 'completed', 'cmi.progress_measure': '0.99' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'incomplete', success: 'unknown', readBack: { 'cmi.completion_status': 'incomplete', 'cmi.completion_threshold': '1' } } },
      course: { completion: 'incomplete', success: 'unknown' },
      grade: pending(),
    },
  },
  {
    name: '2004 completedByMeasure true and no progress_measure → completion unknown',
    version: '2004',
    items: one(threshold('completedByMeasure="true" minProgressMeasure="0.5"')),
    launches: [[finish2004({ 'cmi.completion_status': 'completed' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'unknown', success: 'unknown', readBack: { 'cmi.completion_status': 'unknown' } } },
      course: { completion: 'incomplete', success: 'unknown' },
      grade: notReady,
    },
  },
  {
    name: '2004 3rd edition threshold as element text: it decides completion',
    version: '2004',
    edition: '3rd',
    items: one('<adlcp:completionThreshold>0.6</adlcp:completionThreshold>'),
    launches: [[finish2004({ 'cmi.completion_status': 'incomplete', 'cmi.progress_measure': '0.6' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'unknown', readBack: { 'cmi.completion_status': 'completed', 'cmi.completion_threshold': '0.6' } } },
      course: { completion: 'completed', success: 'unknown' },
      grade: graded(100),
    },
  },
  {
    name: '2004 scaled passing score: score.scaled at or above it → passed, over the SCO\'s "failed"',
    version: '2004',
    items: one(passingScore(0.7)),
    launches: [[finish2004({ 'cmi.completion_status': 'completed', 'cmi.success_status': 'failed', 'cmi.score.scaled': '0.75' })]],
    expect: {
      scos: {
        'SCO-1': { completion: 'completed', success: 'passed', score: 0.75, readBack: { 'cmi.success_status': 'passed', 'cmi.scaled_passing_score': '0.7' } },
      },
      course: { completion: 'completed', success: 'passed', score: 0.75 },
      grade: graded(75),
    },
  },
  {
    name: '2004 scaled passing score: score.scaled below it → failed, over the SCO\'s "passed"',
    version: '2004',
    items: one(passingScore(0.7)),
    launches: [[finish2004({ 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed', 'cmi.score.scaled': '0.5' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'failed', score: 0.5, readBack: { 'cmi.success_status': 'failed', 'cmi.score.scaled': '0.5' } } },
      course: { completion: 'completed', success: 'failed', score: 0.5 },
      grade: graded(50),
    },
  },
  {
    name: '2004 scaled passing score and no score.scaled → success unknown (raw counts for the reported score only)',
    version: '2004',
    items: one(passingScore(0.7)),
    launches: [[finish2004({ 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed', 'cmi.score.raw': '90' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'unknown', score: 0.9, readBack: { 'cmi.success_status': 'unknown', 'cmi.score.raw': '90' } } },
      course: { completion: 'completed', success: 'unknown', score: 0.9 },
      grade: graded(90),
    },
  },
  {
    name: "2004 without rules: the SCO's own statuses count, and nothing is defaulted at Terminate",
    version: '2004',
    items: one(),
    launches: [[finish2004({ 'cmi.completion_status': 'completed', 'cmi.success_status': 'failed', 'cmi.score.scaled': '0.3' })]],
    expect: {
      scos: {
        'SCO-1': { completion: 'completed', success: 'failed', score: 0.3, readBack: { 'cmi.completion_status': 'completed', 'cmi.success_status': 'failed' } },
      },
      course: { completion: 'completed', success: 'failed', score: 0.3 },
      grade: graded(30),
    },
  },
  {
    name: '2004 success and completion unknown: launched, nothing reported',
    version: '2004',
    items: one(),
    launches: [[finish2004({})]],
    expect: {
      scos: { 'SCO-1': { completion: 'unknown', success: 'unknown', readBack: { 'cmi.completion_status': 'unknown', 'cmi.success_status': 'unknown' } } },
      course: { completion: 'incomplete', success: 'unknown' },
      grade: notReady,
    },
  },
  {
    name: '2004 multi-SCO: completed when every SCO is, failed when one failed, the mean score',
    version: '2004',
    items: [{ id: 'SCO-1' }, { id: 'SCO-2', xml: passingScore(0.6) }],
    launches: [
      [
        finish2004({ 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed', 'cmi.score.scaled': '0.9' }),
        finish2004({ 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed', 'cmi.score.scaled': '0.5' }, 'SCO-2'),
      ],
    ],
    expect: {
      scos: {
        'SCO-1': { completion: 'completed', success: 'passed', score: 0.9, readBack: { 'cmi.success_status': 'passed' } },
        'SCO-2': { completion: 'completed', success: 'failed', score: 0.5, readBack: { 'cmi.success_status': 'failed' } },
      },
      course: { completion: 'completed', success: 'failed', score: 0.7 },
      grade: graded(70),
    },
  },
  {
    name: '1.2 multi-SCO: incomplete while a SCO is not launched, with the score so far',
    version: '1.2',
    items: [{ id: 'SCO-1', xml: mastery(80) }, { id: 'SCO-2' }],
    launches: [[finish12({ 'cmi.core.score.raw': '90' })]],
    expect: {
      scos: { 'SCO-1': { completion: 'completed', success: 'passed', score: 0.9, readBack: status12('passed', '90') } },
      course: { completion: 'incomplete', success: 'unknown', score: 0.9 },
      grade: pending(90),
    },
  },
  {
    name: '1.2 multi-SCO over two launches: completed when both are, passed when every SCO reporting success passed',
    version: '1.2',
    items: [{ id: 'SCO-1' }, { id: 'SCO-2', xml: mastery(50) }],
    launches: [
      [finish12({ 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '60' })],
      [{ ...finish12({ 'cmi.core.score.raw': '100' }), sco: 'SCO-2' }],
    ],
    expect: {
      scos: {
        'SCO-1': { completion: 'completed', success: 'unknown', score: 0.6, readBack: status12('completed', '60') },
        'SCO-2': { completion: 'completed', success: 'passed', score: 1, readBack: status12('passed', '100') },
      },
      course: { completion: 'completed', success: 'passed', score: 0.8 },
      grade: graded(80),
    },
  },
];
