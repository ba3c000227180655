/**
 * What a dispatch relays to the LMS (src/dispatch/README.md): the tracking values of the hosted SCO's
 * commit (scorm-again's JSON form of its CMI), written in the data model of the LMS's API, which may be
 * the other SCORM version. Only these elements cross; the package page refuses any other.
 */
type Json = { [key: string]: unknown };
export type ScormVersion = '1.2' | '2004';

/** The elements the package page lets the bridge set on the LMS's API, per API version. */
export const RELAYED_ELEMENTS: Record<ScormVersion, readonly string[]> = {
  '1.2': ['cmi.core.lesson_status', 'cmi.core.score.raw', 'cmi.core.score.min', 'cmi.core.score.max', 'cmi.core.lesson_location', 'cmi.suspend_data', 'cmi.core.exit', 'cmi.core.session_time'],
  '2004': ['cmi.completion_status', 'cmi.success_status', 'cmi.score.scaled', 'cmi.score.raw', 'cmi.score.min', 'cmi.score.max', 'cmi.progress_measure', 'cmi.location', 'cmi.suspend_data', 'cmi.exit', 'cmi.session_time'],
};

/** The tracking of one commit, version-neutral. */
export interface Tracking {
  completion?: 'completed' | 'incomplete' | 'not attempted' | 'unknown';
  success?: 'passed' | 'failed' | 'unknown';
  scaled?: number;
  raw?: number;
  min?: number;
  max?: number;
  progress?: number;
  location?: string;
  suspendData?: string;
  exit?: string;
  sessionSeconds?: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const num = (v: unknown): number | undefined => {
  const s = str(v);
  const n = s === undefined ? NaN : Number(s);
  return Number.isFinite(n) ? n : undefined;
};
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});

function read12(cmi: Json): Tracking {
  const core = obj(cmi.core);
  const score = obj(core.score);
  const status = str(core.lesson_status);
  const t: Tracking = { raw: num(score.raw), min: num(score.min), max: num(score.max), location: str(core.lesson_location), suspendData: str(cmi.suspend_data), exit: str(core.exit), sessionSeconds: seconds12(str(core.session_time)) };
  if (status === 'passed' || status === 'failed') {
    t.completion = 'completed';
    t.success = status;
  } else if (status === 'completed' || status === 'incomplete' || status === 'not attempted') {
    t.completion = status;
  } else if (status === 'browsed') {
    t.completion = 'incomplete';
  }
  return t;
}

function read2004(cmi: Json): Tracking {
  const score = obj(cmi.score);
  const completion = str(cmi.completion_status);
  const success = str(cmi.success_status);
  return {
    completion: completion === 'completed' || completion === 'incomplete' || completion === 'not attempted' || completion === 'unknown' ? completion : undefined,
    success: success === 'passed' || success === 'failed' || success === 'unknown' ? success : undefined,
    scaled: num(score.scaled),
    raw: num(score.raw),
    min: num(score.min),
    max: num(score.max),
    progress: num(cmi.progress_measure),
    location: str(cmi.location),
    suspendData: str(cmi.suspend_data),
    exit: str(cmi.exit),
    sessionSeconds: seconds2004(str(cmi.session_time)),
  };
}

/** The course's result as the bridge records it (`GET runtime/attempts/:id/result`, src/scorm/result-rules.ts `CourseResult`). */
export interface CourseResultJson {
  completion?: unknown;
  success?: unknown;
  /** 0..1, the mean of the SCOs that report a score. */
  score?: unknown;
}

/**
 * The tracking of a course of several SCOs, which the LMS sees as one: the course's result (status and
 * a 0–100 score) and the time spent in this LMS session. No location, suspend data or exit: they
 * belong to one SCO, and the bridge resumes a multi-SCO course from its own record.
 */
export function courseTracking(course: CourseResultJson, sessionSeconds: number | undefined): Tracking {
  const completion = str(course.completion);
  const success = str(course.success);
  const score = num(course.score);
  return {
    completion: completion === 'completed' || completion === 'incomplete' ? completion : undefined,
    success: success === 'passed' || success === 'failed' ? success : undefined,
    scaled: score === undefined ? undefined : round(score),
    raw: score === undefined ? undefined : round(score * 100),
    min: score === undefined ? undefined : 0,
    max: score === undefined ? undefined : 100,
    sessionSeconds,
  };
}

/** The tracking of one SCO's commit, read from its own version's data model. */
export function scoTracking(courseVersion: ScormVersion, cmi: Json): Tracking {
  return courseVersion === '1.2' ? read12(cmi) : read2004(cmi);
}

/** `[element, value]` pairs to set on the LMS's API for one SCO's commit, in order (status before score, exit last). */
export function relayedValues(courseVersion: ScormVersion, lmsVersion: ScormVersion, cmi: Json): Array<[string, string]> {
  return trackingValues(scoTracking(courseVersion, cmi), lmsVersion);
}

/** The tracking written in the LMS API's data model. */
export function trackingValues(t: Tracking, lmsVersion: ScormVersion): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const put = (el: string, v: string | number | undefined) => {
    if (v !== undefined) {
      out.push([el, String(v)]);
    }
  };
  if (lmsVersion === '1.2') {
    put('cmi.core.lesson_status', t.success === 'passed' || t.success === 'failed' ? t.success : t.completion === 'completed' || t.completion === 'incomplete' ? t.completion : undefined);
    const raw = t.raw ?? (t.scaled !== undefined ? round(Math.max(0, t.scaled) * 100) : undefined);
    put('cmi.core.score.raw', raw === undefined ? undefined : clamp(raw));
    put('cmi.core.score.min', t.min === undefined || raw === undefined ? undefined : clamp(t.min));
    put('cmi.core.score.max', t.max === undefined || raw === undefined ? undefined : clamp(t.max));
    put('cmi.core.lesson_location', t.location?.slice(0, 255));
    put('cmi.suspend_data', t.suspendData);
    put('cmi.core.session_time', t.sessionSeconds === undefined ? undefined : time12(t.sessionSeconds));
    put('cmi.core.exit', t.exit === 'suspend' || t.exit === 'logout' || t.exit === 'time-out' ? t.exit : undefined);
  } else {
    put('cmi.completion_status', t.completion);
    put('cmi.success_status', t.success);
    const scaled = t.scaled ?? (t.raw !== undefined ? round(t.max ? (t.raw - (t.min ?? 0)) / (t.max - (t.min ?? 0)) : t.raw / 100) : undefined);
    put('cmi.score.scaled', scaled === undefined ? undefined : Math.min(1, Math.max(-1, scaled)));
    put('cmi.score.raw', t.raw);
    put('cmi.score.min', t.min);
    put('cmi.score.max', t.max);
    put('cmi.progress_measure', t.progress);
    put('cmi.location', t.location);
    put('cmi.suspend_data', t.suspendData);
    put('cmi.session_time', t.sessionSeconds === undefined ? undefined : time2004(t.sessionSeconds));
    put('cmi.exit', t.exit === 'suspend' || t.exit === 'logout' || t.exit === 'time-out' || t.exit === 'normal' ? t.exit : undefined);
  }
  return out;
}

const round = (n: number) => Math.round(n * 10000) / 10000;
const clamp = (n: number) => Math.min(100, Math.max(0, n));

/** `HHHH:MM:SS.SS` → seconds. */
export function seconds12(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^(\d{2,4}):(\d{2}):(\d{2})(\.\d{1,2})?$/.exec(v);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0) : undefined;
}

/** ISO 8601 duration (`P[nD]T[nH][nM][n.nS]`, no years or months from a SCO in practice) → seconds. */
export function seconds2004(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(v);
  if (!m || v === 'P' || v?.endsWith('T')) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s] = m.map((x) => Number(x ?? 0));
  return y * 31_536_000 + mo * 2_592_000 + d * 86_400 + h * 3600 + mi * 60 + s;
}

export function time12(seconds: number): string {
  const cs = Math.round(seconds * 100);
  const h = Math.min(9999, Math.floor(cs / 360_000));
  const m = Math.floor((cs % 360_000) / 6000);
  const s = (cs % 6000) / 100;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${s < 10 ? '0' : ''}${s.toFixed(2)}`;
}

export function time2004(seconds: number): string {
  const cs = Math.round(seconds * 100);
  const h = Math.floor(cs / 360_000);
  const m = Math.floor((cs % 360_000) / 6000);
  const s = (cs % 6000) / 100;
  return `PT${h}H${m}M${s}S`;
}
