import type { ManifestItem, ParsedManifest, ScormVersion } from './manifest.types';

/**
 * The SCORM result rules, once: how a SCO's committed CMI becomes a completion, a success and a score,
 * and how the items of a course roll up into the course's result. Pure (no Nest, no database).
 *
 * The runtime evaluates every commit with {@link evaluateSco} and stores what it evaluated, in the
 * ScoState columns and in the stored CMI (so the SCO reads the same status back on its next launch);
 * the grade roll-up and the console read those stored results through {@link courseResult}. Nothing
 * evaluates a status a second time, so the two can never disagree. docs/scorm-rules.md says why each
 * rule is what it is, with the spec references.
 */

export type Completion = 'not attempted' | 'incomplete' | 'completed' | 'unknown';
export type Success = 'passed' | 'failed' | 'unknown';
/** The SCORM 1.2 `cmi.core.lesson_status` vocabulary (1.2 RTE §3.4.4). */
export type LessonStatus = 'passed' | 'completed' | 'failed' | 'incomplete' | 'browsed' | 'not attempted';

/** The manifest values that take part in evaluating one item (see {@link itemRules}). */
export interface ItemRules {
  /** 1.2 `adlcp:masteryscore` (compared with `score.raw`). */
  masteryScore?: number;
  /** 2004 `cmi.completion_threshold`: set only when the manifest says completion is decided by measure. */
  completionThreshold?: number;
  /** 2004 `cmi.scaled_passing_score` (the primary objective's `minNormalizedMeasure` with satisfiedByMeasure). */
  scaledPassingScore?: number;
}

/** What a SCO's CMI says about its result, after the LMS-side rules. */
export interface ScoEvaluation {
  completion: Completion;
  success: Success;
  /** 0..1 for reporting (see {@link scaledScore}), null when the SCO reported no score. */
  score: number | null;
  scoreRaw: number | null;
  scoreMin: number | null;
  scoreMax: number | null;
  /** 2004 `cmi.progress_measure`; null for 1.2. */
  progressMeasure: number | null;
  /** The status as the data model holds it after evaluation: written into the stored CMI. */
  statusValues: { lesson_status: LessonStatus } | { completion_status: Completion; success_status: Success };
}

/** What the server keeps of one SCO's evaluation (the ScoState columns the roll-up reads). */
export interface StoredScoResult {
  completionStatus?: string | null;
  successStatus?: string | null;
  scoreScaled?: number | null;
  scoreRaw?: number | null;
  scoreMin?: number | null;
  scoreMax?: number | null;
}

/** One item's result as the roll-up sees it. `score` is 0..1 when the SCO reported one. */
export interface ItemResult {
  launched: boolean;
  completion: Completion;
  success: Success;
  score?: number;
}

/** The course-level result of one attempt. */
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

/** The launchable items of a course version (immutable, so a caller may cache it by version id). */
export interface CourseItems {
  scormVersion: ScormVersion;
  items: Array<{ itemId: string; scormType: 'sco' | 'asset' }>;
}

type Json = Record<string, unknown>;

/** A CMI object member, or an empty object. */
export function cmiObject(v: unknown): Json {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

/** A CMI string value ('' when unset). */
export function cmiText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A CMIDecimal, or null when unset ('') or not a number. */
export function cmiNumber(v: unknown): number | null {
  const s = cmiText(v).trim();
  if (s === '') {
    return null;
  }
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

const isNum = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/**
 * Which manifest values apply to an item. The 2004 completion threshold counts only when
 * `completedByMeasure` is true (SCORM 2004 CAM/SN: minProgressMeasure is used "in place of" the SCO's
 * own status only then; the 3rd edition's element text is read as completedByMeasure true).
 */
export function itemRules(item: ManifestItem | undefined): ItemRules {
  const threshold = item?.completionThreshold;
  return {
    masteryScore: item?.masteryScore,
    completionThreshold: threshold?.completedByMeasure ? threshold.minProgressMeasure : undefined,
    scaledPassingScore: item?.scaledPassingScore,
  };
}

/**
 * The score scaled to 0..1 for reporting: 2004 `score.scaled` clamped (a negative score counts as 0),
 * else `(raw − min)/(max − min)` with min 0 and max 100 when unset (max also 100 when it is not above min).
 */
export function scaledScore(v: Pick<StoredScoResult, 'scoreScaled' | 'scoreRaw' | 'scoreMin' | 'scoreMax'>): number | undefined {
  if (isNum(v.scoreScaled)) {
    return clamp01(v.scoreScaled);
  }
  if (!isNum(v.scoreRaw)) {
    return undefined;
  }
  const min = isNum(v.scoreMin) ? v.scoreMin : 0;
  const max = isNum(v.scoreMax) && v.scoreMax > min ? v.scoreMax : 100;
  return max > min ? clamp01((v.scoreRaw - min) / (max - min)) : undefined;
}

const LESSON_STATUSES: readonly string[] = ['passed', 'completed', 'failed', 'incomplete', 'browsed', 'not attempted'];

/** A 1.2 lesson_status as a completion/success pair (failed counts as completed: the learner finished). */
const LESSON_STATUS_RESULT: Record<LessonStatus, [Completion, Success]> = {
  passed: ['completed', 'passed'],
  failed: ['completed', 'failed'],
  completed: ['completed', 'unknown'],
  incomplete: ['incomplete', 'unknown'],
  browsed: ['incomplete', 'unknown'],
  'not attempted': ['not attempted', 'unknown'],
};

/** How a SCO's session stands when a commit is evaluated. */
export interface SessionState {
  /** LMSFinish/Terminate was called, or the learner is leaving the page (the player's unload commit). */
  finished: boolean;
  /** The stored CMI, holding the status evaluated for the previous commit (for the 1.2 rule below). */
  previous?: Json | null;
}

/**
 * SCORM 1.2 (1.2 RTE §3.4.4 cmi.core.lesson_status and cmi.student_data.mastery_score):
 * - When the session finishes, a status still `not attempted` becomes `completed`, with or without credit.
 * - Before that, `not attempted` is only the LMS's initial value (a SCO cannot set it: LMSSetValue
 *   refuses it), so a commit still carrying it says nothing about the status: the status evaluated
 *   for the previous commit stands (e.g. the player's unload commit already finished the session).
 * - When the session finishes with credit, a mastery score and a `score.raw`, raw ≥ mastery → `passed`,
 *   else `failed`, whatever the SCO set (Moodle's and scorm-again's "mastery overrides status").
 */
function evaluate12(cmi: Json, rules: ItemRules, session: SessionState): ScoEvaluation {
  const core = cmiObject(cmi.core);
  const score = cmiObject(core.score);
  const raw = cmiNumber(score.raw);
  const min = cmiNumber(score.min);
  const max = cmiNumber(score.max);
  const said = cmiText(core.lesson_status).trim().toLowerCase();
  const before = cmiText(cmiObject(cmiObject(session.previous).core).lesson_status);
  let status: LessonStatus = LESSON_STATUSES.includes(said) ? (said as LessonStatus) : 'not attempted';
  if (status === 'not attempted') {
    status = session.finished ? 'completed' : LESSON_STATUSES.includes(before) ? (before as LessonStatus) : status;
  }
  if (session.finished) {
    const credit = cmiText(core.credit) || 'credit';
    if (credit === 'credit' && rules.masteryScore !== undefined && raw !== null) {
      status = raw >= rules.masteryScore ? 'passed' : 'failed';
    }
  }
  const [completion, success] = LESSON_STATUS_RESULT[status];
  return {
    completion,
    success,
    score: scaledScore({ scoreRaw: raw, scoreMin: min, scoreMax: max }) ?? null,
    scoreRaw: raw,
    scoreMin: min,
    scoreMax: max,
    progressMeasure: null,
    statusValues: { lesson_status: status },
  };
}

function asCompletion(s: string): Completion {
  return s === 'completed' || s === 'incomplete' || s === 'not attempted' ? s : 'unknown';
}

/**
 * SCORM 2004 (RTE §4.2.4.1 Completion Status Evaluation, §4.2.22.1 Success Status Evaluation): a
 * completion threshold decides completion from `progress_measure` (`unknown` without one); a scaled
 * passing score decides success from `score.scaled` (`unknown` without one); each overrides what the
 * SCO set. Without them the SCO's own values count. Nothing is defaulted at Terminate.
 */
function evaluate2004(cmi: Json, rules: ItemRules): ScoEvaluation {
  const score = cmiObject(cmi.score);
  const scaled = cmiNumber(score.scaled);
  const raw = cmiNumber(score.raw);
  const min = cmiNumber(score.min);
  const max = cmiNumber(score.max);
  const progress = cmiNumber(cmi.progress_measure);
  let completion = asCompletion(cmiText(cmi.completion_status));
  if (rules.completionThreshold !== undefined) {
    completion = progress === null ? 'unknown' : progress >= rules.completionThreshold ? 'completed' : 'incomplete';
  }
  const said = cmiText(cmi.success_status);
  let success: Success = said === 'passed' || said === 'failed' ? said : 'unknown';
  if (rules.scaledPassingScore !== undefined) {
    success = scaled === null ? 'unknown' : scaled >= rules.scaledPassingScore ? 'passed' : 'failed';
  }
  return {
    completion,
    success,
    score: scaledScore({ scoreScaled: scaled, scoreRaw: raw, scoreMin: min, scoreMax: max }) ?? null,
    scoreRaw: raw,
    scoreMin: min,
    scoreMax: max,
    progressMeasure: progress,
    statusValues: { completion_status: completion, success_status: success },
  };
}

/** Evaluates a SCO's (merged) committed CMI: what the runtime stores and hands back. */
export function evaluateSco(version: ScormVersion, cmi: Json, rules: ItemRules, session: SessionState): ScoEvaluation {
  return version === '1.2' ? evaluate12(cmiObject(cmi), rules, session) : evaluate2004(cmiObject(cmi), rules);
}

/** The CMI with the evaluated status written in, so the stored data and the next launch say what was evaluated. */
export function withEvaluatedStatus(version: ScormVersion, cmi: Json, evaluation: ScoEvaluation): Json {
  if (version === '1.2') {
    return { ...cmi, core: { ...cmiObject(cmi.core), ...evaluation.statusValues } };
  }
  return { ...cmi, ...evaluation.statusValues };
}

/** The status a SCO's state starts with when it is first launched, before any commit. */
export function launchedStatus(scormType: 'sco' | 'asset'): { completionStatus: Completion; successStatus: Success } {
  return { completionStatus: scormType === 'asset' ? 'completed' : 'not attempted', successStatus: 'unknown' };
}

/** One item's result from what the runtime stored (undefined: never launched); an asset cannot talk to the API. */
export function itemResult(scormType: 'sco' | 'asset', stored: StoredScoResult | undefined): ItemResult {
  if (!stored) {
    return { launched: false, completion: 'not attempted', success: 'unknown' };
  }
  if (scormType === 'asset') {
    return { launched: true, ...toResult(launchedStatus('asset')) };
  }
  return { ...toResult(stored), launched: true, score: scaledScore(stored) };
}

function toResult(s: StoredScoResult): { completion: Completion; success: Success } {
  const success = s.successStatus === 'passed' || s.successStatus === 'failed' ? s.successStatus : 'unknown';
  return { completion: asCompletion(s.completionStatus ?? ''), success };
}

/**
 * The course's result from its items' results: completed when every item is; failed if any SCO failed,
 * passed if every SCO reporting success passed and the course is completed, else unknown; the score is
 * the equal-weight mean over the SCOs that report one.
 */
export function rollUpCourse(items: ItemResult[]): CourseResult {
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

/** The launchable items of a parsed manifest, in document order. */
export function courseItems(manifest: ParsedManifest): CourseItems {
  return { scormVersion: manifest.scormVersion, items: (manifest.scos ?? []).map((s) => ({ itemId: s.itemId, scormType: s.scormType })) };
}

/**
 * The course-level result of one attempt from its stored SCO states. A version whose manifest is gone
 * (never expected) falls back to the states themselves, so a result is never lost.
 */
export function courseResult(course: CourseItems, states: Array<StoredScoResult & { itemId: string }>): CourseResult {
  const byItem = new Map(states.map((s) => [s.itemId, s]));
  const items = course.items.length > 0 ? course.items : states.map((s) => ({ itemId: s.itemId, scormType: 'sco' as const }));
  return rollUpCourse(items.map((i) => itemResult(i.scormType, byItem.get(i.itemId))));
}

/** The root activity of a SCORM 2004 attempt after the server's engine rollup (the attempt's `root*` columns). */
export interface RootColumns {
  rootCompletion: string | null;
  rootSuccess: string | null;
  rootMeasure: number | null;
}

/**
 * SCORM 2004 with sequencing (docs/scorm-rules.md, "A course of several SCOs"): the root activity's
 * completion, success and measure after rollup replace the SCOs' roll-up (the SCOs' mean score only
 * when the root has no measure); whether the attempt was started or reported anything still comes
 * from the SCOs. Without a root result (SCORM 1.2, a 2004
 * version without compiled sequencing, nothing committed yet) the SCOs' roll-up stands.
 */
function withRootResult(r: CourseResult, root: RootColumns): CourseResult {
  if (root.rootCompletion === null) {
    return r;
  }
  // A root not known to be completed is in progress once the attempt started (as for the SCOs' roll-up).
  const completion: Completion = root.rootCompletion === 'completed' ? 'completed' : r.started ? 'incomplete' : 'not attempted';
  const success = (root.rootSuccess === 'passed' || root.rootSuccess === 'failed' ? root.rootSuccess : 'unknown');
  // SN measures come only from cmi.score.scaled: with none known at the root, the SCOs' scores (raw/min/max) still count.
  const score = root.rootMeasure === null ? r.score : Math.min(1, Math.max(0, root.rootMeasure));
  return { started: r.started, reported: r.reported, completion, success, score };
}

/**
 * The result of one course attempt — what the grade, the console's attempt list and the usage reports
 * all read (the one place for the rule, docs/scorm-rules.md "A course of several SCOs"): the SCOs'
 * roll-up (`courseResult`), replaced for SCORM 2004 with sequencing by the root activity the server
 * rolled up (the attempt's `root*` columns).
 */
export function attemptResult(course: CourseItems, states: Array<StoredScoResult & { itemId: string }>, root: RootColumns): CourseResult {
  return withRootResult(courseResult(course, states), root);
}
