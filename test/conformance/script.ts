/**
 * The ADL CTS LMS test-case script format (`<case>.properties`), read as the CTS reads it: its own
 * line reader (continuations kept verbatim, `####` comments, split at the first `=`, duplicate keys
 * kept in file order), the activity blocks that define the expected delivery order, and the command
 * mini-language decoded into API calls (docs/sequencing.md, "Conformance replayer").
 */

/** One flat abbreviation table for element tokens, values and method codes. */
export const ABBREVIATIONS: Readonly<Record<string, string>> = {
  a: 'adl',
  c: 'cmi',
  n: 'nav',
  r: 'request',
  rv: 'request_valid',
  DA: 'data',
  STR: 'store',
  V: '_version',
  CHIL: '_children',
  CNT: '_count',
  CFLRNR: 'comments_from_learner',
  CFLMS: 'comments_from_lms',
  COM: 'comment',
  LOC: 'location',
  TS: 'timestamp',
  CS: 'completion_status',
  CT: 'completion_threshold',
  CDT: 'credit',
  E: 'entry',
  X: 'exit',
  INTR: 'interactions',
  ID: 'id',
  TY: 'type',
  OB: 'objectives',
  CR: 'correct_responses',
  P: 'pattern',
  W: 'weighting',
  LR: 'learner_response',
  R: 'result',
  LAT: 'latency',
  LD: 'launch_data',
  LI: 'learner_id',
  LN: 'learner_name',
  LP: 'learner_preference',
  AL: 'audio_level',
  LANG: 'language',
  DS: 'delivery_speed',
  AC: 'audio_captioning',
  MAXTA: 'max_time_allowed',
  M: 'mode',
  S: 'score',
  SCA: 'scaled',
  RW: 'raw',
  MN: 'min',
  MX: 'max',
  SS: 'success_status',
  PM: 'progress_measure',
  SPS: 'scaled_passing_score',
  ST: 'session_time',
  SD: 'suspend_data',
  TLA: 'time_limit_action',
  TT: 'total_time',
  D: 'description',
  t: 'true',
  f: 'false',
  comp: 'completed',
  incomp: 'incomplete',
  notatt: 'not attempted',
  pass: 'passed',
  fail: 'failed',
  unk: 'unknown',
  'CDT.c': 'credit',
  'CDT.n': 'no-credit',
  'E.a': 'ab-initio',
  'E.r': 'resume',
  es: '',
  'X.t': 'time-out',
  'X.s': 'suspend',
  'X.l': 'logout',
  'N.c': 'continue',
  'N.p': 'previous',
  'N.ea': 'exitAll',
  'N.a': 'abandon',
  'N.aa': 'abandonAll',
  'N.sa': 'suspendAll',
  'N.n': '_none_',
  'N.j': 'jump',
  IlSt: 'illegal_state',
  'TY.tf': 'true-false',
  'TY.c': 'choice',
  'TY.f': 'fill-in',
  'TY.lf': 'long-fill-in',
  'TY.l': 'likert',
  'TY.m': 'matching',
  'TY.p': 'performance',
  'TY.s': 'sequencing',
  'TY.n': 'numeric',
  'TY.o': 'other',
  'R.c': 'correct',
  'R.i': 'incorrect',
  'R.u': 'unanticipated',
  'R.n': 'neutral',
  'M.b': 'browse',
  'M.n': 'normal',
  'M.r': 'review',
  'TLA.em': 'exit,message',
  'TLA.cm': 'continue,message',
  'TLA.enm': 'exit,no message',
  'TLA.cnm': 'continue,no message',
  test: 'test',
  ill: 'illegal',
  WOV: 'WriteOnceViolation',
  ivd: 'invalid',
};

const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(ABBREVIATIONS, k);
/** L(x): the table value, or x itself when it is not a key. */
export const lookup = (x: string): string => (has(x) ? ABBREVIATIONS[x] : x);

export interface ScriptLine {
  key: string;
  value: string;
}

/** §3: windows-1252/latin-1 text, backslash continuations joined verbatim, `####` lines dropped, split at the first `=`. */
export function readScriptLines(bytes: Buffer): ScriptLine[] {
  const physical = bytes.toString('latin1').split('\n');
  const out: ScriptLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i];
    while (line.endsWith('\\') && i + 1 < physical.length) {
      line = line.slice(0, -1) + physical[++i];
    }
    if (line.includes('####')) {
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      continue;
    }
    out.push({ key: line.slice(0, eq), value: line.slice(eq + 1) });
  }
  return out;
}

/** §3.5: `\uXXXX` in command values only; every other backslash stays. */
export function unescapeUnicode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '\\' || i + 1 >= s.length) {
      out += ch;
      continue;
    }
    const next = s[i + 1];
    if (next === 'u') {
      const hex = s.slice(i + 2, i + 6);
      out += /^[0-9a-fA-F]{4}$/.test(hex) ? String.fromCharCode(parseInt(hex, 16)) : `\\u${hex}`;
      i += 1 + hex.length;
    } else {
      out += ch + next;
      i += 1;
    }
  }
  return out;
}

export interface Block {
  /** Text between `Act` and the first `V`: compared with the delivered item's `act=`. */
  label: string;
  prefix: string;
  commands: string[];
  uiQuestions: string[];
  uiAnswers: string[];
  /** The tester's instruction after the block, `~`-split; [] = none. */
  cui: string[];
}

export interface Script {
  title: string;
  start: string;
  tt: string;
  blocks: Block[];
}

/** §4–§5: the header and the blocks (maximal runs of lines with one `Act…V…` prefix). */
export function parseScript(bytes: Buffer): Script {
  const lines = readScriptLines(bytes);
  const header = new Map<string, string>();
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const { key, value } of lines) {
    const m = /^Act(.*?)V/.exec(key);
    if (!m) {
      if (!header.has(key)) {
        header.set(key, value);
      }
      continue;
    }
    const dot = key.indexOf('.');
    const prefix = dot < 0 ? key : key.slice(0, dot);
    if (!current || current.prefix !== prefix) {
      current = { label: m[1], prefix, commands: [], uiQuestions: [], uiAnswers: [], cui: [] };
      blocks.push(current);
    }
    const part = dot < 0 ? '' : key.slice(dot + 1);
    if (part.startsWith('commands.')) {
      current.commands.push(unescapeUnicode(value));
    } else if (part === 'UIQ') {
      current.uiQuestions = value === '' ? [] : value.split('~');
    } else if (part === 'UIA') {
      current.uiAnswers = value === '' ? [] : value.split('~');
    } else if (part === 'CUI') {
      current.cui = value === '' ? [] : value.split('~');
    }
  }
  return { title: header.get('title') ?? '', start: header.get('start') ?? '.', tt: header.get('TT') ?? '', blocks };
}

export type Method = 'Initialize' | 'Commit' | 'GetValue' | 'SetValue' | 'GetLastError' | 'GetErrorString' | 'GetDiagnostic' | 'COI';

export interface Command {
  text: string;
  method: Method;
  /** The element (GetValue/SetValue, with `&id&` placeholders unresolved) or the literal argument. */
  arg: string;
  /** SetValue's value. */
  value?: string;
  expected: string;
  expectedCode: string;
  /** GetValue of an interaction element: the interaction type for the typed comparison. */
  interactionType?: string;
  /** The raw element key mentions the learner's name or id (§6.4). */
  learnerKey?: 'LN' | 'LI';
  /** COI: the objective ids listed. */
  ids?: string[];
}

/** Java's String.split: empty pieces at the end are dropped. */
function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === '') {
    parts.pop();
  }
  return parts;
}

/** §6: one command text → the call to make and what to expect; undefined for an unknown method code (not called). */
export function decodeCommand(text: string): Command | undefined {
  const p = javaSplit(text, '->');
  const code = p[0] ?? '';
  const expectedOf = (lookupValues: boolean): { expected: string; expectedCode: string } => {
    if (p.length < 3) {
      return { expected: '', expectedCode: p[p.length - 1] ?? '' };
    }
    const raw = p[p.length - 2];
    return { expected: lookupValues ? lookup(raw) : raw, expectedCode: p[p.length - 1] };
  };
  switch (code) {
    case 'I':
    case 'C':
      return { text, method: code === 'I' ? 'Initialize' : 'Commit', arg: p[1] ?? '', ...expectedOf(true) };
    case 'GLE':
      return { text, method: 'GetLastError', arg: '', expected: p[2] ?? '', expectedCode: p[3] ?? '' };
    case 'GES':
      return { text, method: 'GetErrorString', arg: p[1] ?? '', expected: p[2] ?? '', expectedCode: p[3] ?? '' };
    case 'GeDi':
      return { text, method: 'GetDiagnostic', arg: p[1] ?? '', expected: p[2] ?? '', expectedCode: p[3] ?? '' };
    case 'COI':
      return { text, method: 'COI', arg: '', expected: '', expectedCode: '', ids: (p[1] ?? '').split(',').filter((x) => x !== '') };
    case 'GET': {
      const key = p[1] ?? '';
      const { element, interactionType } = decodeGetElement(key);
      const { expected, expectedCode } = expectedOf(false);
      const cmd: Command = { text, method: 'GetValue', arg: element, expected: getExpected(expected), expectedCode };
      if (interactionType) {
        cmd.interactionType = interactionType;
      }
      if (key.includes('LN')) {
        cmd.learnerKey = 'LN';
      } else if (key.includes('LI')) {
        cmd.learnerKey = 'LI';
      }
      return cmd;
    }
    case 'SET': {
      const { element, value } = decodeSet(p[1] ?? '');
      return { text, method: 'SetValue', arg: element, value, ...expectedOf(true) };
    }
    default:
      return undefined;
  }
}

/** GET values: looked up, except a token whose table value is empty stays itself. */
function getExpected(raw: string): string {
  const v = lookup(raw);
  return v === '' ? raw : v;
}

function decodeGetElement(key: string): { element: string; interactionType?: string } {
  if (!key.includes('~')) {
    return { element: key };
  }
  let tokens = key.split('~');
  let interactionType: string | undefined;
  if (tokens[1] === 'INTR' && key.includes('!')) {
    tokens = tokens.map((t) => {
      const bang = t.indexOf('!');
      if (bang < 0) {
        return t;
      }
      interactionType = lookup(t.slice(bang + 1));
      return t.slice(0, bang);
    });
  }
  if (tokens.length === 6 && key.includes('a~n~r')) {
    return { element: `adl.nav.request_valid.${lookup(tokens[3])}.{target=${tokens[5]}}` };
  }
  return { element: tokens.map(lookup).join('.'), ...(interactionType ? { interactionType } : {}) };
}

function decodeSet(key: string): { element: string; value: string } {
  const t = key.split('~');
  const last = t[t.length - 1];
  const bang = last.indexOf('!');
  const elem = bang < 0 ? last : last.slice(0, bang);
  const value = bang < 0 ? '' : last.slice(bang + 1);
  const L = lookup;
  switch (t.length) {
    case 1:
      return { element: key.slice(0, key.indexOf('!') < 0 ? key.length : key.indexOf('!')), value };
    case 2:
      return { element: `${L(t[0])}.${L(elem)}`, value: L(value) };
    case 3:
      return { element: `${L(t[0])}.${L(t[1])}.${L(elem)}`, value: L(value) };
    case 4:
      return { element: `${L(t[0])}.${L(t[1])}.${t[2]}.${L(elem)}`, value: L(value) };
    case 5: {
      if (key.includes('a~n~r')) {
        return { element: 'adl.nav.request', value: `{target=${t[3]}}${L(t[4])}` };
      }
      const between = value.split('!')[0];
      return { element: `${L(t[0])}.${L(t[1])}.${L(t[2])}.${L(t[3])}.${L(elem)}`, value: L(between) };
    }
    default:
      return { element: [...t.slice(0, -1), elem].map(L).join('.'), value: L(value) };
  }
}
