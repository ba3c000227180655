import type { ManifestItem, ScormVersion } from '../scorm/manifest.types';

/** What the server derives from a SCO's CMI data (SCORM-CHECKLIST §3.3). */
export interface ScoResult {
  completionStatus: string;
  successStatus: string;
  scoreScaled: number | null;
  scoreRaw: number | null;
  scoreMin: number | null;
  scoreMax: number | null;
  progressMeasure: number | null;
  location: string | null;
  suspendData: string | null;
  exit: string;
  sessionTimeSeconds: number;
}

export interface ItemRules {
  masteryScore?: number;
  completionThreshold?: number;
  scaledPassingScore?: number;
}

type Json = Record<string, unknown>;

/** The status-evaluation inputs of a manifest item (SCORM-CHECKLIST §1.6, §1.7). */
export function itemRules(item: ManifestItem | undefined): ItemRules {
  if (!item) {
    return {};
  }
  return {
    masteryScore: item.masteryScore,
    completionThreshold: item.completionThreshold?.completedByMeasure ? item.completionThreshold.minProgressMeasure : undefined,
    scaledPassingScore: item.scaledPassingScore,
  };
}

function obj(v: unknown): Json {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A CMIDecimal or '' (unset) → number or null. */
export function num(v: unknown): number | null {
  const s = str(v).trim();
  if (s === '') {
    return null;
  }
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

const clamp01 = (n: number) => Math.min(1, Math.max(0, n));

/** DESIGN §5: scaled if given (clamped to 0..1), else (raw − min)/(max − min) with min 0 and max 100 by default. */
export function normalizedScore(scaled: number | null, raw: number | null, min: number | null, max: number | null): number | null {
  if (scaled !== null) {
    return clamp01(scaled);
  }
  if (raw === null) {
    return null;
  }
  const lo = min ?? 0;
  const hi = max ?? 100;
  return hi > lo ? clamp01((raw - lo) / (hi - lo)) : null;
}

/** Parses a SCORM 1.2 CMITimespan (HHHH:MM:SS.SS) or 2004 ISO 8601 duration generously (SCORM-CHECKLIST §4.4). */
export function parseDuration(value: string): number {
  const v = value.trim();
  const hms = /^(\d{1,6}):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(v);
  if (hms) {
    return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  }
  const iso =
    /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?T?(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(
      v,
    );
  if (!iso || v.toUpperCase() === 'P' || v.toUpperCase() === 'PT') {
    return 0;
  }
  const [, y, mo, w, d, h, mi, s] = iso.map((x) => (x === undefined ? 0 : Number(x)));
  return y * 365 * 86400 + mo * 30 * 86400 + w * 7 * 86400 + d * 86400 + h * 3600 + mi * 60 + s;
}

/** Canonical total_time: `HHHH:MM:SS.SS` for 1.2, `PT#H#M#S` for 2004 (SCORM-CHECKLIST §4.4). */
export function formatDuration(seconds: number, version: ScormVersion): string {
  const total = Math.max(0, Math.round(seconds * 100) / 100);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Math.round((total - h * 3600 - m * 60) * 100) / 100;
  if (version === '2004') {
    return `PT${h}H${m}M${s}S`;
  }
  const ss = s.toFixed(2).padStart(5, '0');
  return `${String(h).padStart(4, '0')}:${String(m).padStart(2, '0')}:${ss}`;
}

/**
 * Applies the LMS-side status rules to a committed CMI object and extracts what the server stores.
 * 1.2 (SCORM-CHECKLIST §3.1, Moodle-style mastery override): at LMSFinish `not attempted` → `completed`,
 * then a mastery score with a raw score decides passed/failed. 2004 (RTE §4.2.4.1, §4.2.22.1, checklist
 * §3.2): a completion threshold with progress_measure decides completion, a scaled passing score with
 * score.scaled decides success, each overriding what the SCO set. Applied on the server so grades never
 * depend on the browser having done it.
 */
export function evaluateCmi(version: ScormVersion, cmiRoot: Json, rules: ItemRules, terminate: boolean): ScoResult {
  const cmi = obj(cmiRoot);
  if (version === '1.2') {
    const core = obj(cmi.core);
    const score = obj(core.score);
    const raw = num(score.raw);
    const min = num(score.min);
    const max = num(score.max);
    let status = str(core.lesson_status) || 'not attempted';
    const credit = str(core.credit) || 'credit';
    if (terminate && credit === 'credit') {
      if (status === 'not attempted') {
        status = 'completed';
      }
      if (rules.masteryScore !== undefined && raw !== null) {
        status = raw >= rules.masteryScore ? 'passed' : 'failed';
      }
    }
    const mapping: Record<string, [string, string]> = {
      passed: ['completed', 'passed'],
      failed: ['completed', 'failed'],
      completed: ['completed', 'unknown'],
      incomplete: ['incomplete', 'unknown'],
      browsed: ['incomplete', 'unknown'],
    };
    const [completionStatus, successStatus] = mapping[status] ?? ['not attempted', 'unknown'];
    return {
      completionStatus,
      successStatus,
      scoreRaw: raw,
      scoreMin: min,
      scoreMax: max,
      scoreScaled: normalizedScore(null, raw, min, max),
      progressMeasure: null,
      location: str(core.lesson_location) || null,
      suspendData: str(cmi.suspend_data) || null,
      exit: str(core.exit),
      sessionTimeSeconds: parseDuration(str(core.session_time)),
    };
  }
  const score = obj(cmi.score);
  const scaled = num(score.scaled);
  const raw = num(score.raw);
  const min = num(score.min);
  const max = num(score.max);
  const progress = num(cmi.progress_measure);
  let completion = str(cmi.completion_status) || 'unknown';
  if (rules.completionThreshold !== undefined) {
    completion = progress === null ? 'unknown' : progress >= rules.completionThreshold ? 'completed' : 'incomplete';
  }
  let success = str(cmi.success_status) || 'unknown';
  if (rules.scaledPassingScore !== undefined) {
    success = scaled === null ? 'unknown' : scaled >= rules.scaledPassingScore ? 'passed' : 'failed';
  }
  return {
    completionStatus: completion,
    successStatus: success,
    scoreRaw: raw,
    scoreMin: min,
    scoreMax: max,
    scoreScaled: normalizedScore(scaled, raw, min, max),
    progressMeasure: progress,
    location: str(cmi.location) || null,
    suspendData: str(cmi.suspend_data) || null,
    exit: str(cmi.exit),
    sessionTimeSeconds: parseDuration(str(cmi.session_time)),
  };
}

/** Merges a (possibly partial) committed CMI object into the stored one; a full commit replaces every leaf. */
export function mergeCmi(stored: Json | null, incoming: Json): Json {
  const out: Json = { ...(stored ?? {}) };
  for (const [k, v] of Object.entries(incoming)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = mergeCmi(obj(out[k]), v as Json);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Elements only the LMS sets or that belong to one session: never handed back to the SCO from a commit. */
const NOT_RESTORED_12 = ['entry', 'credit', 'lesson_mode', 'student_id', 'student_name', 'total_time', 'session_time', 'exit'];
const NOT_RESTORED_2004 = [
  'entry',
  'credit',
  'mode',
  'learner_id',
  'learner_name',
  'total_time',
  'session_time',
  'exit',
  'launch_data',
  'completion_threshold',
  'scaled_passing_score',
  'max_time_allowed',
  'time_limit_action',
  'comments_from_lms',
];

export interface LaunchInput {
  version: ScormVersion;
  item?: ManifestItem;
  learnerId: string;
  learnerName: string;
  credit: 'credit' | 'no-credit';
  mode: 'normal' | 'browse' | 'review';
  /** Stored CMI of the SCO's current SCO attempt, or null for a fresh start. */
  saved: Json | null;
  entry: 'ab-initio' | 'resume' | '';
  totalTimeSeconds: number;
}

/**
 * The data the runtime loads before the SCO's Initialize (SCORM-CHECKLIST §2): read-write values the
 * SCO saved, read-only values the LMS owns (entry, credit, mode, learner, launch_data, thresholds, total_time).
 */
export function initialCmi(input: LaunchInput): Json {
  const saved = obj(input.saved);
  const item = input.item;
  if (input.version === '1.2') {
    const core = { ...obj(saved.core) };
    for (const k of NOT_RESTORED_12) {
      delete core[k];
    }
    const out: Json = { ...saved };
    delete out.launch_data;
    delete out.comments_from_lms;
    out.core = {
      ...core,
      student_id: input.learnerId,
      student_name: input.learnerName,
      credit: input.credit,
      lesson_mode: input.mode,
      entry: input.entry,
      total_time: formatDuration(input.totalTimeSeconds, '1.2'),
    };
    out.launch_data = item?.dataFromLms ?? '';
    out.student_data = {
      ...obj(saved.student_data),
      mastery_score: item?.masteryScore !== undefined ? String(item.masteryScore) : '',
      max_time_allowed: item?.maxTimeAllowed ?? '',
      time_limit_action: item?.timeLimitAction ?? '',
    };
    return out;
  }
  const out: Json = { ...saved };
  for (const k of NOT_RESTORED_2004) {
    delete out[k];
  }
  Object.assign(out, {
    learner_id: input.learnerId,
    learner_name: input.learnerName,
    credit: input.credit,
    mode: input.mode,
    entry: input.entry,
    total_time: formatDuration(input.totalTimeSeconds, '2004'),
    launch_data: item?.dataFromLms ?? '',
  });
  const rules = itemRules(item);
  if (rules.completionThreshold !== undefined) {
    out.completion_threshold = String(rules.completionThreshold);
  }
  if (rules.scaledPassingScore !== undefined) {
    out.scaled_passing_score = String(rules.scaledPassingScore);
  }
  if (item?.maxTimeAllowed) {
    out.max_time_allowed = item.maxTimeAllowed;
  }
  if (item?.timeLimitAction) {
    out.time_limit_action = item.timeLimitAction;
  }
  if (!input.saved && item?.objectiveIds?.length) {
    const objectives: Json = {};
    item.objectiveIds.forEach((id, i) => (objectives[String(i)] = { id }));
    out.objectives = objectives;
  }
  return out;
}

/** SCORM 1.2 asks for "Last, First" (RTE §3.4); we use it for 2004 too (checklist §2.2). */
export function learnerDisplayName(l: { name: string | null; givenName: string | null; familyName: string | null }): string {
  if (l.familyName && l.givenName) {
    return `${l.familyName}, ${l.givenName}`;
  }
  return l.familyName || l.name || l.givenName || '';
}
