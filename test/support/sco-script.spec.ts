import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** Runs fixtures/packages/_shared/sco.js in a fake frame whose parent holds a recording SCORM API. */
async function runSco(query: string, version: '1.2' | '2004', exposed: { API?: boolean; API_1484_11?: boolean } = { API: true, API_1484_11: true }, button?: string) {
  const code = await fs.readFile(path.resolve(__dirname, '../../fixtures/packages/_shared/sco.js'), 'utf8');
  const calls: string[][] = [];
  const api = new Proxy({}, {
    get: (_t, fn: string) => (...args: string[]) => {
      if (!/GetLastError$/.test(fn)) {
        calls.push([fn, ...args]);
      }
      return /GetLastError$/.test(fn) ? '0' : 'true';
    },
  });
  const top: Record<string, unknown> = {};
  top.parent = top;
  if (exposed.API) {
    top.API = api;
  }
  if (exposed.API_1484_11) {
    top.API_1484_11 = api;
  }
  const listeners: Record<string, () => void> = {};
  const frame: Record<string, unknown> = {
    parent: { parent: top }, // two levels down, as in player shell → content iframe → nested frame
    opener: null,
    location: { search: query },
    addEventListener: (name: string, fn: () => void) => (listeners[name] = fn),
  };
  const log = { textContent: '' };
  // an answer button <button data-values="…">, when the page has one
  const el = button === undefined ? null : { getAttribute: () => button };
  const docListeners: Record<string, (e: unknown) => void> = {};
  const document = {
    currentScript: { getAttribute: () => version },
    getElementById: () => log,
    querySelector: () => el,
    addEventListener: (name: string, fn: (e: unknown) => void) => (docListeners[name] = fn),
  };
  vm.runInNewContext(code, { window: frame, document, URLSearchParams });
  const click = () => docListeners.click({ target: { closest: () => el } });
  return { calls, log, listeners, click, scoLog: frame.scoLog as unknown[] };
}

describe('fixture SCO script (sco.js)', () => {
  it('should drive a SCORM 1.2 API from the query string, found by walking up window.parent', async () => {
    const { calls, log } = await runSco('?score=80&status=passed&location=p3&suspend=abc&exit=suspend&time=3725', '1.2');
    expect(calls).toEqual([
      ['LMSInitialize', ''],
      ['LMSSetValue', 'cmi.core.score.min', '0'],
      ['LMSSetValue', 'cmi.core.score.max', '100'],
      ['LMSSetValue', 'cmi.core.score.raw', '80'],
      ['LMSSetValue', 'cmi.core.lesson_status', 'passed'],
      ['LMSSetValue', 'cmi.core.lesson_location', 'p3'],
      ['LMSSetValue', 'cmi.suspend_data', 'abc'],
      ['LMSSetValue', 'cmi.core.exit', 'suspend'],
      ['LMSSetValue', 'cmi.core.session_time', '01:02:05'],
      ['LMSCommit', ''],
      ['LMSFinish', ''],
    ]);
    expect(log.textContent).toMatch(/^finished: /);
  });

  it('should map status and score to SCORM 2004 elements and stop after Commit when commit=commit', async () => {
    const { calls } = await runSco('?status=failed&score=40&progress=0.5&nav=continue&commit=commit', '2004');
    expect(calls).toEqual([
      ['Initialize', ''],
      ['SetValue', 'cmi.completion_status', 'completed'],
      ['SetValue', 'cmi.success_status', 'failed'],
      ['SetValue', 'cmi.score.min', '0'],
      ['SetValue', 'cmi.score.max', '100'],
      ['SetValue', 'cmi.score.raw', '40'],
      ['SetValue', 'cmi.score.scaled', '0.4'],
      ['SetValue', 'cmi.progress_measure', '0.5'],
      ['SetValue', 'adl.nav.request', 'continue'],
      ['Commit', ''],
    ]);
  });

  it('should only initialize with commit=none and terminate on pagehide with commit=unload', async () => {
    expect((await runSco('?commit=none', '2004')).calls).toEqual([['Initialize', '']]);
    const unload = await runSco('?commit=unload&exit=suspend', '2004');
    expect(unload.calls.map((c) => c[0])).toEqual(['Initialize', 'SetValue']);
    unload.listeners.pagehide();
    expect(unload.calls.map((c) => c[0])).toEqual(['Initialize', 'SetValue', 'Terminate']);
  });

  it('should wait for a click on a page with answer buttons, then set the button\'s values (objective ids resolved), commit and terminate', async () => {
    const sco = await runSco('', '2004', undefined, 'cmi.objectives.{rule-known}.success_status=passed&cmi.completion_status=completed&adl.nav.request=continue');
    expect(sco.calls).toEqual([['Initialize', '']]);
    sco.click();
    expect(sco.calls).toEqual([
      ['Initialize', ''],
      ['GetValue', 'cmi.objectives._count'],
      ['SetValue', 'cmi.objectives.0.id', 'rule-known'],
      ['SetValue', 'cmi.objectives.0.success_status', 'passed'],
      ['SetValue', 'cmi.completion_status', 'completed'],
      ['SetValue', 'adl.nav.request', 'continue'],
      ['Commit', ''],
      ['Terminate', ''],
    ]);
  });

  it('should say so when the wanted API is missing', async () => {
    const { calls, log, scoLog } = await runSco('', '2004', { API: true });
    expect(calls).toEqual([]);
    expect(log.textContent).toBe('No SCORM 2004 API found');
    expect(scoLog).toEqual([{ fn: 'findApi', args: ['2004'], result: 'not found', error: '' }]);
  });
});
