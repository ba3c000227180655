import { seconds12, seconds2004, time12, time2004, type ScormVersion } from './dispatch-values';

/**
 * Interactions, objectives and comments of a hosted SCO, written in the LMS API's data model (docs/dispatch.md
 * "Interactions, objectives and comments"). Each entry is a **record** the package page places in the LMS's
 * own arrays: an interaction or a comment at the LMS's next index, an objective by its id (a SCO's entry
 * with the id of one already there updates it). The bridge page sends only what changed since the SCO's
 * launch data or its last relay, so the LMS's journal gets each interaction once.
 */
type Json = { [key: string]: unknown };
export type RecordKind = 'interaction' | 'objective' | 'comment';

/** One entry to set on the LMS: its kind, a key that stays the same across commits, and `[field, value]` pairs. */
export interface LmsRecord {
  kind: RecordKind;
  key: string;
  /** The interaction's or objective's identifier (the LMS entry is found or made by it); '' for a comment. */
  id: string;
  values: Array<[string, string]>;
}

/**
 * The fields the package page lets a record set, per LMS version and kind, relative to the entry
 * (`cmi.interactions.<n>.`, `cmi.objectives.<n>.`, `cmi.comments_from_learner.<n>.`; a 1.2 comment is
 * `cmi.comments` itself, field ''). Anything else is refused by name.
 */
export const RECORD_FIELDS: Record<ScormVersion, Record<RecordKind, RegExp>> = {
  '1.2': {
    interaction: /^(id|time|type|weighting|student_response|result|latency|objectives\.\d{1,3}\.id|correct_responses\.\d{1,3}\.pattern)$/,
    objective: /^(id|status|score\.(raw|min|max))$/,
    comment: /^$/,
  },
  '2004': {
    interaction: /^(id|type|timestamp|weighting|learner_response|result|latency|description|objectives\.\d{1,3}\.id|correct_responses\.\d{1,3}\.pattern)$/,
    objective: /^(id|success_status|completion_status|progress_measure|description|score\.(scaled|raw|min|max))$/,
    comment: /^(comment|location|timestamp)$/,
  },
};

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const entries = (v: unknown): Json[] => {
  if (!v || typeof v !== 'object') {
    return [];
  }
  const list = Array.isArray(v) ? v : Object.keys(v as Json).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b)).map((k) => (v as Json)[k]);
  return list.filter((e): e is Json => !!e && typeof e === 'object');
};

/** `[field, value]` pairs of an entry, nested arrays (`objectives.0.id`) flattened, empty values left out. */
function fields(entry: Json, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(entry)) {
    if (k.startsWith('_')) {
      continue;
    }
    if (v && typeof v === 'object') {
      const list = entries(v);
      if (list.length > 0 || Array.isArray(v) || Object.keys(v).every((x) => /^\d+$/.test(x))) {
        list.forEach((item, i) => out.push(...fields(item, `${prefix}${k}.${i}.`)));
      } else {
        out.push(...fields(v as Json, `${prefix}${k}.`));
      }
    } else if (text(v) !== '') {
      out.push([`${prefix}${k}`, text(v)]);
    }
  }
  return out;
}

/** A SCORM 2004 response or pattern in 1.2's form: delimiters dropped, `[,]` → `,`, `[.]` → `.`, `[:]` → `:`. */
const response12 = (v: string) => v.replace(/^(\{[a-z_]+=[^}]*\})+/, '').replace(/\[,\]/g, ',').replace(/\[\.\]/g, '.').replace(/\[:\]/g, ':');
/** A SCORM 1.2 response or pattern in 2004's form (`a,b` → `a[,]b`, `a.1` → `a[.]1`) for the types whose 1.2 form uses those separators. */
const response2004 = (type: string, v: string) => (['choice', 'sequencing', 'matching', 'likert', 'true-false', 'performance'].includes(type) ? v.replace(/,/g, '[,]').replace(/\./g, type === 'matching' ? '[.]' : '.') : v);
const day = () => new Date().toISOString().slice(0, 10);

/** One interaction field of the course's version in the LMS's version (undefined: no counterpart). */
function interactionField(from: ScormVersion, to: ScormVersion, name: string, value: string, type: string): [string, string] | undefined {
  if (from === to) {
    return [name, value];
  }
  const pattern = /^correct_responses\.\d+\.pattern$/.test(name);
  if (to === '1.2') {
    if (name === 'type') {
      return value === 'long-fill-in' ? ['type', 'fill-in'] : value === 'other' ? undefined : [name, value];
    }
    if (name === 'learner_response' || pattern) {
      return [name === 'learner_response' ? 'student_response' : name, response12(value)];
    }
    if (name === 'result') {
      return ['result', value === 'incorrect' ? 'wrong' : value];
    }
    if (name === 'timestamp') {
      const m = /T(\d{2}:\d{2}:\d{2})/.exec(value);
      return m ? ['time', m[1]] : undefined;
    }
    if (name === 'latency') {
      const s = seconds2004(value);
      return s === undefined ? undefined : ['latency', time12(s)];
    }
    return name === 'description' ? undefined : [name, value];
  }
  if (name === 'student_response' || pattern) {
    return [name === 'student_response' ? 'learner_response' : name, response2004(type, value)];
  }
  if (name === 'result') {
    return ['result', value === 'wrong' ? 'incorrect' : value];
  }
  if (name === 'time') {
    return /^\d{2}:\d{2}:\d{2}/.test(value) ? ['timestamp', `${day()}T${value.slice(0, 8)}`] : undefined;
  }
  if (name === 'latency') {
    const s = seconds12(value);
    return s === undefined ? undefined : ['latency', time2004(s)];
  }
  return [name, value];
}

/** An objective's fields in the LMS's version: 1.2's one status is 2004's completion and success. */
function objectiveFields(from: ScormVersion, to: ScormVersion, f: Map<string, string>): Array<[string, string]> {
  if (from === to) {
    return [...f].filter(([k]) => k !== 'id');
  }
  const out: Array<[string, string]> = [];
  const put = (k: string, v: string | undefined) => v !== undefined && v !== '' && out.push([k, v]);
  const s = f.get('status') ?? '';
  const success = to === '2004' ? s : f.get('success_status');
  const completion = f.get('completion_status');
  if (to === '2004') {
    put('success_status', s === 'passed' || s === 'failed' ? s : undefined);
    put('completion_status', s === 'passed' || s === 'failed' || s === 'completed' ? 'completed' : s === 'incomplete' || s === 'browsed' ? 'incomplete' : s === 'not attempted' ? s : undefined);
  } else {
    put('status', success === 'passed' || success === 'failed' ? success : completion === 'completed' || completion === 'incomplete' || completion === 'not attempted' ? completion : undefined);
  }
  const scaled = Number(f.get('score.scaled'));
  put('score.raw', f.get('score.raw') ?? (to === '1.2' && f.has('score.scaled') && Number.isFinite(scaled) ? String(Math.round(Math.max(0, scaled) * 10000) / 100) : undefined));
  put('score.min', f.get('score.min'));
  put('score.max', f.get('score.max'));
  return out;
}

/**
 * The records of one hosted SCO's committed CMI (scorm-again's JSON form), in the LMS's version. Keys:
 * `<scope>#i<n>` for the SCO's interaction n, `<scope>#o<id>` for an objective, `<scope>#c<n>` for a
 * comment (a 1.2 SCO's `cmi.comments` is its comment 0); the scope names the SCO and its launch, so a
 * new SCO attempt's interaction 0 is a new LMS entry.
 */
export function lmsRecords(scope: string, from: ScormVersion, to: ScormVersion, cmi: Json): LmsRecord[] {
  const out: LmsRecord[] = [];
  entries(cmi.interactions).forEach((e, n) => {
    const id = text(e.id);
    const type = text(e.type);
    const values = fields(e)
      .filter(([k]) => k !== 'id')
      .map(([k, v]) => interactionField(from, to, k, v, type))
      .filter((x): x is [string, string] => x !== undefined);
    if (id) {
      out.push({ kind: 'interaction', key: `${scope}#i${n}`, id, values });
    }
  });
  for (const e of entries(cmi.objectives)) {
    const id = text(e.id);
    if (id) {
      out.push({ kind: 'objective', key: `${scope}#o${id}`, id, values: objectiveFields(from, to, new Map(fields(e))) });
    }
  }
  const comments = from === '1.2' ? (text(cmi.comments) ? [{ comment: text(cmi.comments) }] : []) : entries(cmi.comments_from_learner);
  comments.forEach((e, n) => {
    const f = new Map(fields(e));
    const values: Array<[string, string]> = to === '1.2' ? [['', f.get('comment') ?? '']] : [...f].filter(([k]) => /^(comment|location|timestamp)$/.test(k));
    if (f.get('comment')) {
      out.push({ kind: 'comment', key: `${scope}#c${n}`, id: '', values });
    }
  });
  return out;
}

/**
 * What changed: each record reduced to the fields whose value differs from what `sent` holds for its key
 * (dropped when nothing did); `sent` is updated. Seed `sent` with the SCO's launch data so that what
 * the LMS got in an earlier session is not sent again.
 */
export function changedRecords(records: LmsRecord[], sent: Map<string, Map<string, string>>): LmsRecord[] {
  const out: LmsRecord[] = [];
  for (const r of records) {
    const before = sent.get(r.key) ?? new Map<string, string>();
    const changed = r.values.filter(([k, v]) => before.get(k) !== v);
    if (changed.length > 0 || !sent.has(r.key)) {
      out.push({ ...r, values: changed });
    }
    sent.set(r.key, new Map([...before, ...r.values]));
  }
  return out;
}

/** LMS error codes in the other version's numbering (1.2 RTE §3.3.4, 2004 RTE §3.1.7); unknown ones become the general error. */
const CODE_IN: Record<ScormVersion, Record<string, string>> = {
  // a 2004 LMS's code for a 1.2 SCO
  '1.2': { '401': '401', '404': '403', '405': '404', '406': '405', '407': '405' },
  // a 1.2 LMS's code for a 2004 SCO
  '2004': { '201': '351', '401': '401', '402': '401', '403': '404', '404': '405', '405': '406' },
};

/** The error code a SCO of version `course` reads for the LMS's refusal `code` (a `1.2` or `2004` number); null when it is none. */
export function scoErrorCode(lms: ScormVersion, course: ScormVersion, code: string): number | null {
  if (!/^\d{1,4}$/.test(code) || code === '0') {
    return null;
  }
  return Number(lms === course ? code : (CODE_IN[course][code] ?? (course === '1.2' ? '101' : '391')));
}
