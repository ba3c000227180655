import type { Completion, Success } from '../scorm/result-rules';
import { scorm2004Api, type Scorm2004Api } from './engine';
import { savedSelections, type ClusterSelection } from './saved-selection';
import type { Activity, CompiledSequencing } from './sequencing.types';

/**
 * The server's own sequencing-engine runs (docs/sequencing.md, "The grade" and "A closed tab"): the
 * same patched scorm-again engine as the player, headless. Pure apart from the engine (no Nest, no
 * database), so the commit path and the tests call the same functions.
 */

/** What the server knows of one SCO of an attempt: its evaluated result columns and its stored objectives. */
export interface ScoTracking {
  itemId: string;
  completionStatus: string;
  successStatus: string;
  /** The SCO's own `cmi.score` (scorm-again's JSON form): the engine reads `scaled` as the measure, not a score derived from raw. */
  score: unknown;
  progressMeasure: number | null;
  /** The stored `cmi.objectives` (scorm-again's JSON form: `{ "0": { id, success_status, … } }`). */
  objectives?: unknown;
  /**
   * The SCO attempt has ended (Terminate without `suspend`). An attempt still running or suspended
   * counts with what it reported so far, without the End Attempt defaults (SN UP.4: a SCO that
   * reports no status is completed and satisfied only when its attempt ends).
   */
  ended: boolean;
}

/** The root activity after rollup: what a SCORM 2004 course attempt earns (docs/scorm-rules.md). */
export interface RootResult {
  completion: Completion;
  success: Success;
  /** The root's normalized measure when known (−1..1 in SN; a grade clamps it to 0..1). */
  measure: number | null;
}

export interface RollupRun {
  root: RootResult;
  /** The global objectives this course writes, as the engine holds them after the run (its map snapshot form). */
  writtenGlobals: Record<string, unknown>;
}

/** Engine internals the server run touches (scorm-again 3.4.3; checked by the tests of this module). */
interface EngineActivity {
  id: string;
  parent: EngineActivity | null;
  children: EngineActivity[];
  isActive: boolean;
  isSuspended: boolean;
  attemptCount: number;
  completionStatus: string;
  successStatus: string;
  objectiveSatisfiedStatus: boolean;
  objectiveSatisfiedStatusKnown: boolean;
  objectiveMeasureStatus: boolean;
  objectiveNormalizedMeasure: number;
  attemptProgressStatus: boolean;
  isAvailable: boolean;
  isHiddenFromChoice: boolean;
  sequencingControls: { selectionCountStatus: boolean; reorderChildren: boolean };
  setChildOrder(order: string[]): void;
  setProcessedChildren(children: EngineActivity[]): void;
}
interface EngineProcess {
  activityTree: { root: EngineActivity; currentActivity: EngineActivity | null; getActivity(id: string): EngineActivity | null };
  endAttemptProcess(activity: EngineActivity): void;
  updateNavigationValidity(): void;
}
/** The engine API's global objective store (what `serializeSequencingState` writes as `globalObjectiveMap`). */
interface EngineGlobals {
  _globalObjectiveManager: { captureGlobalObjectiveSnapshot(process: EngineProcess): Record<string, unknown> };
}

const SETTINGS_BASE = { autocommit: false, lmsCommitUrl: false, logLevel: 5 } as const;

function engineSettings(compiled: CompiledSequencing): Record<string, unknown> {
  return { ...SETTINGS_BASE, sequencing: { activityTree: compiled.activityTree, logLevel: 'error' } };
}

/** A fresh engine on a compiled tree (nothing delivered). */
export function newEngine(compiled: CompiledSequencing): { api: Scorm2004Api; settings: Record<string, unknown> } {
  const settings = engineSettings(compiled);
  const Api = scorm2004Api();
  return { api: new Api(settings), settings };
}

function processOf(api: Scorm2004Api): EngineProcess {
  const service = api.getSequencingService() as { getOverallSequencingProcess(): EngineProcess | null } | null;
  const process = service?.getOverallSequencingProcess();
  if (!process) {
    throw new Error('scorm-again engine has no overall sequencing process; see src/sequencing/server-run.ts');
  }
  return process;
}

const num = (n: number | null) => (n === null ? '' : String(n));

/** The data a SCO attempt ended with, in the data model's JSON form (what the engine transfers to its activity). */
function cmiOf(s: ScoTracking): Record<string, unknown> {
  const cmi: Record<string, unknown> = {
    completion_status: s.completionStatus === 'not attempted' ? 'unknown' : s.completionStatus,
    success_status: s.successStatus,
    score: s.score && typeof s.score === 'object' ? s.score : {},
    progress_measure: num(s.progressMeasure),
  };
  if (s.objectives && typeof s.objectives === 'object') {
    cmi.objectives = s.objectives;
  }
  return cmi;
}

/**
 * The SCO's own results set again through `SetValue`, as the SCO set them in the browser: the engine
 * lets a `cmi.objectives` entry of the primary objective win over `cmi.success_status` and
 * `cmi.score` unless the content set those (its RTE-to-SN transfer), and `reset` seeds that entry
 * from the global objectives the activity reads. Loaded with `loadFromJSON` only, a SCO taken again
 * kept the result its global objective held from the previous attempt (the better result never
 * reached the root). Unknown values are left unset, so a primary objective entry the SCO set alone
 * still counts.
 */
function reportedByContent(api: Scorm2004Api, s: ScoTracking): void {
  const score = s.score && typeof s.score === 'object' ? (s.score as Record<string, unknown>) : {};
  const values: Array<[string, unknown]> = [
    ['cmi.completion_status', s.completionStatus === 'not attempted' || s.completionStatus === 'unknown' ? '' : s.completionStatus],
    ['cmi.success_status', s.successStatus === 'unknown' ? '' : s.successStatus],
    ...['scaled', 'raw', 'min', 'max'].map((k): [string, unknown] => [`cmi.score.${k}`, score[k]]),
  ];
  for (const [element, value] of values) {
    if (typeof value === 'string' && value !== '') {
      api.SetValue(element, value);
    }
  }
}

/** Leaves in tree order. */
function leaves(a: Activity, out: string[] = []): string[] {
  if (!a.children?.length) {
    out.push(a.id);
  }
  for (const c of a.children ?? []) {
    leaves(c, out);
  }
  return out;
}

/** The global objective ids a compiled tree reads (`read`) or writes (`write`) through any map flag. */
export function objectiveTargets(compiled: CompiledSequencing, flag: 'read' | 'write'): Set<string> {
  let known = targetsOf.get(compiled);
  if (!known) {
    known = { read: mappedObjectives(compiled, 'read'), write: mappedObjectives(compiled, 'write') };
    targetsOf.set(compiled, known);
  }
  return known[flag];
}

/** {@link objectiveTargets} per compiled tree (a tree is not changed once compiled): worked out once. */
const targetsOf = new WeakMap<CompiledSequencing, Record<'read' | 'write', Set<string>>>();

function mappedObjectives(compiled: CompiledSequencing, flag: 'read' | 'write'): Set<string> {
  const out = new Set<string>();
  const walk = (a: Activity) => {
    for (const o of [...(a.primaryObjective ? [a.primaryObjective] : []), ...a.objectives]) {
      for (const m of o.mapInfo) {
        if (Object.entries(m).some(([k, v]) => k.startsWith(flag) && v === true)) {
          out.add(m.targetObjectiveID);
        }
      }
    }
    a.children?.forEach(walk);
  };
  walk(compiled.activityTree);
  return out;
}

/** The `adl.data` store ids a compiled tree reads or writes (`adlcp:map`). */
export function sharedDataTargets(compiled: CompiledSequencing, flag: 'read' | 'write'): Set<string> {
  const out = new Set<string>();
  const walk = (a: Activity) => {
    for (const m of a.sharedDataMaps ?? []) {
      if (flag === 'read' ? m.readSharedData : m.writeSharedData) {
        out.add(m.targetID);
      }
    }
    a.children?.forEach(walk);
  };
  walk(compiled.activityTree);
  return out;
}

function pick<T>(all: Record<string, T>, keys: Set<string>): Record<string, T> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => keys.has(k)));
}

/**
 * Gives each cluster that selects or randomizes its children the selection and order the learner's
 * engine made ({@link RollupInputs.selections}), so that rollup runs over the children the learner was given.
 */
function applySelections(tree: EngineProcess['activityTree'], selections: Map<string, ClusterSelection>): void {
  for (const [id, { order, selected }] of selections) {
    const cluster = tree.getActivity(id);
    if (!cluster) {
      continue;
    }
    const chosen = new Set(selected);
    cluster.setChildOrder(order);
    for (const child of cluster.children) {
      child.isAvailable = chosen.has(child.id);
      child.isHiddenFromChoice = !child.isAvailable;
    }
    cluster.setProcessedChildren(cluster.children.filter((c) => c.isAvailable));
    cluster.sequencingControls.selectionCountStatus = true;
    cluster.sequencingControls.reorderChildren = true;
  }
}

/** Everything a rollup run reads besides the compiled tree (see {@link rollUpFromScoData}). */
export interface RollupInputs {
  scos: ScoTracking[];
  /** The learner-wide global objectives the course reads. */
  read: Record<string, unknown>;
  /** The clusters' selections from the attempt's saved state, checked by {@link savedSelections}. */
  selections: Map<string, ClusterSelection>;
}

/**
 * Global objective entries without the time the engine last updated each (`lastUpdated`: the engine
 * stamps it on every write and never reads it), so that the same objectives read at another time are
 * the same inputs of a run.
 */
export function untimed(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entries).map(([id, entry]) => {
      if (!entry || typeof entry !== 'object' || !('lastUpdated' in entry)) {
        return [id, entry];
      }
      const { lastUpdated, ...rest } = entry as Record<string, unknown>;
      void lastUpdated;
      return [id, rest];
    }),
  );
}

function rollupInputs(compiled: CompiledSequencing, scos: ScoTracking[], globals: Record<string, unknown> | undefined, saved: string | null): RollupInputs {
  return {
    // In item order: the run takes them by item, and the same SCOs read in another order are the same inputs.
    scos: [...scos].sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0)),
    // Only what the course reads: a restored entry the course only writes would stand over its own new result.
    read: globals ? untimed(pick(globals, objectiveTargets(compiled, 'read'))) : {},
    selections: savedSelections(compiled, saved, new Set(scos.map((s) => s.itemId))),
  };
}

/**
 * Runs the engine over the SCOs' stored results: each SCO that has data ends an attempt on its
 * activity with that data (the engine's own RTE-to-activity transfer, End Attempt and Overall
 * Rollup processes, global objective reads and writes), in tree order; then reads the root. The
 * learner-wide global objectives `globals` are read first (when the course shares them); the
 * clusters' selections come from the attempt's `saved` state (the player's engine made them).
 */
export function rollUpFromScoData(compiled: CompiledSequencing, scos: ScoTracking[], globals?: Record<string, unknown>, saved: string | null = null): RollupRun {
  return runRollup(compiled, rollupInputs(compiled, scos, globals, saved));
}

function runRollup(compiled: CompiledSequencing, { scos, read, selections }: RollupInputs): RollupRun {
  const { api, settings } = newEngine(compiled);
  if (Object.keys(read).length) {
    api.restoreGlobalObjectiveSnapshot(read);
  }
  const process = processOf(api);
  // The look-ahead for the player's buttons (adl.nav.request_valid), recomputed by every reset and
  // rollup: most of a run's time, and nothing the server reads.
  process.updateNavigationValidity = () => undefined;
  const tree = process.activityTree;
  applySelections(tree, selections);
  const byItem = new Map(scos.map((s) => [s.itemId, s]));
  for (const id of leaves(compiled.activityTree)) {
    const sco = byItem.get(id);
    const leaf = tree.getActivity(id);
    if (!sco || !leaf) {
      continue;
    }
    for (let a: EngineActivity | null = leaf; a; a = a.parent) {
      a.isActive = true;
      a.attemptCount = Math.max(1, a.attemptCount);
    }
    leaf.isSuspended = !sco.ended;
    tree.currentActivity = leaf;
    api.reset(settings, { preserveListeners: true });
    api.loadFromJSON(cmiOf(sco));
    api.Initialize('');
    reportedByContent(api, sco);
    process.endAttemptProcess(leaf);
  }
  const root = tree.root;
  const completion = (['completed', 'incomplete', 'not attempted'].includes(root.completionStatus) ? root.completionStatus : 'unknown') as Completion;
  const success: Success = root.objectiveSatisfiedStatusKnown ? (root.objectiveSatisfiedStatus ? 'passed' : 'failed') : 'unknown';
  const measure = root.objectiveMeasureStatus ? root.objectiveNormalizedMeasure : null;
  // What serializeSequencingState() writes as its globalObjectiveMap, without serializing the tree.
  const all = (api as unknown as EngineGlobals)._globalObjectiveManager.captureGlobalObjectiveSnapshot(process);
  const writtenGlobals = pick(all, objectiveTargets(compiled, 'write'));
  return { root: { completion, success, measure }, writtenGlobals };
}

/** Rule conditions the engine answers from the clock (SN 3.4.2 timeLimitExceeded, outsideAvailableTimeRange). */
const CLOCK_CONDITIONS = /"(timeLimitExceeded|outsideAvailableTimeRange)"/;
const readsClock = new WeakMap<CompiledSequencing, boolean>();

/**
 * The server's rollup runs remembered by what they read (docs/sequencing.md, "What a commit costs"):
 * a run is a function of the compiled tree and its {@link RollupInputs} alone (the engine's rollup
 * reads no clock and draws no random number; a tree with a rule condition about time is never
 * remembered), so the same inputs give the same root and written global objectives. A learner who
 * ends a SCO attempt with the result it had before, or many learners at the same point of a course,
 * need not build an engine and run it again. Any change to an input (a SCO's status, score or
 * objectives, whether its attempt ended, a global objective the course reads, a selection) is a
 * different key, so the run is made again. Keyed by the inputs' JSON (a few hundred bytes to a few KB
 * a run); at most `capacity` runs and `maxKeyChars` characters of keys, the least recently used
 * dropped first. The answers are shared: callers must not change them.
 */
export class RollupMemo {
  private readonly runs = new Map<string, RollupRun>();
  private keyChars = 0;
  /** Runs made (not answered from memory): for the tests and the bench. */
  made = 0;

  constructor(
    private readonly capacity = 2000,
    private readonly maxKeyChars = 4_000_000,
  ) {}

  rollUp(versionId: string, compiled: CompiledSequencing, scos: ScoTracking[], globals?: Record<string, unknown>, saved: string | null = null): RollupRun {
    const inputs = rollupInputs(compiled, scos, globals, saved);
    let clock = readsClock.get(compiled);
    if (clock === undefined) {
      clock = CLOCK_CONDITIONS.test(JSON.stringify(compiled.activityTree));
      readsClock.set(compiled, clock);
    }
    if (clock) {
      this.made++;
      return runRollup(compiled, inputs);
    }
    const key = JSON.stringify([versionId, inputs.scos, inputs.read, [...inputs.selections]]);
    let run = this.runs.get(key);
    if (run) {
      this.runs.delete(key);
    } else {
      this.made++;
      run = runRollup(compiled, inputs);
      this.keyChars += key.length;
      for (const [old] of this.runs) {
        if (this.runs.size < this.capacity && this.keyChars <= this.maxKeyChars) {
          break;
        }
        this.runs.delete(old);
        this.keyChars -= old.length;
      }
    }
    this.runs.set(key, run);
    return run;
  }
}

/** The learner-wide stores (src/attempts/sequencing-state.repository.ts `LearnerStores`). */
export interface SharedStores {
  objectives: Record<string, unknown>;
  data: Record<string, string>;
}

/**
 * The state the player's engine starts from (src/player/bootstrap.types.ts `PlayerSequencing`):
 * the attempt's saved state with the learner-wide stores the course shares merged in (they may be
 * newer: another attempt or course wrote them since), and a tree left active by a closed tab
 * turned into a suspended one. Null when there is nothing to restore.
 */
export function stateForPlayer(compiled: CompiledSequencing, saved: string | null, stores: SharedStores): string | null {
  const objectives = compiled.objectivesGlobalToSystem ? pick(stores.objectives, objectiveTargets(compiled, 'read')) : {};
  const data = compiled.sharedDataGlobalToSystem ? pick(stores.data, sharedDataTargets(compiled, 'read')) : {};
  const shared = Object.keys(objectives).length + Object.keys(data).length > 0;
  if (saved === null && !shared) {
    return null;
  }
  let text = saved === null ? null : suspendIfLeftActive(compiled, saved);
  if (shared) {
    const state = (text === null ? { version: '1.0', sequencing: null, globalObjectiveMap: {}, sharedData: {} } : JSON.parse(text)) as {
      sequencing: { globalObjectiveMap?: Record<string, unknown> } | null;
      globalObjectiveMap?: Record<string, unknown>;
      sharedData?: Record<string, string>;
    };
    state.globalObjectiveMap = { ...state.globalObjectiveMap, ...objectives };
    if (state.sequencing) {
      state.sequencing.globalObjectiveMap = { ...state.sequencing.globalObjectiveMap, ...objectives };
    }
    state.sharedData = { ...state.sharedData, ...data };
    text = JSON.stringify(state);
  }
  return text;
}

/**
 * scorm-again issue #1701: a state saved while an activity was running (the tab closed without
 * "suspend all") restores a tree whose current activity is still active; the engine then refuses
 * `resumeAll` (nothing suspended), `start` (a current activity exists) and, in a course without
 * choice, every request the player can make: the learner is locked out. The LMS ends such a session
 * as a suspend: the state is restored into a headless engine, `suspendAll` is processed, and the
 * suspended tree is what the player gets, so `resumeAll` delivers the activity the learner was in.
 */
export function suspendIfLeftActive(compiled: CompiledSequencing, saved: string): string {
  const state = JSON.parse(saved) as { sequencing?: { currentActivity?: string | null; suspendedActivity?: string | null } | null };
  if (!state.sequencing?.currentActivity || state.sequencing.suspendedActivity) {
    return saved;
  }
  const { api } = newEngine(compiled);
  if (!api.deserializeSequencingState(saved) || !api.processNavigationRequest('suspendAll')) {
    return saved;
  }
  return api.serializeSequencingState();
}
