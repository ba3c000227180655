import { RECORD_FIELDS, type RecordKind } from './dispatch-records';
import { RELAYED_ELEMENTS, ScormVersion } from './dispatch-values';

/**
 * The launch page of a dispatch package, running on the **LMS's origin** (src/dispatch/README.md). It
 * finds the LMS's own SCORM API (the standard discovery walk up `parent`, then `opener`), reads the
 * learner, frames the bridge page of the content origin, and after a two-way origin check hands the
 * bridge a private MessageChannel port. Through it the bridge may only set the tracking elements of
 * `RELAYED_ELEMENTS`, commit, and finish: nothing else of the LMS is reachable. Read from the LMS once,
 * at the start: the learner's id and name, and (when the LMS resumes) its location and suspend data.
 */
interface Config {
  bridgeOrigin: string;
  dispatchToken: string;
  scorm: ScormVersion;
  title: string;
}

type Api12 = Record<'LMSInitialize' | 'LMSFinish' | 'LMSGetValue' | 'LMSSetValue' | 'LMSCommit' | 'LMSGetLastError', (...a: string[]) => string>;
type Api2004 = Record<'Initialize' | 'Terminate' | 'GetValue' | 'SetValue' | 'Commit' | 'GetLastError', (...a: string[]) => string>;

/** A SCORM API of either version behind one face. */
interface LmsApi {
  init(): boolean;
  get(el: string): string;
  set(el: string, v: string): string;
  commit(): boolean;
  finish(): boolean;
  error(): string;
}

function wrap(version: ScormVersion, api: unknown): LmsApi {
  if (version === '1.2') {
    const a = api as Api12;
    return {
      init: () => String(a.LMSInitialize('')) === 'true',
      get: (el) => String(a.LMSGetValue(el)),
      set: (el, v) => String(a.LMSSetValue(el, v)),
      commit: () => String(a.LMSCommit('')) === 'true',
      finish: () => String(a.LMSFinish('')) === 'true',
      error: () => String(a.LMSGetLastError()),
    };
  }
  const a = api as Api2004;
  return {
    init: () => String(a.Initialize('')) === 'true',
    get: (el) => String(a.GetValue(el)),
    set: (el, v) => String(a.SetValue(el, v)),
    commit: () => String(a.Commit('')) === 'true',
    finish: () => String(a.Terminate('')) === 'true',
    error: () => String(a.GetLastError()),
  };
}

const ARRAYS: Record<RecordKind, string> = { interaction: 'cmi.interactions', objective: 'cmi.objectives', comment: 'cmi.comments_from_learner' };

/**
 * Sets one record of interactions, objectives or comments on the LMS (player/src/dispatch-records.ts):
 * a new interaction or comment at the LMS's next index (its `_count`), an objective at the index of the
 * LMS's objective with that id, else the next; the id first, then the fields the version's data model
 * has (any other field is refused by name). A 1.2 comment is `cmi.comments`. Refusals go to `refused`.
 */
function placeRecord(api: LmsApi, version: ScormVersion, raw: unknown, places: Map<string, number>, refused: Array<[string, string]>): void {
  const r = raw as { kind?: unknown; key?: unknown; id?: unknown; values?: unknown };
  const kind = r?.kind === 'interaction' || r?.kind === 'objective' || r?.kind === 'comment' ? r.kind : null;
  const values = Array.isArray(r?.values) ? (r.values as unknown[]) : [];
  if (!kind || typeof r.key !== 'string' || typeof r.id !== 'string' || !values.every((v) => Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && RECORD_FIELDS[version][kind].test(v[0]))) {
    refused.push([String(r?.key), 'not relayed']);
    return;
  }
  const set = (el: string, v: string): boolean => {
    if (api.set(el, v) === 'true') {
      return true;
    }
    refused.push([el, api.error()]);
    return false;
  };
  if (version === '1.2' && kind === 'comment') {
    for (const [, v] of values as Array<[string, string]>) {
      set('cmi.comments', v);
    }
    return;
  }
  const base = ARRAYS[kind];
  let n = places.get(r.key);
  if (n === undefined) {
    const count = Number(api.get(`${base}._count`)) || 0;
    n = count;
    for (let i = 0; kind === 'objective' && i < count; i++) {
      if (api.get(`${base}.${i}.id`) === r.id) {
        n = i;
      }
    }
    if (kind !== 'comment' && n === count && !set(`${base}.${n}.id`, r.id)) {
      return;
    }
    places.set(r.key, n);
  }
  for (const [field, v] of values as Array<[string, string]>) {
    set(`${base}.${n}.${field}`, v);
  }
}

/** SCORM's API discovery: this window and its parents (at most 500 levels), then the opener's chain. */
export function findLmsApi(name: 'API' | 'API_1484_11', start: Window = window): unknown {
  const climb = (w: Window | null): unknown => {
    for (let depth = 0; w && depth < 500; depth++) {
      try {
        const found = (w as unknown as Record<string, unknown>)[name];
        if (found) {
          return found;
        }
      } catch {
        // a cross-origin window: not ours to read; keep climbing (its parent may be the LMS)
      }
      if (w.parent === w) {
        return null;
      }
      w = w.parent;
    }
    return null;
  };
  return climb(start) ?? climb(start.opener as Window | null) ?? null;
}

/** What the learner reads when the LMS framed the package without an origin. */
export const SANDBOXED =
  'Your LMS opened this course in a sandboxed frame that has no origin, so the course cannot safely exchange your progress with it. Please ask your LMS administrator to let SCORM content keep its origin (sandbox "allow-same-origin") or to open it in a new window.';

function main(): void {
  const el = document.getElementById('dispatch-config');
  const message = document.getElementById('dispatch-message') as HTMLElement;
  const say = (text: string) => {
    message.textContent = text;
    message.hidden = false;
  };
  const cfg = JSON.parse(el?.textContent ?? '{}') as Config;
  // This document's real origin: a srcdoc or about:blank frame inherits its LMS page's origin while its
  // URL's (location.origin) is "null". An opaque origin (a sandbox without allow-same-origin) cannot be
  // answered safely (docs/dispatch.md "Frames without an origin").
  const own = self.origin;
  if (own === 'null') {
    say(SANDBOXED);
    return;
  }
  const raw = findLmsApi(cfg.scorm === '1.2' ? 'API' : 'API_1484_11');
  if (!raw) {
    say(`This course must be opened from your LMS: no SCORM ${cfg.scorm} API was found.`);
    return;
  }
  const api = wrap(cfg.scorm, raw);
  if (!api.init()) {
    say(`Your LMS refused to start this course (SCORM error ${api.error()}).`);
    return;
  }
  const v12 = cfg.scorm === '1.2';
  const learner = v12 ? { id: api.get('cmi.core.student_id'), name: api.get('cmi.core.student_name') } : { id: api.get('cmi.learner_id'), name: api.get('cmi.learner_name') };
  // The place the LMS kept, if it resumes: the bridge uses it only when it has no record of the learner.
  const resume = api.get(v12 ? 'cmi.core.entry' : 'cmi.entry') === 'resume' ? { location: api.get(v12 ? 'cmi.core.lesson_location' : 'cmi.location'), suspendData: api.get('cmi.suspend_data') } : null;
  const allowed = new Set(RELAYED_ELEMENTS[cfg.scorm]);
  let finished = false;
  let scoEnded = false;
  /** Where each record the bridge sent lives in the LMS's arrays (its key → the LMS's index). */
  const places = new Map<string, number>();

  const frame = document.createElement('iframe');
  frame.id = 'dispatch-frame';
  frame.title = cfg.title;
  frame.allow = 'fullscreen; autoplay';
  frame.src = `${cfg.bridgeOrigin}/dispatch/${encodeURIComponent(cfg.dispatchToken)}?lms=${encodeURIComponent(own)}`;
  document.body.appendChild(frame);

  const finish = () => {
    if (!finished) {
      finished = true;
      if (!scoEnded) {
        // Closed mid-course: keep the learner's place in the LMS (its own resume) before finishing.
        api.set(cfg.scorm === '1.2' ? 'cmi.core.exit' : 'cmi.exit', 'suspend');
      }
      api.commit();
      api.finish();
    }
  };
  window.addEventListener('pagehide', finish);

  const onPort = (e: MessageEvent) => {
    const m = e.data as { type?: string; id?: number; values?: unknown; records?: unknown; finish?: boolean };
    if (m?.type !== 'set' || finished) {
      return;
    }
    const refused: Array<[string, string]> = [];
    for (const pair of Array.isArray(m.values) ? (m.values as unknown[]) : []) {
      const [name, value] = Array.isArray(pair) ? pair : [];
      if (typeof name !== 'string' || typeof value !== 'string' || !allowed.has(name)) {
        refused.push([String(name), 'not relayed']);
        continue;
      }
      if (api.set(name, value) !== 'true') {
        refused.push([name, api.error()]);
      }
    }
    for (const r of Array.isArray(m.records) ? (m.records as unknown[]) : []) {
      placeRecord(api, cfg.scorm, r, places, refused);
    }
    const committed = api.commit();
    if (m.finish) {
      scoEnded = true;
      finish();
    }
    port?.postMessage({ type: 'ack', id: m.id, committed, refused });
  };

  let port: MessagePort | null = null;
  // Hand-shake: only the bridge page, in our own frame, on the bridge origin; answered to that origin only.
  window.addEventListener('message', (e) => {
    if (port || e.source !== frame.contentWindow || e.origin !== cfg.bridgeOrigin || (e.data as { type?: string })?.type !== 'scorm-dispatch:ready') {
      return;
    }
    const channel = new MessageChannel();
    port = channel.port1;
    port.onmessage = onPort;
    frame.contentWindow?.postMessage({ type: 'scorm-dispatch:hello', v: 1, scorm: cfg.scorm, learner, resume }, cfg.bridgeOrigin, [channel.port2]);
  });
}

main();
