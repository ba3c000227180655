/**
 * Pure status evaluation and course-level roll-up (SCORM-CHECKLIST §3, §6.2; DESIGN §5).
 *
 * The server re-evaluates every SCO's status from the committed values with the same rules the
 * runtime uses, because the browser may never send its final commit (SCORM-CHECKLIST §3.1, §3.2:
 * "the same evaluation must be used for what the server stores and reports").
 */

export type Completion = 'not attempted' | 'incomplete' | 'completed' | 'unknown';
export type Success = 'passed' | 'failed' | 'unknown';

/** What the server keeps of one SCO's CMI (a subset of the attempt's ScoState row). */
export interface ScoValues {
  /** 2004 `cmi.completion_status`, or the 1.2 `cmi.core.lesson_status` as the SCO set it. */
  completionStatus?: string | null;
  /** 2004 `cmi.success_status` (1.2: usually empty; passed/failed also accepted here). */
  successStatus?: string | null;
  scoreScaled?: number | null;
  scoreRaw?: number | null;
  scoreMin?: number | null;
  scoreMax?: number | null;
  progressMeasure?: number | null;
  /** True once the SCO called Terminate / LMSFinish (or the player ended the session for it). */
  terminated?: boolean;
}

/** The manifest's rules for one item (SCORM-CHECKLIST §1.6, §1.7). */
export interface ScoRules {
  scormType: 'sco' | 'asset';
  /** 1.2 `adlcp:masteryscore` (0–100, compared with `score.raw`). */
  masteryScore?: number;
  /** 2004 `cmi.completion_threshold` (from `adlcp:completionThreshold`). */
  completionThreshold?: number;
  /** 2004 `cmi.scaled_passing_score` (from the primary objective's `minNormalizedMeasure`). */
  scaledPassingScore?: number;
}

/** One SCO's evaluated state. `score` is 0..1 when the SCO reported one. */
export interface ScoResult {
  launched: boolean;
  completion: Completion;
  success: Success;
  score?: number;
}

/** The course-level result of one attempt (SCORM-CHECKLIST §6.2). */
export interface CourseResult {
  /** At least one item was launched. */
  started: boolean;
  /** Something beyond the launch was reported (a status, a score or a progress measure). */
  reported: boolean;
  completion: Completion;
  success: Success;
  /** Mean of the per-SCO scores (0..1) over the SCOs that report one; undefined when none does. */
  score?: number;
}

const isNum = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/**
 * The SCO's score scaled to 0..1: 2004 `score.scaled` (clamped, negative scores count as 0), else
 * `(raw − min)/(max − min)` with max defaulting to 100 and min to 0 (DESIGN §5, SCORM-CHECKLIST §3.3).
 */
export function scaledScore(v: ScoValues): number | undefined {
  if (isNum(v.scoreScaled)) {
    return clamp01(v.scoreScaled);
  }
  if (!isNum(v.scoreRaw)) {
    return undefined;
  }
  const min = isNum(v.scoreMin) ? v.scoreMin : 0;
  const max = isNum(v.scoreMax) && v.scoreMax > min ? v.scoreMax : 100;
  if (max <= min) {
    return undefined;
  }
  return clamp01((v.scoreRaw - min) / (max - min));
}

/**
 * SCORM 1.2 evaluation (1.2 RTE §3.4.4, cmi.core.lesson_status; SCORM-CHECKLIST §3.1):
 * - at LMSFinish a status still `not attempted` becomes `completed`;
 * - with a mastery score and a raw score, raw ≥ mastery → passed, else failed. We follow Moodle's
 *   "mastery overrides" reading (authoring tools ship a masteryscore expecting it), except while the
 *   SCO itself says `incomplete` and has not finished (the CR's narrow rule).
 */
export function evaluateScorm12(v: ScoValues | undefined, rules: ScoRules): ScoResult {
  if (!v) {
    return { launched: false, completion: 'not attempted', success: 'unknown' };
  }
  let status = (v.completionStatus || v.successStatus || 'not attempted').toLowerCase().trim();
  if (v.successStatus && ['passed', 'failed'].includes(v.successStatus) && !['passed', 'failed'].includes(status)) {
    status = v.successStatus;
  }
  if (v.terminated && status === 'not attempted') {
    status = 'completed';
  }
  if (isNum(rules.masteryScore) && isNum(v.scoreRaw) && !(status === 'incomplete' && !v.terminated)) {
    status = v.scoreRaw >= rules.masteryScore ? 'passed' : 'failed';
  }
  const score = scaledScore(v);
  switch (status) {
    case 'passed':
      return { launched: true, completion: 'completed', success: 'passed', score };
    case 'failed':
      return { launched: true, completion: 'completed', success: 'failed', score };
    case 'completed':
      return { launched: true, completion: 'completed', success: 'unknown', score };
    case 'incomplete':
    case 'browsed':
      return { launched: true, completion: 'incomplete', success: 'unknown', score };
    default:
      return { launched: true, completion: 'not attempted', success: 'unknown', score };
  }
}

/**
 * SCORM 2004 evaluation (RTE §4.2.4.1 completion_status, §4.2.22.1 success_status;
 * SCORM-CHECKLIST §3.2): a defined completion threshold decides completion from `progress_measure`
 * (unknown without one), a defined scaled passing score decides success from `score.scaled`
 * (unknown without one); both override what the SCO set. No defaulting at Terminate.
 */
export function evaluateScorm2004(v: ScoValues | undefined, rules: ScoRules): ScoResult {
  if (!v) {
    return { launched: false, completion: 'not attempted', success: 'unknown' };
  }
  let completion: Completion;
  if (isNum(rules.completionThreshold)) {
    completion = isNum(v.progressMeasure) ? (v.progressMeasure >= rules.completionThreshold ? 'completed' : 'incomplete') : 'unknown';
  } else {
    completion = asCompletion(v.completionStatus);
  }
  let success: Success;
  if (isNum(rules.scaledPassingScore)) {
    success = isNum(v.scoreScaled) ? (v.scoreScaled >= rules.scaledPassingScore ? 'passed' : 'failed') : 'unknown';
  } else {
    success = v.successStatus === 'passed' || v.successStatus === 'failed' ? v.successStatus : 'unknown';
  }
  return { launched: true, completion, success, score: scaledScore(v) };
}

function asCompletion(s: string | null | undefined): Completion {
  switch (s) {
    case 'completed':
    case 'incomplete':
    case 'not attempted':
      return s;
    default:
      return 'unknown';
  }
}

/**
 * One item's result. An asset counts as completed once it was launched (SCORM-CHECKLIST §6.2),
 * since it cannot talk to the API.
 */
export function evaluateItem(version: '1.2' | '2004', v: ScoValues | undefined, rules: ScoRules): ScoResult {
  if (rules.scormType === 'asset') {
    return v ? { launched: true, completion: 'completed', success: 'unknown' } : { launched: false, completion: 'not attempted', success: 'unknown' };
  }
  return version === '1.2' ? evaluateScorm12(v, rules) : evaluateScorm2004(v, rules);
}

/**
 * Course-level result of one attempt from its items' results (SCORM-CHECKLIST §6.2, DESIGN §5):
 * completed when every item is; success failed if any SCO failed, passed if every SCO reporting
 * success passed and the course is completed, else unknown; score the equal-weight mean over the
 * SCOs that report one.
 */
export function rollUpCourse(items: ScoResult[]): CourseResult {
  const started = items.some((i) => i.launched);
  const completedAll = items.length > 0 && items.every((i) => i.completion === 'completed');
  const completion: Completion = !started ? 'not attempted' : completedAll ? 'completed' : 'incomplete';
  const withSuccess = items.filter((i) => i.success !== 'unknown');
  let success: Success = 'unknown';
  if (withSuccess.some((i) => i.success === 'failed')) {
    success = 'failed';
  } else if (withSuccess.length > 0 && completion === 'completed') {
    success = 'passed';
  }
  const scores = items.map((i) => i.score).filter((s): s is number => s !== undefined);
  const score = scores.length > 0 ? scores.reduce((a, b) => a + b, 0) / scores.length : undefined;
  const reported = items.some(
    (i) => i.launched && (i.completion === 'completed' || i.completion === 'incomplete' || i.success !== 'unknown' || i.score !== undefined),
  );
  return { started, reported, completion, success, score };
}
