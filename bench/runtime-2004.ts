/**
 * The SCORM 2004 learner of the runtime bench's driver (`BENCH_SCORM=2004`, bench/sequenced-course.ts):
 * which SCO it commits to and what it sends, as the player sends it (player/src/sequenced.ts).
 *
 * - Each SCO session (a `session` number of its own, counted by the player per SCO load) has
 *   {@link SCO_SESSION_COMMITS} commits in the timed phase: the running SCO's commits (autocommit /
 *   SCO `Commit`: `incomplete`, `cmi.exit = suspend`, location, suspend data, session time, the test
 *   SCO's interactions growing by one per commit, `cmi.objectives` as the engine seeded them), then
 *   its terminating commit: the SCO's results (completion, success, `score.scaled`, its primary
 *   objective's entry), `cmi.exit` normal, `navRequest: continue` and the engine state recorded after
 *   that Terminate (`sequencingState`; only terminating commits carry it: the player sends it with
 *   other commits only when it changed, and a running SCO's commits do not change it).
 * - The full data model each time (`sendFullCommit`), in scorm-again's JSON form.
 * - Path: the first SCO once, then round the SCOs between the first and the last (a learner going
 *   back over the lessons, each time a new SCO attempt), so the course is never completed in the timed
 *   phase; the closing commits terminate the SCO the learner is in and take each SCO left to the end of
 *   the path (one terminating commit each): the root then rolls up completed and the final grade is sent.
 */
import type { PathStep } from './sequenced-course';

/** Commits of one SCO session in the timed phase, the terminating one included. */
export const SCO_SESSION_COMMITS = 10;

export interface ScoCursor {
  /** Index in the path of the SCO the learner is in. */
  step: number;
  /** The player's SCO session counter (one per SCO load). */
  session: number;
  /** Commits sent in the current SCO session (0: the SCO is not loaded yet). */
  inSession: number;
}

export const newCursor = (): ScoCursor => ({ step: 0, session: 0, inSession: 0 });

/** The timed phase: is the next commit the SCO's terminating one? */
export const terminatesNext = (c: ScoCursor) => c.inSession === SCO_SESSION_COMMITS - 1;

/** The step after `step` in the timed phase: round the middle SCOs, never the last one (see the file comment). */
function nextInTimedPhase(step: number, steps: PathStep[]): number {
  const next = step + 1;
  return next < steps.length - 1 ? next : Math.min(1, Math.max(0, steps.length - 2));
}

const NO_SCORE = { scaled: '', raw: '', min: '', max: '' };

function interaction(i: number, objectiveId: string | undefined): Record<string, unknown> {
  const right = i % 3 !== 2;
  return {
    id: `question-${i + 1}`,
    type: 'choice',
    objectives: objectiveId ? { '0': { id: objectiveId } } : {},
    timestamp: `2026-01-01T10:${String(i % 60).padStart(2, '0')}:00`,
    weighting: '1',
    learner_response: right ? 'b' : 'c',
    result: right ? 'correct' : 'incorrect',
    latency: 'PT12S',
    description: `Question ${i + 1}`,
    correct_responses: { '0': { pattern: 'b' } },
  };
}

/**
 * The next commit of a 2004 learner: the SCO's commit path under `runtimePath` and the body. `closing`:
 * a terminating commit of the closing phase (the learner then goes on to the next SCO, no wrapping).
 */
export function scoCommit(runtimePath: string, steps: PathStep[], c: ScoCursor, seq: number, suspendData: string, terminate: boolean, closing = false): { path: string; body: string } {
  const step = steps[c.step];
  if (c.inSession === 0) {
    c.session++;
  }
  c.inSession++;
  const r = step.report;
  const objectives: Record<string, unknown> = {};
  step.objectiveIds.forEach((id, i) => {
    const primary = i === 0;
    objectives[String(i)] = {
      id,
      success_status: terminate && primary ? r.success : 'unknown',
      completion_status: terminate && primary ? r.completion : 'unknown',
      progress_measure: '',
      description: '',
      score: terminate && primary && r.scaled !== undefined ? { ...NO_SCORE, scaled: String(r.scaled) } : NO_SCORE,
    };
  });
  const interactions: Record<string, unknown> = {};
  for (let i = 0; r.quiz && i < c.inSession - 1; i++) {
    interactions[String(i)] = interaction(i, step.objectiveIds[0]);
  }
  const cmi = {
    comments_from_learner: {},
    comments_from_lms: {},
    completion_status: terminate ? r.completion : 'incomplete',
    completion_threshold: '',
    credit: 'credit',
    entry: 'ab-initio',
    exit: terminate ? '' : 'suspend',
    interactions,
    launch_data: '',
    learner_id: '',
    learner_name: '',
    learner_preference: { audio_level: '1', language: '', delivery_speed: '1', audio_captioning: '0' },
    location: `page-${c.inSession}`,
    max_time_allowed: '',
    mode: 'normal',
    objectives,
    progress_measure: '',
    scaled_passing_score: '',
    score: terminate && r.scaled !== undefined ? { scaled: String(r.scaled), raw: String(Math.round(r.scaled * 100)), min: '0', max: '100' } : NO_SCORE,
    session_time: `PT${30 * c.inSession}S`,
    success_status: terminate ? r.success : 'unknown',
    suspend_data: suspendData,
    time_limit_action: 'continue,no message',
  };
  const body: Record<string, unknown> = { session: c.session, seq, terminate, unload: false, cmi };
  if (terminate) {
    body.navRequest = 'continue';
    if (step.state !== null) {
      body.sequencingState = step.state;
    }
    c.step = closing ? c.step + 1 : nextInTimedPhase(c.step, steps);
    c.inSession = 0;
  }
  return { path: `${runtimePath}/scos/${encodeURIComponent(step.itemId)}/commit`, body: JSON.stringify(body) };
}
