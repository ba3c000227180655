import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

/**
 * A minimal SCORM LMS for the dispatch tests, written for them (not the project's player): an HTTP
 * server on its own origin (`http://127.0.0.1:<port>`, while the bridge is on `localhost`) that
 * serves unzipped packages under `/pkg/<name>/`, an empty page (`/blank.html`) and an LMS page, `/lms.html`, whose own `window.API`
 * (1.2) or `window.API_1484_11` (2004) records every call in `window.lmsCalls`, checks the values a
 * SCO may set (vocabularies, score ranges, time formats, read-only elements; interactions, objectives and
 * comments as arrays made in order, their fields checked, 1.2's 255-character responses), and keeps what was
 * committed in the LMS origin's localStorage (what the LMS "acknowledged"), so a relaunch in the
 * same browser resumes from it. The page frames the package's launch page, or opens it in a new
 * window (`mode=window`, found by the package through `window.opener`), or writes it into a `srcdoc`
 * frame (`mode=srcdoc`: the frame's URL origin is "null", its document's origin the LMS's), or frames it
 * sandboxed without allow-same-origin (`mode=sandbox`: an opaque origin).
 */
export type LmsMode = 'frame' | 'window' | 'srcdoc' | 'sandbox';

export interface ScormLms {
  origin: string;
  /** Serves the files of `dir` under `/pkg/<name>/`. */
  addPackage(name: string, dir: string): void;
  /** The LMS page that launches package `pkg` for a learner. */
  url(o: { pkg: string; scorm: '1.2' | '2004'; learner: string; name: string; mode?: LmsMode }): string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'application/javascript', '.xml': 'application/xml' };

export async function startScormLms(): Promise<ScormLms> {
  const packages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/lms.html' || u.pathname === '/blank.html') {
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-store' });
      res.end(u.pathname === '/lms.html' ? LMS_PAGE : '<!DOCTYPE html><title>Another page</title>');
      return;
    }
    const m = /^\/pkg\/([\w-]+)\/(.+)$/.exec(u.pathname);
    const dir = m ? packages.get(m[1]) : undefined;
    const file = dir && m ? path.resolve(dir, decodeURIComponent(m[2])) : undefined;
    if (!dir || !file || !file.startsWith(dir + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    addPackage: (name, dir) => packages.set(name, path.resolve(dir)),
    url: (o) => `${origin}/lms.html?${new URLSearchParams({ pkg: o.pkg, scorm: o.scorm, learner: o.learner, name: o.name, mode: o.mode ?? 'frame' })}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The LMS page: one SCO launch of `pkg` for one learner, with its own SCORM API. */
const LMS_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test LMS</title></head>
<body><h1>Test LMS</h1><div id="where"></div>
<script>
(function () {
  var q = new URLSearchParams(location.search);
  var v2004 = q.get('scorm') === '2004';
  var key = 'lms:' + q.get('pkg') + ':' + q.get('learner');
  var saved = JSON.parse(localStorage.getItem(key) || 'null');
  var data = Object.assign({}, saved || {});
  var calls = (window.lmsCalls = []);
  var state = 0; // 0 not initialized, 1 running, 2 finished
  var last = '0';
  var P = v2004 ? 'cmi.' : 'cmi.core.';
  var readOnly = {};
  readOnly[v2004 ? 'cmi.learner_id' : 'cmi.core.student_id'] = q.get('learner');
  readOnly[v2004 ? 'cmi.learner_name' : 'cmi.core.student_name'] = q.get('name');
  readOnly[P + 'entry'] = !saved ? 'ab-initio' : saved[P + 'exit'] === 'suspend' ? 'resume' : '';
  readOnly[P + 'credit'] = 'credit';
  var num = function (lo, hi) { return function (x) { return x !== '' && !isNaN(Number(x)) && Number(x) >= lo && Number(x) <= hi; }; };
  var oneOf = function (list) { return function (x) { return list.indexOf(x) >= 0; }; };
  var any = function () { return true; };
  var rules = v2004
    ? { 'cmi.completion_status': oneOf(['completed', 'incomplete', 'not attempted', 'unknown']), 'cmi.success_status': oneOf(['passed', 'failed', 'unknown']),
        'cmi.score.scaled': num(-1, 1), 'cmi.score.raw': num(-1e9, 1e9), 'cmi.score.min': num(-1e9, 1e9), 'cmi.score.max': num(-1e9, 1e9), 'cmi.progress_measure': num(0, 1),
        'cmi.location': any, 'cmi.suspend_data': any, 'cmi.exit': oneOf(['time-out', 'suspend', 'logout', 'normal', '']),
        'cmi.session_time': function (x) { return /^P(\\d+Y)?(\\d+M)?(\\d+D)?(T(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$/.test(x) && x !== 'P' && !/T$/.test(x); } }
    : { 'cmi.core.lesson_status': oneOf(['passed', 'completed', 'failed', 'incomplete', 'browsed']), 'cmi.core.score.raw': num(0, 100), 'cmi.core.score.min': num(0, 100), 'cmi.core.score.max': num(0, 100),
        'cmi.core.lesson_location': function (x) { return x.length <= 255; }, 'cmi.suspend_data': function (x) { return x.length <= 4096; },
        'cmi.core.exit': oneOf(['time-out', 'suspend', 'logout', '']), 'cmi.core.session_time': function (x) { return /^\\d{2,4}:\\d{2}:\\d{2}(\\.\\d{1,2})?$/.test(x); } };
  // Interactions, objectives and comments: arrays whose entries are made in order (an entry's id first),
  // each field checked; a 1.2 LMS keeps interaction fields write-only and appends to cmi.comments.
  var idOk = function (x) { return /^[^\\s]{1,255}$/.test(x); };
  var nums = function (x) { return x !== '' && !isNaN(Number(x)); };
  var time12 = function (x) { return /^\\d{2,4}:\\d{2}:\\d{2}(\\.\\d{1,2})?$/.test(x); };
  var iso = function (x) { return /^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?/.test(x); };
  var arrays = v2004
    ? { 'cmi.interactions': { id: idOk, type: oneOf(['true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other']), timestamp: iso, weighting: nums,
          learner_response: any, result: function (x) { return oneOf(['correct', 'incorrect', 'unanticipated', 'neutral'])(x) || nums(x); }, latency: function (x) { return rules['cmi.session_time'](x); }, description: any,
          'objectives.N.id': idOk, 'correct_responses.N.pattern': any },
        'cmi.objectives': { id: idOk, success_status: oneOf(['passed', 'failed', 'unknown']), completion_status: oneOf(['completed', 'incomplete', 'not attempted', 'unknown']), progress_measure: num(0, 1), description: any,
          'score.scaled': num(-1, 1), 'score.raw': nums, 'score.min': nums, 'score.max': nums },
        'cmi.comments_from_learner': { comment: any, location: any, timestamp: iso } }
    : { 'cmi.interactions': { id: idOk, time: time12, type: oneOf(['true-false', 'choice', 'fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric']), weighting: nums,
          student_response: function (x) { return x.length <= 255; }, result: function (x) { return oneOf(['correct', 'wrong', 'unanticipated', 'neutral'])(x) || nums(x); }, latency: time12,
          'objectives.N.id': idOk, 'correct_responses.N.pattern': function (x) { return x.length <= 255; } },
        'cmi.objectives': { id: idOk, status: oneOf(['passed', 'completed', 'failed', 'incomplete', 'browsed', 'not attempted']), 'score.raw': num(0, 100), 'score.min': num(0, 100), 'score.max': num(0, 100) } };
  var counts = {};
  function entryOf(el) { var m = /^(cmi\\.(?:interactions|objectives|comments_from_learner))\\.(\\d+)\\.(.+)$/.exec(el); return m && arrays[m[1]] ? { base: m[1], n: Number(m[2]), field: m[3].replace(/\\.\\d+\\./g, '.N.') } : null; }
  Object.keys(data).forEach(function (k) { var e = entryOf(k); if (e) counts[e.base] = Math.max(counts[e.base] || 0, e.n + 1); });
  function setEntry(e, el, x) {
    var count = counts[e.base] || 0;
    if (e.n > count) { last = v2004 ? '351' : '201'; return 'false'; }
    var rule = arrays[e.base][e.field];
    if (!rule) { last = '401'; return 'false'; }
    if (e.n === count && e.field !== 'id' && e.base !== 'cmi.comments_from_learner') { last = v2004 ? '408' : '201'; return 'false'; }
    if (!rule(String(x))) { last = v2004 ? '406' : '405'; return 'false'; }
    data[el] = String(x); last = '0';
    if (e.n === count) counts[e.base] = count + 1;
    return 'true';
  }
  function rec(fn, args, result) { calls.push({ fn: fn, args: args, result: result, error: last }); return result; }
  function init() { if (state !== 0) { last = '101'; return rec('Initialize', [], 'false'); } state = 1; last = '0'; return rec('Initialize', [], 'true'); }
  function get(el) {
    if (state !== 1) { last = '301'; return rec('GetValue', [el], ''); }
    last = '0';
    if (el in readOnly) return rec('GetValue', [el], readOnly[el]);
    var c = /^(.+)\\._count$/.exec(el);
    if (c && arrays[c[1]]) return rec('GetValue', [el], String(counts[c[1]] || 0));
    if (!v2004 && /^cmi\\.interactions\\./.test(el)) { last = '404'; return rec('GetValue', [el], ''); }
    var out = el === P + 'exit' || el === 'cmi.core.session_time' || el === 'cmi.session_time' ? '' : data[el] || '';
    return rec('GetValue', [el], out);
  }
  function set(el, x) {
    if (state !== 1) { last = '301'; return rec('SetValue', [el, x], 'false'); }
    if (el in readOnly) { last = '403'; return rec('SetValue', [el, x], 'false'); }
    var e = entryOf(el);
    if (e) return rec('SetValue', [el, x], setEntry(e, el, x));
    if (!v2004 && el === 'cmi.comments') {
      if (String(x).length > 4096) { last = '405'; return rec('SetValue', [el, x], 'false'); }
      data[el] = (data[el] || '') + String(x); last = '0';
      return rec('SetValue', [el, x], 'true');
    }
    if (!rules[el]) { last = '401'; return rec('SetValue', [el, x], 'false'); }
    if (!rules[el](String(x))) { last = v2004 ? '406' : '405'; return rec('SetValue', [el, x], 'false'); }
    data[el] = String(x); last = '0';
    return rec('SetValue', [el, x], 'true');
  }
  function commit(fn) { if (state !== 1) { last = '301'; return rec(fn, [], 'false'); } localStorage.setItem(key, JSON.stringify(data)); last = '0'; return rec(fn, [], 'true'); }
  function finish() { var r = commit('Commit'); state = 2; return rec('Finish', [], r); }
  var api = v2004
    ? { Initialize: init, Terminate: finish, GetValue: get, SetValue: set, Commit: function () { return commit('Commit'); }, GetLastError: function () { return last; }, GetErrorString: function () { return ''; }, GetDiagnostic: function () { return ''; } }
    : { LMSInitialize: init, LMSFinish: finish, LMSGetValue: get, LMSSetValue: set, LMSCommit: function () { return commit('Commit'); }, LMSGetLastError: function () { return last; }, LMSGetErrorString: function () { return ''; }, LMSGetDiagnostic: function () { return ''; } };
  window[v2004 ? 'API_1484_11' : 'API'] = api;
  window.lmsCommitted = function () { return JSON.parse(localStorage.getItem(key) || 'null'); };
  var src = '/pkg/' + q.get('pkg') + '/index.html';
  if (q.get('mode') === 'window') {
    window.scoWindow = window.open(src, 'sco-' + q.get('learner'), 'width=900,height=700');
    document.getElementById('where').textContent = 'The course is open in a new window.';
  } else {
    var f = document.createElement('iframe');
    f.id = 'sco'; f.style.cssText = 'width:100%;height:640px;border:1px solid #999';
    if (q.get('mode') === 'sandbox') f.setAttribute('sandbox', 'allow-scripts allow-forms allow-popups');
    if (q.get('mode') === 'srcdoc') {
      fetch(src).then(function (r) { return r.text(); }).then(function (text) {
        f.srcdoc = text.replace('<head>', '<head><base href="' + src.replace(/[^/]*$/, '') + '">');
      });
    } else {
      f.src = src;
    }
    document.body.appendChild(f);
  }
})();
</script></body></html>`;
