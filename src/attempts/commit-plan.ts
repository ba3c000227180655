import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/errors';
import type { ScoSummary } from '../scorm/manifest.types';
import type { ItemRules } from '../scorm/result-rules';
import { evaluateCmi, mergeCmi, parseDuration } from './cmi-rules';
import type { ScoState } from './sco-state.entity';

/*
 * Commit planning, pure (no Nest service, no database): given a SCO's stored state and an incoming
 * runtime commit, what to write. The group commit (group-commit.service.ts) reads the rows, asks these
 * functions and writes what they decide; commit-plan.spec.ts covers the decisions without HTTP.
 */

/** One runtime commit as the player sends it (player/src/transport.ts). */
export interface CommitInput {
  /** The SCO session within this launch (the player counts SCO loads). */
  session: number;
  /** Increasing within a launch, across all SCO sessions (player/README.md). */
  seq: number;
  /** LMSFinish/Terminate was called: the last commit of the session. */
  terminate?: boolean;
  /** Sent from pagehide/visibilitychange: the learner may be leaving (finish-time rules apply, the session stays open). */
  unload?: boolean;
  /** scorm-again's JSON form of the data model (`cmi` object), full or only the changed values. */
  cmi: Record<string, unknown>;
  /** 2004 adl.nav.request at Terminate, if any. */
  navRequest?: string;
  /**
   * 2004: the player engine's `serializeSequencingState()` text (src/player/bootstrap.types.ts
   * `PlayerSequencing`), stored with this commit; checked by `checkSequencingState`.
   */
  sequencingState?: string;
}

export interface CommitOutcome {
  result: true;
  errorCode: 0;
  applied: boolean;
  reason?: 'stale' | 'session_terminated';
}

/** One commit with what it is judged by: the SCORM version, the item's rules and the launch it came from. */
export interface PlanContext {
  v: '1.2' | '2004';
  rules: ItemRules;
  /** `launch:session`: the SCO session the commit belongs to. */
  sessionKey: string;
  /** The launch count of the runtime token (a later launch supersedes an earlier one). */
  launch: number;
  input: CommitInput;
  /**
   * SCORM 2004 with compiled sequencing: the course result is the root activity after the server's
   * rollup, which moves when a SCO attempt ends (see `resultMayChange` in {@link planCommit}).
   */
  sequenced?: boolean;
}

/**
 * What to do with a commit: nothing (the answer says why), or write `state` — a new row for the SCO's
 * first commit, else an update. `resultMayChange`: the attempt's course result must be worked out
 * again (first commit, a 2004 Terminate, a result field changed; with sequencing the unload commit of
 * a closed tab instead of a changed field: docs/sequencing.md, "When the server rolls up");
 * `endsSco`: a 2004 Terminate, after which the course attempt may end ({@link attemptEnd}).
 */
export type CommitPlan =
  | { write: 'none'; outcome: CommitOutcome }
  | { write: 'insert' | 'update'; state: ScoState; outcome: CommitOutcome; resultMayChange: boolean; endsSco: boolean };

/** The answers are the same objects every time (no allocation per commit); frozen so none is changed. */
export const APPLIED: CommitOutcome = Object.freeze({ result: true, errorCode: 0, applied: true });
export const STALE: CommitOutcome = Object.freeze({ result: true, errorCode: 0, applied: false, reason: 'stale' });
const SESSION_TERMINATED: CommitOutcome = Object.freeze({ result: true, errorCode: 0, applied: false, reason: 'session_terminated' });

/** The longest location value stored (cmi.location, cmi.core.lesson_location). */
export const MAX_LOCATION_CHARS = 64_000;

/**
 * Refuses a commit the server will not store: not an object with a `cmi` object, no whole-number
 * `session` and `seq` (seq from 1), suspend_data over the configured limit, or a location over
 * {@link MAX_LOCATION_CHARS}.
 */
export function checkCommit(input: CommitInput, maxSuspendDataChars: number): void {
  if (!input || typeof input !== 'object' || !input.cmi || typeof input.cmi !== 'object' || Array.isArray(input.cmi)) {
    throw new AppError('commit_invalid', 'A commit must carry a "cmi" object.');
  }
  if (!Number.isSafeInteger(input.seq) || input.seq < 1 || !Number.isSafeInteger(input.session) || input.session < 0) {
    throw new AppError('commit_invalid', 'A commit must carry whole-number "session" and "seq" (seq from 1).');
  }
  const suspend = input.cmi.suspend_data;
  if (typeof suspend === 'string' && suspend.length > maxSuspendDataChars) {
    throw new AppError(
      'suspend_data_too_large',
      `suspend_data has ${suspend.length} characters; this server stores at most ${maxSuspendDataChars} (MAX_SUSPEND_DATA_CHARS).`,
      HttpStatus.PAYLOAD_TOO_LARGE,
    );
  }
  const core = input.cmi.core as Record<string, unknown> | undefined;
  const location = input.cmi.location ?? core?.lesson_location;
  if (typeof location === 'string' && location.length > MAX_LOCATION_CHARS) {
    throw new AppError('location_too_large', 'The location value is longer than 64,000 characters.', HttpStatus.PAYLOAD_TOO_LARGE);
  }
}

/** The state a SCO's first commit starts from (the row does not exist yet). */
export function firstState(attemptId: string, itemId: string): Partial<ScoState> {
  return { attemptId, itemId, cmi: null, totalTimeSeconds: 0, lastLaunch: 0, lastSequence: 0, terminated: false, scoAttempt: 1, visitedAt: null };
}

/**
 * Whether the stored suspend_data must be read before planning: the commit path reads rows without it
 * (up to 64 KB+ a row, and nearly every commit replaces it), so only a commit that does not carry it
 * needs the stored one, to keep it.
 */
export function needsStoredSuspendData(stored: ScoState, input: CommitInput): boolean {
  return stored.suspendData === undefined && typeof input.cmi.suspend_data !== 'string';
}

/**
 * What a commit does to a SCO's state: ignored when not newer than the last applied commit or after
 * the session's terminating one (player/README.md); else the new state, with the LMS-side status
 * rules and the server-side total time applied. `current` is the stored state, or {@link firstState}
 * as an entity when `isNew` (the SCO's first commit: the row is inserted). `current` is not changed.
 */
export function planCommit(current: ScoState, c: PlanContext, isNew: boolean): CommitPlan {
  const { v, input, sessionKey } = c;
  if (current.sessionKey === sessionKey && current.terminated) {
    return { write: 'none', outcome: SESSION_TERMINATED };
  }
  if (c.launch < current.lastLaunch || (c.launch === current.lastLaunch && input.seq <= current.lastSequence)) {
    return { write: 'none', outcome: STALE };
  }
  const state = Object.assign(Object.create(Object.getPrototypeOf(current)) as ScoState, current);
  let stored = fullCmi(state);
  if (state.sessionKey !== sessionKey && stored) {
    const total = carriedTotalTime(v, state, stored);
    if (total === null) {
      state.scoAttempt += 1;
      state.totalTimeSeconds = 0;
      stored = null;
    } else {
      state.totalTimeSeconds = total;
      stored = withoutSessionValues(v, stored);
    }
  }
  const cmi = mergeCmi(stored, input.cmi);
  // The stored CMI holds the status evaluated for the previous commit (1.2: it stands against a bare "not attempted").
  const r = evaluateCmi(v, cmi, c.rules, { finished: !!input.terminate || !!input.unload, previous: stored });
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
    cmi: withoutSuspendData(r.cmi),
    lastLaunch: c.launch,
    lastSequence: input.seq,
    sessionKey,
    terminated: !!input.terminate,
    visitedAt: state.visitedAt ?? new Date(),
  });
  const endsSco = !!input.terminate && v === '2004';
  // Most commits only move suspend data, location or time: the course result cannot have changed.
  // With sequencing a SCO's results reach the root when its attempt ends (SN UP.4, End Attempt): its
  // Terminate, or the unload commit of a tab closed while it ran (a closed tab is a suspend).
  const changed = c.sequenced ? !!input.unload : resultKey(current) !== resultKey(state);
  const resultMayChange = isNew || endsSco || changed;
  return { write: isNew ? 'insert' : 'update', state, outcome: APPLIED, resultMayChange, endsSco };
}

/**
 * SCORM 2004 (RTE cmi.exit and adl.nav.request): after a Terminate that did not suspend, does the course attempt end?
 * At once on exitAll/abandonAll, on exit=logout or in a single-SCO course; in a multi-SCO course only
 * once every SCO is completed ({@link allScosCompleted}): one SCO's normal exit only restarts that SCO.
 */
export function attemptEnd(exit: string | null, nav: string | undefined, scos: ScoSummary[]): 'no' | 'yes' | 'if-all-completed' {
  if (exit === 'suspend' || nav === 'suspendAll') {
    return 'no';
  }
  if (nav === 'exitAll' || nav === 'abandonAll' || exit === 'logout' || scoItems(scos).length <= 1) {
    return 'yes';
  }
  return 'if-all-completed';
}

/** Every SCO (not asset) of the course has a completed state. */
export function allScosCompleted(scos: ScoSummary[], states: Array<Pick<ScoState, 'itemId' | 'completionStatus'>>): boolean {
  const done = new Set(states.filter((s) => s.completionStatus === 'completed').map((s) => s.itemId));
  return scoItems(scos).every((s) => done.has(s.itemId));
}

function scoItems(scos: ScoSummary[]): ScoSummary[] {
  return scos.filter((s) => s.scormType === 'sco');
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

/**
 * What a new session of a SCO carries over from the stored one (`stored`: its data model, see
 * {@link fullCmi}), the same at the SCO's launch and at the session's first commit: the total time,
 * with the previous session's time counted now if it ended without Finish (a closed tab, player/README.md); or
 * null after a SCORM 2004 Terminate that did not suspend: that ended the SCO attempt, and a new one
 * starts with no data and no time (RTE cmi.exit).
 */
export function carriedTotalTime(v: '1.2' | '2004', state: Pick<ScoState, 'terminated' | 'exit' | 'totalTimeSeconds'>, stored: Record<string, unknown>): number | null {
  if (!state.terminated) {
    return state.totalTimeSeconds + sessionSeconds(v, stored);
  }
  return v === '2004' && state.exit !== 'suspend' ? null : state.totalTimeSeconds;
}

function sessionSeconds(v: '1.2' | '2004', cmi: Record<string, unknown>): number {
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
