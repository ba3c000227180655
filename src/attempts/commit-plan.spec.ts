import type { ScoSummary } from '../scorm/manifest.types';
import type { ItemRules } from '../scorm/result-rules';
import {
  allScosCompleted,
  attemptEnd,
  carriedTotalTime,
  checkCommit,
  CommitInput,
  firstState,
  fullCmi,
  MAX_LOCATION_CHARS,
  needsStoredSuspendData,
  PlanContext,
  planCommit,
} from './commit-plan';
import type { ScoState } from './sco-state.entity';

/** Commit planning on plain records: no server, no database (the HTTP path is in test/e2e/runtime-commit). */

type Json = Record<string, unknown>;

/** A stored row as the commit path reads it (suspendData as given: undefined = not read). */
function stored(fields: Partial<ScoState> = {}): ScoState {
  return {
    ...firstState('a1', 'sco1'),
    id: 'row-1',
    completionStatus: 'incomplete',
    successStatus: 'unknown',
    scoreScaled: null,
    scoreRaw: null,
    scoreMin: null,
    scoreMax: null,
    progressMeasure: null,
    location: null,
    exit: '',
    sessionKey: '1:1',
    ...fields,
  } as ScoState;
}

/** The row a SCO's first commit starts from (the service makes it an entity with `m.create`). */
const fresh = () => ({ ...firstState('a1', 'sco1') }) as ScoState;

function ctx(input: Partial<CommitInput> & { cmi: Json }, o: { v?: '1.2' | '2004'; launch?: number; rules?: ItemRules; sequenced?: boolean } = {}): PlanContext {
  const full: CommitInput = { session: 1, seq: 1, ...input };
  const launch = o.launch ?? 1;
  return { v: o.v ?? '1.2', rules: o.rules ?? {}, sessionKey: `${launch}:${full.session}`, launch, input: full, sequenced: o.sequenced };
}

const core = (fields: Json, extra: Json = {}) => ({ core: { lesson_status: 'incomplete', ...fields }, ...extra });

/** The plan must write; its state. */
function written(plan: ReturnType<typeof planCommit>) {
  if (plan.write === 'none') {
    throw new Error(`expected a write, got ${JSON.stringify(plan.outcome)}`);
  }
  return plan;
}

describe('commit planning (commit-plan.ts)', () => {
  describe('checkCommit: what the server refuses to store', () => {
    const ok: CommitInput = { session: 0, seq: 1, cmi: {} };

    it('should accept a commit with a cmi object and whole-number session and seq', () => {
      expect(() => checkCommit(ok, 10)).not.toThrow();
    });

    it.each([
      ['no body', null],
      ['no cmi', { session: 1, seq: 1 }],
      ['cmi an array', { session: 1, seq: 1, cmi: [] }],
      ['cmi a string', { session: 1, seq: 1, cmi: 'x' }],
      ['seq 0', { session: 1, seq: 0, cmi: {} }],
      ['seq not whole', { session: 1, seq: 1.5, cmi: {} }],
      ['seq a string', { session: 1, seq: '2', cmi: {} }],
      ['session negative', { session: -1, seq: 1, cmi: {} }],
      ['no session', { seq: 1, cmi: {} }],
    ])('should refuse %s as commit_invalid (400)', (_name, input) => {
      expect(() => checkCommit(input as unknown as CommitInput, 10)).toThrow(expect.objectContaining({ code: 'commit_invalid', status: 400 }));
    });

    it('should take suspend_data up to the configured limit and refuse one character more with 413', () => {
      expect(() => checkCommit({ ...ok, cmi: { suspend_data: 'x'.repeat(10) } }, 10)).not.toThrow();
      expect(() => checkCommit({ ...ok, cmi: { suspend_data: 'x'.repeat(11) } }, 10)).toThrow(
        expect.objectContaining({ code: 'suspend_data_too_large', status: 413, message: expect.stringContaining('11 characters') }),
      );
    });

    it('should refuse a location over the limit in either version (2004 cmi.location, 1.2 cmi.core.lesson_location)', () => {
      const at = 'x'.repeat(MAX_LOCATION_CHARS);
      const over = at + 'x';
      expect(() => checkCommit({ ...ok, cmi: { location: at } }, 10)).not.toThrow();
      expect(() => checkCommit({ ...ok, cmi: core({ lesson_location: at }) }, 10)).not.toThrow();
      expect(() => checkCommit({ ...ok, cmi: { location: over } }, 10)).toThrow(expect.objectContaining({ code: 'location_too_large', status: 413 }));
      expect(() => checkCommit({ ...ok, cmi: core({ lesson_location: over }) }, 10)).toThrow(expect.objectContaining({ code: 'location_too_large' }));
    });
  });

  describe('needsStoredSuspendData', () => {
    it('should read the stored suspend_data only for a commit that does not carry it, and only once', () => {
      expect(needsStoredSuspendData(stored({ suspendData: undefined }), ctx({ cmi: core({}) }).input)).toBe(true);
      expect(needsStoredSuspendData(stored({ suspendData: undefined }), ctx({ cmi: core({}, { suspend_data: '' }) }).input)).toBe(false);
      expect(needsStoredSuspendData(stored({ suspendData: null }), ctx({ cmi: core({}) }).input)).toBe(false);
    });
  });

  describe('first commit', () => {
    it('should insert the evaluated state, with suspend_data in its own column, and ask for the result', () => {
      const plan = written(planCommit(fresh(), ctx({ seq: 3, cmi: core({ lesson_location: 'p1', score: { raw: '40' } }, { suspend_data: 'S' }) }), true));
      expect(plan).toMatchObject({ write: 'insert', outcome: { result: true, errorCode: 0, applied: true }, resultMayChange: true, endsSco: false });
      expect(plan.state).toMatchObject({
        attemptId: 'a1',
        itemId: 'sco1',
        completionStatus: 'incomplete',
        successStatus: 'unknown',
        scoreRaw: 40,
        scoreScaled: 0.4,
        location: 'p1',
        suspendData: 'S',
        lastLaunch: 1,
        lastSequence: 3,
        sessionKey: '1:1',
        terminated: false,
        totalTimeSeconds: 0,
        scoAttempt: 1,
      });
      expect(plan.state.cmi).toEqual(core({ lesson_location: 'p1', score: { raw: '40' } }));
      expect(plan.state.visitedAt).toBeInstanceOf(Date);
    });
  });

  describe('ordinary commit', () => {
    it('should merge into the stored data, update the row and leave the stored state object as it was', () => {
      const before = stored({ cmi: core({ lesson_location: 'p1', score: { raw: '40' } }), suspendData: 'S', lastSequence: 1, location: 'p1', scoreRaw: 40, scoreScaled: 0.4 });
      const copy = { ...before };
      const plan = written(planCommit(before, ctx({ seq: 2, cmi: { core: { lesson_location: 'p2' } } }), false));
      expect(plan.write).toBe('update');
      expect(plan.state).not.toBe(before);
      expect(before).toEqual(copy);
      expect(plan.state).toMatchObject({ location: 'p2', scoreRaw: 40, suspendData: 'S', lastSequence: 2 });
      expect(plan.state.cmi).toEqual(core({ lesson_location: 'p2', score: { raw: '40' } }));
    });

    it('should not ask for the course result when only location, suspend data or time moved, and ask when a result field changed', () => {
      const before = stored({ cmi: core({}), suspendData: '', lastSequence: 1 });
      expect(written(planCommit(before, ctx({ seq: 2, cmi: core({ lesson_location: 'p2', session_time: '00:00:10' }, { suspend_data: 'x' }) }), false)).resultMayChange).toBe(false);
      expect(written(planCommit(before, ctx({ seq: 2, cmi: core({ score: { raw: '50' } }) }), false)).resultMayChange).toBe(true);
      expect(written(planCommit(before, ctx({ seq: 2, cmi: core({ lesson_status: 'completed' }) }), false)).resultMayChange).toBe(true);
    });

    it('should ask for the result of a course with sequencing when a SCO attempt ends (Terminate, or the unload commit of a closed tab), not when a running SCO reports', () => {
      const seq = { v: '2004' as const, sequenced: true };
      const ended = stored({ cmi: { completion_status: 'completed', success_status: 'passed', score: { scaled: '0.9' } }, completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.9, suspendData: '', lastSequence: 4, terminated: true });
      const running = stored({ cmi: { completion_status: 'incomplete' }, suspendData: '', lastSequence: 1 });
      const report = { completion_status: 'completed', success_status: 'failed', score: { scaled: '0.2' } };
      expect(written(planCommit(fresh(), ctx({ seq: 1, cmi: { completion_status: 'incomplete' } }, seq), true)).resultMayChange).toBe(true);
      // the SCO taken again: its new attempt reaches the root when it ends
      expect(written(planCommit(ended, ctx({ session: 2, seq: 5, cmi: { completion_status: 'incomplete' } }, seq), false)).resultMayChange).toBe(false);
      expect(written(planCommit(running, ctx({ seq: 2, cmi: report }, seq), false)).resultMayChange).toBe(false);
      expect(written(planCommit(running, ctx({ seq: 2, unload: true, cmi: report }, seq), false)).resultMayChange).toBe(true);
      expect(written(planCommit(running, ctx({ seq: 2, terminate: true, cmi: { ...report, exit: 'suspend' } }, seq), false)).resultMayChange).toBe(true);
      // without sequencing (SCORM 1.2, or 2004 without a compiled tree) any changed result field counts
      expect(written(planCommit(running, ctx({ seq: 2, cmi: report }, { v: '2004' }), false)).resultMayChange).toBe(true);
    });

    it('should apply the item rules on every commit (2004 completion threshold by measure)', () => {
      const plan = written(planCommit(stored({ cmi: {}, suspendData: '' }), ctx({ seq: 2, cmi: { completion_status: 'incomplete', progress_measure: '0.9' } }, { v: '2004', rules: { completionThreshold: 0.8 } }), false));
      expect(plan.state).toMatchObject({ completionStatus: 'completed', progressMeasure: 0.9 });
    });
  });

  describe('stale and duplicate commits (player/README.md)', () => {
    const before = stored({ cmi: core({}), suspendData: '', lastLaunch: 2, lastSequence: 5, sessionKey: '2:1' });

    it.each([
      ['a repeated sequence number', 5, 2],
      ['an older sequence number', 4, 2],
      ['a commit from an earlier launch, whatever its sequence number', 99, 1],
    ])('should ignore %s (stale) and write nothing', (_name, seq, launch) => {
      expect(planCommit(before, ctx({ seq, cmi: core({ lesson_location: 'late' }) }, { launch }), false)).toEqual({
        write: 'none',
        outcome: { result: true, errorCode: 0, applied: false, reason: 'stale' },
      });
    });

    it('should apply a commit of a later launch even with a lower sequence number', () => {
      expect(written(planCommit(before, ctx({ seq: 1, cmi: core({}) }, { launch: 3 }), false)).state).toMatchObject({ lastLaunch: 3, lastSequence: 1, sessionKey: '3:1' });
    });

    it("should ignore anything after the session's terminating commit, and apply the next session's commits", () => {
      const finished = stored({ cmi: core({}), suspendData: '', lastSequence: 5, terminated: true });
      expect(planCommit(finished, ctx({ seq: 6, cmi: core({}) }), false)).toEqual({
        write: 'none',
        outcome: { result: true, errorCode: 0, applied: false, reason: 'session_terminated' },
      });
      expect(written(planCommit(finished, ctx({ session: 2, seq: 6, cmi: core({}) }), false)).state).toMatchObject({ sessionKey: '1:2', terminated: false });
    });
  });

  describe('finish (LMSFinish / Terminate) and unload', () => {
    const before = stored({ cmi: core({ lesson_status: 'not attempted' }), completionStatus: 'not attempted', suspendData: '', totalTimeSeconds: 100, lastSequence: 1 });

    it('should add the session time to the total, mark the session terminated and apply the finish-time status rules', () => {
      const plan = written(planCommit(before, ctx({ seq: 2, terminate: true, cmi: core({ lesson_status: 'not attempted', session_time: '00:01:30' }) }), false));
      expect(plan.state).toMatchObject({ totalTimeSeconds: 190, terminated: true, completionStatus: 'completed' });
      expect(plan.resultMayChange).toBe(true);
      expect(plan.endsSco).toBe(false);
    });

    it('should apply the finish-time rules on an unload commit but keep the session open and the total unchanged', () => {
      const plan = written(planCommit(before, ctx({ seq: 2, unload: true, cmi: core({ lesson_status: 'not attempted', session_time: '00:01:30' }) }), false));
      expect(plan.state).toMatchObject({ totalTimeSeconds: 100, terminated: false, completionStatus: 'completed' });
    });

    it('should not apply the finish-time rules to an ordinary commit', () => {
      expect(written(planCommit(before, ctx({ seq: 2, cmi: core({ lesson_status: 'not attempted' }) }), false)).state.completionStatus).toBe('not attempted');
    });

    it('should say a 2004 Terminate ends the SCO and always ask for the course result', () => {
      const s2004 = stored({ cmi: { completion_status: 'incomplete' }, suspendData: '', lastSequence: 1 });
      const plan = written(planCommit(s2004, ctx({ seq: 2, terminate: true, cmi: { completion_status: 'incomplete', exit: 'suspend' } }, { v: '2004' }), false));
      expect(plan).toMatchObject({ endsSco: true, resultMayChange: true });
    });
  });

  describe('a new session', () => {
    it('should count the time of a session that ended without Finish, and not carry its exit and session_time into the merge', () => {
      const before = stored({ cmi: core({ exit: 'suspend', session_time: '00:00:40', lesson_location: 'p1' }), suspendData: 'S', totalTimeSeconds: 20, lastSequence: 3 });
      const plan = written(planCommit(before, ctx({ session: 2, seq: 4, cmi: { core: { lesson_location: 'p2' } } }), false));
      expect(plan.state.totalTimeSeconds).toBe(60);
      expect(plan.state.cmi).toEqual({ core: { lesson_status: 'incomplete', lesson_location: 'p2' } });
      expect(plan.state).toMatchObject({ exit: '', suspendData: 'S' });
    });

    it('should start a new 2004 SCO attempt with fresh data after a Terminate that did not suspend', () => {
      const before = stored({ cmi: { completion_status: 'completed', location: 'end' }, suspendData: 'S', exit: 'normal', terminated: true, totalTimeSeconds: 300, scoAttempt: 1, lastSequence: 3 });
      const plan = written(planCommit(before, ctx({ session: 2, seq: 4, cmi: { completion_status: 'incomplete' } }, { v: '2004' }), false));
      expect(plan.state).toMatchObject({ scoAttempt: 2, totalTimeSeconds: 0, location: null, suspendData: null, completionStatus: 'incomplete' });
      // Fresh data, with the evaluated statuses written in (src/scorm/result-rules.ts).
      expect(plan.state.cmi).toEqual({ completion_status: 'incomplete', success_status: 'unknown' });
    });

    it('should resume a 2004 SCO that suspended at Terminate: same SCO attempt, data and total kept', () => {
      const before = stored({ cmi: { completion_status: 'incomplete', location: 'p3', exit: 'suspend' }, suspendData: 'S', exit: 'suspend', terminated: true, totalTimeSeconds: 300, lastSequence: 3 });
      const plan = written(planCommit(before, ctx({ session: 2, seq: 4, cmi: { progress_measure: '0.5' } }, { v: '2004' }), false));
      expect(plan.state).toMatchObject({ scoAttempt: 1, totalTimeSeconds: 300, location: 'p3', suspendData: 'S', exit: '' });
    });
  });

  describe('carriedTotalTime: what a new session (launch or first commit) takes over', () => {
    const t = (fields: Partial<ScoState>) => ({ terminated: false, exit: '', totalTimeSeconds: 100, ...fields });

    it.each([
      ['1.2, ended without Finish: the open session counted', '1.2', t({}), core({ session_time: '00:00:30' }), 130],
      ['2004, ended without Terminate: the open session counted', '2004', t({ exit: 'suspend' }), { session_time: 'PT30S' }, 130],
      ['1.2, finished (time counted at Finish)', '1.2', t({ terminated: true }), core({ session_time: '00:00:30' }), 100],
      ['2004, suspended at Terminate', '2004', t({ terminated: true, exit: 'suspend' }), { session_time: 'PT30S' }, 100],
      ['2004, Terminate without suspend: a new SCO attempt', '2004', t({ terminated: true, exit: 'normal' }), { session_time: 'PT30S' }, null],
      ['2004, Terminate with no exit: a new SCO attempt', '2004', t({ terminated: true, exit: '' }), {}, null],
    ] as const)('%s', (_name, v, state, cmi, expected) => {
      expect(carriedTotalTime(v, state, cmi)).toBe(expected);
    });
  });

  describe('the end of a 2004 course attempt (RTE cmi.exit)', () => {
    const sco = (itemId: string, scormType: 'sco' | 'asset' = 'sco') => ({ itemId, scormType }) as ScoSummary;
    const two = [sco('s1'), sco('s2'), sco('a1', 'asset')];

    it.each([
      ['a suspend exit', 'no', 'suspend', undefined, two],
      ['suspendAll', 'no', 'normal', 'suspendAll', two],
      ['exitAll', 'yes', 'normal', 'exitAll', two],
      ['abandonAll', 'yes', 'normal', 'abandonAll', two],
      ['a logout exit', 'yes', 'logout', undefined, two],
      ['a normal exit of the only SCO (assets aside)', 'yes', 'normal', undefined, [sco('s1'), sco('a1', 'asset')]],
      ['a normal exit of one of two SCOs', 'if-all-completed', 'normal', undefined, two],
      ['no exit and a continue request', 'if-all-completed', '', 'continue', two],
    ])('after %s: %s', (_name, expected, exit, nav, scos) => {
      expect(attemptEnd(exit, nav, scos)).toBe(expected);
    });

    it('should count only SCOs (not assets) towards every SCO completed', () => {
      expect(allScosCompleted(two, [{ itemId: 's1', completionStatus: 'completed' }])).toBe(false);
      expect(
        allScosCompleted(two, [
          { itemId: 's1', completionStatus: 'completed' },
          { itemId: 's2', completionStatus: 'completed' },
        ]),
      ).toBe(true);
      expect(
        allScosCompleted(two, [
          { itemId: 's1', completionStatus: 'completed' },
          { itemId: 's2', completionStatus: 'incomplete' },
        ]),
      ).toBe(false);
    });
  });

  describe('fullCmi', () => {
    it('should put suspend_data back into the stored data model, and be null before the first commit', () => {
      expect(fullCmi({ cmi: null, suspendData: null })).toBeNull();
      expect(fullCmi({ cmi: { location: 'p' }, suspendData: null })).toEqual({ location: 'p', suspend_data: '' });
      expect(fullCmi({ cmi: { location: 'p' }, suspendData: 'S' })).toEqual({ location: 'p', suspend_data: 'S' });
    });
  });
});
