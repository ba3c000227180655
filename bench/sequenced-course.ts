/**
 * The SCORM 2004 mode of the runtime and launch benches (`BENCH_SCORM=2004`; the default, 1.2, is the
 * single-SCO course the benches always used). Issue 10 asks for the per-commit and per-launch cost
 * with the sequencing engine in place; a 1.2 commit never reaches it.
 *
 * The 2004 course is fixtures/packages/seq-bench-course: four SCOs — a pre-test writing a system-wide
 * global objective (the server reads and writes the learner's global objectives on each rollup), a
 * cluster of two lessons skipped by pre-conditions reading it and completed by a rollup rule
 * (`rollupConsiderations` ifNotSkipped), a final exam satisfied by measure that alone decides the
 * root's satisfaction and measure (rollup rules with `rollupObjectiveSatisfied="false"` and
 * `objectiveMeasureWeight="0"` elsewhere), `sequencingCollection` + `IDRef`. The simulated learner fails
 * the pre-test, so the engine delivers every SCO: PRETEST → LESSON-1 → LESSON-2 → EXAM; the grade is
 * known only once the exam has ended, so the closing commits alone produce the final score.
 *
 * Learners' scores differ as a class's do (a 10-question quiz scores in tenths): learner i of a level
 * has result combination i mod 28 — a pre-test score of 0.0 to 0.6 (always failed, so the path is the
 * same) and an exam score of 0.7 to 1.0 (passed) — and keeps it over all its rounds (a learner going
 * back over a lesson repeats its own data). So learners at the same point of the course send the same
 * tracking data only as often as a class would, and a server that remembers work by its inputs
 * (src/sequencing/server-run.ts RollupMemo) is not flattered by a class of identical learners.
 * Each learner's grade at the LMS must be its own exam score (the root's measure).
 *
 * The path a learner follows — which SCO is delivered after each Terminate, and the engine state the
 * player sends with each terminating commit (it holds the SCOs' scores) — is recorded once per bench
 * run and result combination by playing the course
 * headlessly as the player does (player/src/sequenced.ts): scorm-again's engine built on the
 * bootstrap's `sequencing.settings` (what the server serves over HTTP), `start`, then for each
 * delivered SCO `reset`, `Initialize`, the SCO's results (the learner's `LearnerResults`), `adl.nav.request=continue`,
 * `Terminate` and `serializeSequencingState()`. The engine module is loaded only when the bootstrap
 * carries sequencing, so this folder also runs against a server without it: there the path is the
 * course's SCOs in order and no state is sent, as that server's player did.
 */
import type { PlayerBootstrap } from '../src/player/bootstrap.types';

export type BenchScorm = '1.2' | '2004';

/** `BENCH_SCORM`: 1.2 (default) or 2004. */
export function scormOption(): BenchScorm {
  const v = process.env.BENCH_SCORM ?? '1.2';
  if (v !== '1.2' && v !== '2004') {
    throw new Error(`BENCH_SCORM must be 1.2 or 2004, not "${v}"`);
  }
  return v;
}

/** Refuses the 2004 mode where a bench has only the 1.2 course (`--instances`). */
export function onlyScorm12(scorm: BenchScorm, what: string): void {
  if (scorm !== '1.2') {
    throw new Error(`BENCH_SCORM=${scorm} is not available with ${what} (SCORM 1.2 only)`);
  }
}

/** The fixture course of each mode (fixtures/packages/). */
export const BENCH_FIXTURE: Record<BenchScorm, string> = { '1.2': 'scorm12-single-sco', '2004': 'seq-bench-course' };

/** For the bench headers. */
export const MODE_TEXT: Record<BenchScorm, string> = {
  '1.2': 'SCORM 1.2, one SCO (scorm12-single-sco)',
  '2004': 'SCORM 2004 with sequencing (seq-bench-course: 4 SCOs in 2 levels, rollup rules, objectives satisfied by measure, system-wide global objectives)',
};

/** What a SCO reports by its terminating commit. */
export interface ScoReport {
  completion: string;
  success: string;
  /** cmi.score.scaled, when the SCO sets a score. */
  scaled?: number;
  /** Records one interaction per commit (a test SCO). */
  quiz?: boolean;
}

/** One learner's quiz results (scaled scores): it fails the pre-test and passes the exam. */
export interface LearnerResults {
  pretest: number;
  exam: number;
}

/** Every learner's results, by combination: the pre-test 0.0–0.6 (failed) × the exam 0.7–1.0 (passed), in tenths. */
export const RESULT_COMBINATIONS: LearnerResults[] = [7, 8, 9, 10].flatMap((exam) =>
  [0, 1, 2, 3, 4, 5, 6].map((pretest) => ({ pretest: pretest / 10, exam: exam / 10 })),
);

/** The result combination of learner `i` of a level (the driver's order): i mod 28, the same on every round. */
const combinationOf = (i: number): number => i % RESULT_COMBINATIONS.length;

/** The results of learner `i` of a level. */
export const resultsOf = (i: number): LearnerResults => RESULT_COMBINATIONS[combinationOf(i)];

/** The grade learner `i`'s gradebook must receive (out of 100): its exam's score, the root's measure after the server's rollup. */
export const expectedGrade = (i: number): number => Math.round(resultsOf(i).exam * 100);

/** What the final grades should be, for the runtime bench's output. */
export const GRADE_NOTE = "each learner's own exam score, 70 to 100: the root's measure after the server's rollup (not the mean of the SCO scores)";

/** What each SCO of seq-bench-course reports for a learner with these results (the lessons: completed). */
function reportsOf(r: LearnerResults): (itemId: string) => ScoReport {
  const reports: Record<string, ScoReport> = {
    PRETEST: { completion: 'completed', success: 'failed', scaled: r.pretest, quiz: true },
    EXAM: { completion: 'completed', success: 'passed', scaled: r.exam, quiz: true },
  };
  return (itemId) => reports[itemId] ?? { completion: 'completed', success: 'unknown' };
}

/** One SCO of the learner's path: delivered by the engine after the previous step's Terminate. */
export interface PathStep {
  itemId: string;
  report: ScoReport;
  /** The player's `sequencingState` for this SCO's terminating commit (null: the server has no sequencing). */
  state: string | null;
  /** The primary objective id the engine lists in `cmi.objectives` for this SCO, if any. */
  objectiveIds: string[];
}

/** The path of learner `i` of a level among the {@link recordPaths} paths. */
export const pathOf = (paths: PathStep[][], i: number): PathStep[] => paths[combinationOf(i)];

/** The path of each result combination ({@link RESULT_COMBINATIONS}, same order): the same SCOs for all, each with its own states. */
export async function recordPaths(b: PlayerBootstrap): Promise<PathStep[][]> {
  const paths: PathStep[][] = [];
  const scos = (p: PathStep[]) => p.map((s) => s.itemId).join(' → ');
  for (const r of RESULT_COMBINATIONS) {
    const path = await recordPath(b, r);
    if (paths.length && scos(path) !== scos(paths[0])) {
      throw new Error(`learners with results ${JSON.stringify(r)} follow ${scos(path)}, not ${scos(paths[0])}: the bench's learners must all follow one path`);
    }
    paths.push(path);
  }
  return paths;
}

/** The path a learner of this course with these results follows (see the file comment); at least one step. */
export async function recordPath(b: PlayerBootstrap, results: LearnerResults): Promise<PathStep[]> {
  const report = reportsOf(results);
  if (!b.sequencing) {
    return b.scos.filter((s) => s.scormType === 'sco').map((s) => ({ itemId: s.itemId, report: report(s.itemId), state: null, objectiveIds: [] }));
  }
  const { scorm2004Api } = await import('../src/sequencing/engine');
  const delivered: string[] = [];
  const settings = {
    autocommit: false,
    lmsCommitUrl: false,
    logLevel: 5,
    sequencing: { ...b.sequencing.settings, logLevel: 'error', eventListeners: { onActivityDelivery: (a: { id: string }) => delivered.push(a.id) } },
  };
  const Api = scorm2004Api();
  const api = new Api(settings);
  if (b.sequencing.state) {
    api.deserializeSequencingState(b.sequencing.state);
  }
  if (!api.processNavigationRequest('resumeAll') && !api.processNavigationRequest('start')) {
    throw new Error('the 2004 bench course delivers nothing at start');
  }
  const steps: PathStep[] = [];
  const scos = new Set(b.scos.filter((s) => s.scormType === 'sco').map((s) => s.itemId));
  while (delivered.length && steps.length < 20) {
    const itemId = delivered.shift()!;
    if (!scos.has(itemId)) {
      throw new Error(`the engine delivered "${itemId}", not a SCO of the course; the 2004 bench course must deliver SCOs only`);
    }
    api.reset(settings, { preserveListeners: true });
    api.Initialize('');
    const r = report(itemId);
    const count = Number(api.GetValue('cmi.objectives._count')) || 0;
    const objectiveIds = Array.from({ length: count }, (_, i) => api.GetValue(`cmi.objectives.${i}.id`));
    api.SetValue('cmi.completion_status', r.completion);
    if (r.success !== 'unknown') {
      api.SetValue('cmi.success_status', r.success);
    }
    if (r.scaled !== undefined) {
      api.SetValue('cmi.score.scaled', String(r.scaled));
    }
    api.SetValue('adl.nav.request', 'continue');
    if (api.Terminate('') !== 'true') {
      throw new Error(`Terminate of "${itemId}" refused (${api.GetLastError()}) while recording the bench path`);
    }
    steps.push({ itemId, report: r, state: api.serializeSequencingState(), objectiveIds });
  }
  if (!steps.length) {
    throw new Error('the 2004 bench course delivered no SCO');
  }
  return steps;
}

/** Average size of the states sent with terminating commits (for the header). */
export function stateSizeText(steps: PathStep[]): string {
  const sized = steps.filter((s) => s.state !== null);
  if (!sized.length) {
    return 'no sequencing state (the server has no sequencing for this course)';
  }
  const avg = sized.reduce((n, s) => n + s.state!.length, 0) / sized.length;
  return `engine state ~${(avg / 1024).toFixed(0)} KB with each terminating commit`;
}
