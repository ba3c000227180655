import type { Command } from './script';

/**
 * How the CTS judges one command's result (docs/sequencing.md, "Conformance replayer"): the first
 * matching rule of its decision list, with the typed equality of the SCORM data types where it
 * compares values.
 */

export interface CallResult {
  returned: string;
  lastError: string;
  /** COI: the ids read. */
  ids?: string[];
  /** A `&id&` placeholder that matched no entry. */
  placeholderMissing?: string;
}

/** Undefined = pass; else why it failed. */
export function judge(cmd: Command, r: CallResult, learnerId: string): string | undefined {
  const codeOk = r.lastError === cmd.expectedCode;
  const el = cmd.arg;
  const why = (what: string): string => `${cmd.text}: ${what}`;
  const expectValue = (ok: boolean, expected: string): string | undefined =>
    ok && codeOk ? undefined : why(`got "${short(r.returned)}"/${r.lastError}, expected "${short(expected)}"/${cmd.expectedCode}`);
  if (r.placeholderMissing !== undefined) {
    return why(`id "${r.placeholderMissing}" not found`);
  }
  switch (cmd.method) {
    case 'COI': {
      const listed = cmd.ids ?? [];
      const read = r.ids ?? [];
      const ok = read.length === listed.length && read.every((id) => listed.includes(id));
      return ok ? undefined : why(`objective ids [${read.join(',')}], expected [${listed.join(',')}]`);
    }
    case 'GetErrorString': {
      const v = cmd.expected === 'less255' ? r.returned.length < 255 : cmd.expected === 'emptyCS' ? r.returned === '' : r.returned === cmd.expected;
      return expectValue(v, cmd.expected);
    }
    case 'GetDiagnostic':
      return expectValue(r.returned.length < 255, '<255 chars');
    case 'GetValue': {
      const expected = cmd.learnerKey === 'LI' ? learnerId : cmd.expected;
      if (el.includes('learner_name')) {
        return codeOk ? undefined : why(`error ${r.lastError}, expected ${cmd.expectedCode}`);
      }
      if (el.includes('request_valid.choice') || el.includes('request_valid.jump')) {
        return ['true', 'false', 'unknown'].includes(r.returned) ? undefined : why(`"${r.returned}" is not true/false/unknown`);
      }
      if (el.includes('comments_from_lms') && !el.includes('_children')) {
        const ok = ['0', '301', '403'].includes(r.lastError) || (el === 'cmi.comments_from_lms' && r.lastError === '401');
        return ok ? undefined : why(`error ${r.lastError}`);
      }
      if (expected !== '' && !el.includes('_count')) {
        if (el.includes('request_valid')) {
          return expectValue(['true', 'false', 'unknown'].includes(r.returned), 'true|false|unknown');
        }
        return expectValue(typedEqual(el, r.returned, expected, cmd.interactionType), expected);
      }
      if (el.includes('&') && el.includes('.id')) {
        const id = /&([^&]*)&/.exec(el)?.[1] ?? '';
        return expectValue(r.returned === id, id);
      }
      if (r.returned.startsWith('{') && !el.includes('_count')) {
        return expectValue(typedEqual(el, r.returned, expected, cmd.interactionType), expected);
      }
      return expectValue(r.returned === expected, expected);
    }
    case 'Initialize':
    case 'Commit':
    case 'SetValue':
    case 'GetLastError':
      return expectValue(r.returned === cmd.expected, cmd.expected);
  }
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const REAL = /(score\.(scaled|raw|min|max)|progress_measure|scaled_passing_score|completion_threshold|weighting|audio_level|delivery_speed)$/;
const INTERVAL = /(max_time_allowed|total_time|latency|session_time)$/;
const LANG_STRING = /(comments_from_learner\.\d+\.comment|objectives\.\d+\.description|interactions\.\d+\.description|learner_preference\.language)$/;

/** §8.5: exact, else the equivalence of the element's SCORM data type. */
export function typedEqual(element: string, returned: string, expected: string, interactionType?: string): boolean {
  if (returned === expected) {
    return true;
  }
  if (REAL.test(element) || /interactions\.\d+\.result$/.test(element)) {
    return numbersEqual(returned, expected);
  }
  if (/audio_captioning$/.test(element)) {
    return Number.isInteger(Number(returned)) && Number(returned) === Number(expected);
  }
  if (INTERVAL.test(element)) {
    const a = intervalSeconds(returned);
    const b = intervalSeconds(expected);
    return a !== undefined && b !== undefined && Math.abs(a - b) < 1e-6;
  }
  if (/timestamp$/.test(element)) {
    const a = Date.parse(returned);
    const b = Date.parse(expected);
    return Number.isFinite(a) && Number.isFinite(b) && Math.floor(a / 1000) === Math.floor(b / 1000);
  }
  if (LANG_STRING.test(element)) {
    const a = langString(returned);
    const b = langString(expected);
    return a.text === b.text && a.lang === b.lang;
  }
  if (/(learner_response|correct_responses\.\d+\.pattern)$/.test(element)) {
    return responsesEqual(returned, expected, interactionType);
  }
  return false;
}

function numbersEqual(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() === '' || b.trim() === '' || !Number.isFinite(x) || !Number.isFinite(y)) {
    return false;
  }
  return Math.trunc(x * 1e6) === Math.trunc(y * 1e6) || Math.round(x * 1e6) === Math.round(y * 1e6);
}

/** ISO 8601 duration in seconds (a year 365 days, a month 2,628,029 s, as the CTS counts). */
export function intervalSeconds(s: string): number | undefined {
  const m = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
  if (!m || s === 'P' || s.endsWith('T')) {
    return undefined;
  }
  const [y, mo, d, h, mi, se] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  return y * 365 * 86400 + mo * 2628029 + d * 86400 + h * 3600 + mi * 60 + se;
}

function langString(s: string): { lang: string; text: string } {
  const m = /^\{lang=([^}]*)\}([\s\S]*)$/.exec(s);
  const lang = (m ? m[1] : 'en').toLowerCase();
  return { lang: lang === 'eng' ? 'en' : lang, text: m ? m[2] : s };
}

/**
 * A response's leading delimiters as ADL's parser reads them: `{lang=…}`, `{case_matters=true|false}`
 * and `{order_matters=true|false}` in any order, each once (an invalid one is text).
 */
function responseDelimiters(s: string): { lang?: string; caseMatters?: boolean; orderMatters?: boolean; rest: string } {
  const out: { lang?: string; caseMatters?: boolean; orderMatters?: boolean; rest: string } = { rest: s };
  for (;;) {
    const m = /^\{(?:lang=([^}]*)|case_matters=(true|false)|order_matters=(true|false))\}/.exec(out.rest);
    if (!m || (m[1] !== undefined && out.lang !== undefined) || (m[2] && out.caseMatters !== undefined) || (m[3] && out.orderMatters !== undefined)) {
      return out;
    }
    if (m[1] !== undefined) {
      out.lang = m[1];
    } else if (m[2]) {
      out.caseMatters = m[2] === 'true';
    } else {
      out.orderMatters = m[3] === 'true';
    }
    out.rest = out.rest.slice(m[0].length);
  }
}

/** Same lists, in order or as multisets. */
function sameList(x: string[], y: string[], inOrder: boolean, eq: (a: string, b: string) => boolean = (a, b) => a === b): boolean {
  if (x.length !== y.length) {
    return false;
  }
  if (inOrder) {
    return x.every((v, i) => eq(v, y[i]));
  }
  const left = [...y];
  return x.every((v) => {
    const i = left.findIndex((w) => eq(v, w));
    return i >= 0 && left.splice(i, 1).length === 1;
  });
}

function responsesEqual(a: string, b: string, type: string | undefined): boolean {
  const parts = (s: string): string[] => s.split('[,]');
  switch (type) {
    case 'choice': {
      const x = parts(a).sort();
      const y = parts(b).sort();
      return x.length === y.length && x.every((v, i) => v === y[i]);
    }
    case 'fill-in':
    case 'long-fill-in': {
      // The delimiters of the first string (its {lang=} included) open the whole response.
      const read = (s: string): { caseMatters: boolean; orderMatters: boolean; texts: string[] } => {
        const d = responseDelimiters(s);
        const texts = parts(d.rest).map((p, i) => (i === 0 ? p : langString(p).text));
        return { caseMatters: d.caseMatters === true, orderMatters: d.orderMatters !== false, texts };
      };
      const x = read(a);
      const y = read(b);
      const caseMatters = x.caseMatters || y.caseMatters;
      const eq = (v: string, w: string): boolean => (caseMatters ? v === w : v.toLowerCase() === w.toLowerCase());
      return sameList(x.texts, y.texts, x.orderMatters && y.orderMatters, eq);
    }
    case 'matching':
    case 'performance':
    case 'sequencing': {
      // Records are compared exactly; a matching is a set of pairs, a sequence is ordered, a performance unless {order_matters=false}.
      const x = responseDelimiters(a);
      const y = responseDelimiters(b);
      const inOrder = type === 'sequencing' || (type === 'performance' && x.orderMatters !== false && y.orderMatters !== false);
      return (
        x.lang === undefined &&
        y.lang === undefined &&
        x.caseMatters === undefined &&
        y.caseMatters === undefined &&
        sameList(parts(x.rest), parts(y.rest), inOrder)
      );
    }
    case 'numeric':
      return numbersEqual(a, b) || a.split('[:]').every((v, i) => numbersEqual(v, b.split('[:]')[i] ?? ''));
    default:
      return false;
  }
}
