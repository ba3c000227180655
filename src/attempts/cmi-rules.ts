import type { ManifestItem, ScormVersion } from '../scorm/manifest.types';
import {
  cmiObject,
  cmiText,
  evaluateSco,
  itemRules,
  withEvaluatedStatus,
  type Completion,
  type ItemRules,
  type SessionState,
  type Success,
} from '../scorm/result-rules';

/** What the runtime stores of a commit: the evaluated result (src/scorm/result-rules.ts) and the session's values. */
export interface ScoResult {
  completionStatus: Completion;
  successStatus: Success;
  /** The score for reporting, 0..1 (`scaledScore`). */
  scoreScaled: number | null;
  scoreRaw: number | null;
  scoreMin: number | null;
  scoreMax: number | null;
  progressMeasure: number | null;
  location: string | null;
  suspendData: string | null;
  exit: string;
  sessionTimeSeconds: number;
  /** The committed CMI with the evaluated status written in: what is stored and handed back next launch. */
  cmi: Json;
}

type Json = Record<string, unknown>;

/** Parses a SCORM 1.2 CMITimespan (HHHH:MM:SS.SS) or 2004 ISO 8601 duration generously (player/README.md). */
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

/** Canonical total_time: `HHHH:MM:SS.SS` for 1.2, `PT#H#M#S` for 2004 (player/README.md). */
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
 * A commit as the runtime stores it: the SCORM result rules applied to the merged CMI (one
 * implementation, shared with the grade roll-up: src/scorm/result-rules.ts), the evaluated status
 * written back into the CMI, and the values of the session (location, suspend data, exit, time).
 */
export function evaluateCmi(version: ScormVersion, cmiRoot: Json, rules: ItemRules, session: SessionState): ScoResult {
  const cmi = cmiObject(cmiRoot);
  const r = evaluateSco(version, cmi, rules, session);
  const core = cmiObject(cmi.core);
  const own =
    version === '1.2'
      ? { location: core.lesson_location, exit: core.exit, sessionTime: core.session_time }
      : { location: cmi.location, exit: cmi.exit, sessionTime: cmi.session_time };
  return {
    completionStatus: r.completion,
    successStatus: r.success,
    scoreScaled: r.score,
    scoreRaw: r.scoreRaw,
    scoreMin: r.scoreMin,
    scoreMax: r.scoreMax,
    progressMeasure: r.progressMeasure,
    location: cmiText(own.location) || null,
    suspendData: cmiText(cmi.suspend_data) || null,
    exit: cmiText(own.exit),
    sessionTimeSeconds: parseDuration(cmiText(own.sessionTime)),
    cmi: withEvaluatedStatus(version, cmi, r),
  };
}

/** Merges a (possibly partial) committed CMI object into the stored one; a full commit replaces every leaf. */
export function mergeCmi(stored: Json | null, incoming: Json): Json {
  const out: Json = { ...(stored ?? {}) };
  for (const [k, v] of Object.entries(incoming)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = mergeCmi(cmiObject(out[k]), v as Json);
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
 * The data the runtime loads before the SCO's Initialize (player/README.md): read-write values the
 * SCO saved, read-only values the LMS owns (entry, credit, mode, learner, launch_data, thresholds, total_time).
 */
export function initialCmi(input: LaunchInput): Json {
  const saved = cmiObject(input.saved);
  const item = input.item;
  if (input.version === '1.2') {
    const core = { ...cmiObject(saved.core) };
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
      ...cmiObject(saved.student_data),
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

/** SCORM 1.2 asks for "Last, First" (RTE §3.4); we use it for 2004 too (as LMSs commonly do for cmi.learner_name). */
export function learnerDisplayName(l: { name: string | null; givenName: string | null; familyName: string | null }): string {
  if (l.familyName && l.givenName) {
    return `${l.familyName}, ${l.givenName}`;
  }
  return l.familyName || l.name || l.givenName || '';
}
