import type { ScoState } from './sco-state.entity';
import { evaluateCmi, itemRules, mergeCmi, parseDuration } from './cmi-rules';

/** One runtime commit as the player sends it (player/src/transport.ts). */
export interface CommitInput {
  /** The SCO session within this launch (the player counts SCO loads). */
  session: number;
  /** Increasing within a launch, across all SCO sessions (SCORM-CHECKLIST §5.3). */
  seq: number;
  /** LMSFinish/Terminate was called: the last commit of the session. */
  terminate?: boolean;
  /** Sent from pagehide/visibilitychange: the learner may be leaving (finish-time rules apply, the session stays open). */
  unload?: boolean;
  /** scorm-again's JSON form of the data model (`cmi` object), full or only the changed values. */
  cmi: Record<string, unknown>;
  /** 2004 adl.nav.request at Terminate, if any. */
  navRequest?: string;
}

export interface CommitOutcome {
  result: true;
  errorCode: 0;
  applied: boolean;
  reason?: 'stale' | 'session_terminated';
}

export interface PlanContext {
  v: '1.2' | '2004';
  rules: ReturnType<typeof itemRules>;
  sessionKey: string;
  launch: number;
  input: CommitInput;
}

/**
 * What a commit does to a SCO's state (pure): ignored when not newer than the last applied commit or
 * after the session's terminating one (SCORM-CHECKLIST §5.3); else the new state, with the LMS-side
 * status rules and the server-side total time applied.
 */
export function planCommit(current: ScoState, c: PlanContext): { ignored: CommitOutcome } | { state: ScoState; resultChanged: boolean } {
  const { v, input, sessionKey } = c;
  if (current.sessionKey === sessionKey && current.terminated) {
    return { ignored: { result: true, errorCode: 0, applied: false, reason: 'session_terminated' } };
  }
  if (c.launch < current.lastLaunch || (c.launch === current.lastLaunch && input.seq <= current.lastSequence)) {
    return { ignored: { result: true, errorCode: 0, applied: false, reason: 'stale' } };
  }
  const state = Object.assign(Object.create(Object.getPrototypeOf(current)) as ScoState, current);
  let stored = fullCmi(state);
  if (state.sessionKey !== sessionKey && stored) {
    if (!state.terminated) {
      // The previous session ended without Finish: count its time now (checklist §5.2 item 4).
      state.totalTimeSeconds += sessionSeconds(v, stored);
    } else if (v === '2004' && state.exit !== 'suspend') {
      // A non-suspend Terminate ended the SCO attempt: a new one starts with fresh data (RTE cmi.exit).
      state.scoAttempt += 1;
      state.totalTimeSeconds = 0;
      stored = null;
    }
    stored = stored ? withoutSessionValues(v, stored) : null;
  }
  const cmi = mergeCmi(stored, input.cmi);
  const r = evaluateCmi(v, cmi, c.rules, !!input.terminate || !!input.unload);
  if (input.terminate) {
    state.totalTimeSeconds += r.sessionTimeSeconds;
  }
  Object.assign(state, {
    completionStatus: r.completionStatus,
    successStatus: r.successStatus,
    scoreScaled: r.scoreScaled,
    scoreRaw: r.scoreRaw,
    scoreMin: r.scoreMin,
    scoreMax: r.scoreMax,
    progressMeasure: r.progressMeasure,
    location: r.location,
    suspendData: r.suspendData,
    exit: r.exit,
    cmi: withoutSuspendData(cmi),
    lastLaunch: c.launch,
    lastSequence: input.seq,
    sessionKey,
    terminated: !!input.terminate,
    visitedAt: state.visitedAt ?? new Date(),
  });
  return { state, resultChanged: resultKey(current) !== resultKey(state) };
}

/**
 * suspend_data is stored once, in its own column (it can be 64 KB+ and is written on most commits);
 * the `cmi` column holds the rest of the data model.
 */
function withoutSuspendData(cmi: Record<string, unknown>): Record<string, unknown> {
  const { suspend_data, ...rest } = cmi;
  void suspend_data;
  return rest;
}

/** The stored data model with suspend_data put back (null when nothing was committed yet). */
export function fullCmi(state: Pick<ScoState, 'cmi' | 'suspendData'>): Record<string, unknown> | null {
  return state.cmi ? { ...state.cmi, suspend_data: state.suspendData ?? '' } : null;
}

/** The ScoState fields a course result is computed from (src/grades reads these). */
function resultKey(s: ScoState): string {
  return JSON.stringify([s.completionStatus, s.successStatus, s.scoreScaled, s.scoreRaw, s.scoreMin, s.scoreMax, s.progressMeasure, s.terminated]);
}

export function sessionSeconds(v: '1.2' | '2004', cmi: Record<string, unknown>): number {
  const raw = v === '1.2' ? (cmi.core as Record<string, unknown> | undefined)?.session_time : cmi.session_time;
  return typeof raw === 'string' ? parseDuration(raw) : 0;
}

/** Session-scoped values (exit, session_time) do not carry over into the next session's merge. */
function withoutSessionValues(v: '1.2' | '2004', cmi: Record<string, unknown>): Record<string, unknown> {
  const out = { ...cmi };
  if (v === '1.2') {
    const core = { ...((out.core as Record<string, unknown>) ?? {}) };
    delete core.session_time;
    delete core.exit;
    out.core = core;
  } else {
    delete out.session_time;
    delete out.exit;
  }
  return out;
}
