import * as fs from 'node:fs';
import * as path from 'node:path';
import { initialCmi, parseDuration } from '../../src/attempts/cmi-rules';
import { itemIndex } from '../../src/scorm/manifest-items';
import { parseManifest } from '../../src/scorm/manifest-parser';
import type { ManifestItem, ParsedManifest } from '../../src/scorm/manifest.types';
import { PackageFiles } from '../../src/scorm/package-layout';
import { compileSequencing } from '../../src/sequencing/compile-sequencing';
import { scorm2004Api, type Scorm2004Api } from '../../src/sequencing/engine';
import type { CompiledSequencing } from '../../src/sequencing/sequencing.types';
import { judge, type CallResult } from './judge';
import { decodeCommand, parseScript, type Block, type Command, type Script } from './script';

/**
 * Replays one CTS case folder headlessly (docs/sequencing.md, "Conformance replayer"): the
 * manifest(s) through the project's parser and compiler, deliveries through scorm-again's engine,
 * the scripted commands through its runtime API seeded by the LMS's own `initialCmi`, and the
 * tester's actions (`CUI`) as LMS navigation requests. The learner store outlives the case.
 */

export const LEARNER = { id: 'cts-learner-2', name: 'Learner, CTS' };

/** What one learner keeps across the cases of a run (the system-wide stores). */
export class LearnerStore {
  globalObjectives: Record<string, unknown> = {};
  sharedData: Record<string, string> = {};
}

/** The case data ship without the content files: every path the manifest names is taken as present. */
class DeclaredFiles extends PackageFiles {
  constructor() {
    super([], '');
  }

  override find(p: string): { stored: string; match: 'exact' } {
    return { stored: p, match: 'exact' };
  }
}

interface Pkg {
  name: string;
  manifest: ParsedManifest;
  compiled: CompiledSequencing;
  items: Map<string, ManifestItem>;
  api?: Scorm2004Api;
  settings?: Record<string, unknown>;
  /** Run-time data of SCOs left suspended, with the attempt's total time so far, by activity id. */
  saved: Map<string, { cmi: Record<string, unknown>; totalTimeSeconds: number }>;
  /** The engine state kept when the learner left (serializeSequencingState), restored at the next launch. */
  state?: string;
}

interface Running {
  pkg: Pkg;
  activityId: string;
  page: string;
  terminated: boolean;
  /** The adl.nav.request the SCO set, if any. */
  navRequest?: string;
  /** The cmi.exit the SCO set (write-only for the SCO, so kept here). */
  exit?: string;
}

export interface CaseResult {
  name: string;
  passed: boolean;
  why: string;
}

export function loadPackage(dir: string, name: string): Pkg {
  const xml = fs.readFileSync(path.join(dir, 'imsmanifest.xml'));
  const { manifest } = parseManifest(xml, new DeclaredFiles());
  const { sequencing } = compileSequencing(manifest);
  const items = new Map([...itemIndex(manifest.items)].map(([id, w]) => [id, w.item]));
  return { name, manifest, compiled: sequencing, items, saved: new Map() };
}

export class CaseReplay {
  private readonly failures: string[] = [];
  private readonly pending: Array<{ pkg: Pkg; id: string; resumed: boolean }> = [];
  private running?: Running;
  private blockIndex = 0;

  constructor(
    private readonly caseName: string,
    private readonly script: Script,
    private readonly packages: Map<string, Pkg>,
    private readonly store: LearnerStore,
  ) {}

  static fromFolder(dir: string, store: LearnerStore): CaseReplay {
    const name = path.basename(dir);
    const scriptFile = fs.readdirSync(dir).find((f) => f.endsWith('.properties'));
    if (!scriptFile) {
      throw new Error('no .properties script');
    }
    const script = parseScript(fs.readFileSync(path.join(dir, scriptFile)));
    const packages = new Map<string, Pkg>();
    if (fs.existsSync(path.join(dir, 'imsmanifest.xml'))) {
      packages.set(name, loadPackage(dir, name));
    }
    for (const sub of fs.readdirSync(dir, { withFileTypes: true })) {
      if (sub.isDirectory() && fs.existsSync(path.join(dir, sub.name, 'imsmanifest.xml'))) {
        packages.set(sub.name, loadPackage(path.join(dir, sub.name), sub.name));
      }
    }
    if (packages.size === 0) {
      throw new Error('no imsmanifest.xml');
    }
    return new CaseReplay(name, script, packages, store);
  }

  run(): CaseResult {
    const first = [...this.packages.values()][0];
    const start = this.script.start;
    if (this.packages.has(start)) {
      this.launch(this.packages.get(start)!, undefined);
    } else {
      this.launch(this.packages.size === 1 ? first : first, start === '.' ? undefined : start);
    }
    while (this.failures.length === 0) {
      const next = this.pending.shift();
      if (!next) {
        break;
      }
      if (this.blockIndex >= this.script.blocks.length) {
        this.fail(`extra delivery of "${next.id}" after the last block`);
        break;
      }
      const block = this.script.blocks[this.blockIndex++];
      this.deliver(next.pkg, next.id, next.resumed, block);
    }
    if (process.env.CTS_TRACE === this.caseName) {
      this.failures.forEach((f) => this.trace(`failure: ${f}`));
    }
    if (this.failures.length === 0 && this.blockIndex < this.script.blocks.length) {
      this.fail(`expected activity ${this.script.blocks[this.blockIndex].label} (block ${this.blockIndex + 1} of ${this.script.blocks.length}), nothing was delivered`);
    }
    for (const pkg of this.packages.values()) {
      this.keepGlobals(pkg);
    }
    const passed = this.failures.length === 0;
    return { name: this.caseName, passed, why: passed ? `${this.script.blocks.length} deliveries as scripted` : this.failures.slice(0, 3).join('; ') + (this.failures.length > 3 ? ` (+${this.failures.length - 3} more)` : '') };
  }

  private navigate(api: Scorm2004Api, request: string, target?: string): boolean {
    const done = api.processNavigationRequest(request, target);
    this.trace(`navigation ${request}${target ? ` ${target}` : ''} → ${done}`);
    return done;
  }

  /** `CTS_TRACE=<case>` prints the case's navigation requests and deliveries (stderr). */
  private trace(what: string): void {
    if (process.env.CTS_TRACE === this.caseName) {
      console.error(`  [${this.caseName}] ${what}`);
    }
  }

  /** With `CTS_TRACE=<case>`, the engine's own reports of refused requests and errors are traced too. */
  private engineTrace(): Record<string, (...args: unknown[]) => void> {
    if (process.env.CTS_TRACE !== this.caseName) {
      return {};
    }
    const events = ['onSequencingError', 'onNavigationRequestProcessing', 'onTerminationRequestProcessing', 'onDeliveryRequestProcessing'];
    return Object.fromEntries(events.map((e) => [e, (...args: unknown[]) => this.trace(`${e} ${JSON.stringify(args).slice(0, 400)}`)]));
  }

  private fail(why: string): void {
    this.failures.push(why);
  }

  /** The engine of a package for this learner: created on first launch with the system-wide stores. */
  private engine(pkg: Pkg): Scorm2004Api {
    if (pkg.api) {
      return pkg.api;
    }
    const Api = scorm2004Api();
    const settings: Record<string, unknown> = {
      autocommit: false,
      lmsCommitUrl: false,
      logLevel: 5,
      sequencing: {
        ...pkg.compiled,
        logLevel: 'error',
        eventListeners: {
          onActivityDelivery: (activity: { id: string; deliveryWasResumed: boolean }) => {
            this.trace(`delivered ${activity.id}${activity.deliveryWasResumed ? ' (resumed)' : ''}`);
            this.pending.push({ pkg, id: activity.id, resumed: activity.deliveryWasResumed });
          },
          ...this.engineTrace(),
        },
      },
    };
    const api = new Api(settings);
    if (pkg.state !== undefined) {
      api.deserializeSequencingState(pkg.state);
    }
    if (pkg.compiled.objectivesGlobalToSystem && Object.keys(this.store.globalObjectives).length > 0) {
      api.restoreGlobalObjectiveSnapshot(this.store.globalObjectives);
    }
    if (pkg.compiled.sharedDataGlobalToSystem && Object.keys(this.store.sharedData).length > 0) {
      api.restoreSharedDataSnapshot(this.store.sharedData);
    }
    pkg.api = api;
    pkg.settings = settings;
    return api;
  }

  private keepGlobals(pkg: Pkg): void {
    if (!pkg.api) {
      return;
    }
    const state = JSON.parse(pkg.api.serializeSequencingState()) as { globalObjectiveMap?: Record<string, unknown> };
    if (pkg.compiled.objectivesGlobalToSystem && state.globalObjectiveMap) {
      Object.assign(this.store.globalObjectives, state.globalObjectiveMap);
    }
    if (pkg.compiled.sharedDataGlobalToSystem) {
      Object.assign(this.store.sharedData, pkg.api.captureSharedDataSnapshot());
    }
  }

  /** RELAUNCH (§10.2): resume a suspended tree, else choose `title`, else start. */
  private launch(pkg: Pkg, title: string | undefined): void {
    const api = this.engine(pkg);
    if (this.navigate(api, 'resumeAll')) {
      return;
    }
    if (title !== undefined) {
      const target = this.itemByTitle(pkg, title);
      if (!target) {
        this.fail(`no item titled "${title}" to start with`);
        return;
      }
      this.navigate(api, 'choice', target);
      return;
    }
    this.navigate(api, 'start');
  }

  private itemByTitle(pkg: Pkg, title: string): string | undefined {
    if (/^the activity that corresponds to the root of/.test(title)) {
      return pkg.compiled.activityTree.id;
    }
    for (const [id, item] of pkg.items) {
      if (item.title === title) {
        return id;
      }
    }
    return undefined;
  }

  private deliver(pkg: Pkg, activityId: string, resumed: boolean, block: Block): void {
    const item = pkg.items.get(activityId);
    const launch = item?.launchUrl ?? '';
    const m = /tc=([^&]+)&act=([^&^#]+)/.exec(launch);
    if (!m) {
      this.fail(`activity "${activityId}" was delivered without tc/act launch parameters ("${launch}")`);
      return;
    }
    if (m[1] !== this.script.title) {
      this.fail(`delivered "${activityId}" of case ${m[1]}, not ${this.script.title}`);
      return;
    }
    if (m[2] !== block.label) {
      this.fail(`expected activity ${block.label}, LMS launched ${m[2]} ("${activityId}", block ${this.blockIndex} of ${this.script.blocks.length})`);
      return;
    }
    const api = this.engine(pkg);
    api.reset(pkg.settings, { preserveListeners: true });
    // A SCO's run-time data left with cmi.exit=suspend continues only in the attempt it suspended
    // (RTE 4.2.8): a new attempt on the activity (after exitAll, say) starts ab-initio.
    const saved = resumed ? (pkg.saved.get(activityId) ?? null) : null;
    pkg.saved.delete(activityId);
    const cmi = initialCmi({
      version: '2004',
      item,
      learnerId: LEARNER.id,
      learnerName: LEARNER.name,
      credit: 'credit',
      mode: 'normal',
      saved: saved?.cmi ?? null,
      entry: saved ? 'resume' : 'ab-initio',
      totalTimeSeconds: saved?.totalTimeSeconds ?? 0,
    });
    if (!saved) {
      // The engine seeds cmi.objectives from the activity's objectives (with their mapped status) at reset.
      delete cmi.objectives;
    }
    api.loadFromJSON(cmi);
    const page = path.posix.basename(item?.launchFile ?? '');
    const running: Running = { pkg, activityId, page, terminated: false };
    this.running = running;
    if (page !== 'AssetLaunchTest.htm') {
      for (const text of block.commands) {
        const cmd = decodeCommand(text);
        if (cmd) {
          this.execute(api, cmd, running);
        }
      }
    }
    const tester = this.testerRequest(pkg, block.cui);
    if (!/OnUnload|SingleDoTerminate|AssetLaunchTest/.test(page)) {
      // The page calls Terminate itself. Without a request of its own the LMS waits for the
      // tester's click, which then is the request processed for this SCO (the engine would
      // otherwise process an exit at once and run the activity's post-conditions too early).
      this.terminate(running, running.navRequest === undefined ? tester : undefined);
    } else if (page === 'AssetLaunchTest.htm') {
      // An asset has no API session: the click is a navigation request of its own.
      running.terminated = true;
      const choice = /^\{target=([^}]*)\}choice$/.exec(tester ?? '');
      if (tester !== undefined) {
        this.navigate(api, choice ? 'choice' : tester, choice?.[1]);
      }
    } else if (tester !== undefined) {
      // The tester's click unloads the page: the LMS's request replaces whatever the SCO set (§9).
      this.terminate(running, tester);
    }
    this.after(block.cui, running, tester);
  }

  private execute(api: Scorm2004Api, cmd: Command, running: Running): void {
    const result: CallResult = { returned: '', lastError: '' };
    let element = cmd.arg;
    const ph = /&([^&]*)&/.exec(element);
    if (ph && (cmd.method === 'GetValue' || cmd.method === 'SetValue')) {
      const before = element.slice(0, ph.index);
      const kind = before.includes('data') ? 'adl.data' : before.includes('objective') ? 'cmi.objectives' : undefined;
      const index = kind ? this.findIndex(api, kind, ph[1]) : undefined;
      if (index === undefined) {
        result.placeholderMissing = ph[1];
        this.report(cmd, result);
        return;
      }
      element = element.replace(ph[0], String(index));
    }
    switch (cmd.method) {
      case 'Initialize':
        result.returned = api.Initialize(cmd.arg);
        break;
      case 'Commit':
        result.returned = api.Commit(cmd.arg);
        break;
      case 'GetValue':
        result.returned = api.GetValue(element);
        break;
      case 'SetValue':
        result.returned = api.SetValue(element, cmd.value ?? '');
        if (element === 'adl.nav.request' && result.returned === 'true') {
          running.navRequest = cmd.value ?? '';
        }
        if (element === 'cmi.exit' && result.returned === 'true') {
          running.exit = cmd.value ?? '';
        }
        break;
      case 'GetLastError':
        result.returned = api.GetLastError();
        break;
      case 'GetErrorString':
        result.returned = api.GetErrorString(cmd.arg);
        break;
      case 'GetDiagnostic':
        result.returned = api.GetDiagnostic(cmd.arg);
        break;
      case 'COI': {
        const n = Number(api.GetValue('cmi.objectives._count')) || 0;
        result.ids = Array.from({ length: n }, (_, i) => api.GetValue(`cmi.objectives.${i}.id`));
        break;
      }
    }
    result.returned = String(result.returned);
    result.lastError = String(api.GetLastError());
    this.report(cmd, result);
  }

  private report(cmd: Command, result: CallResult): void {
    const why = judge(cmd, result, LEARNER.id);
    if (why) {
      this.fail(`block ${this.blockIndex}: ${why}`);
    }
  }

  private findIndex(api: Scorm2004Api, kind: string, id: string): number | undefined {
    const n = Number(api.GetValue(`${kind}._count`)) || 0;
    for (let i = 0; i < n; i++) {
      if (api.GetValue(`${kind}.${i}.id`) === id) {
        return i;
      }
    }
    return undefined;
  }

  /**
   * The SCO's Terminate. `lmsRequest`: the navigation request of the LMS's own controls that ends
   * this SCO; it replaces any request the SCO set (the on-unload pages' requests included, §9).
   */
  private terminate(running: Running, lmsRequest?: string): void {
    if (running.terminated) {
      return;
    }
    running.terminated = true;
    const api = running.pkg.api!;
    const unload: Record<string, string> = {
      'exitAllOnUnload.htm': 'exitAll',
      'suspendAllOnUnload.htm': 'suspendAll',
      'tarAct4OnUnload.htm': '{target=activity_4}choice',
    };
    const request = lmsRequest ?? unload[running.page];
    if (request !== undefined) {
      api.SetValue('adl.nav.request', request);
      running.navRequest = request;
    }
    this.keepSuspended(running);
    this.trace(`Terminate ${running.activityId} (adl.nav.request=${running.navRequest ?? '_none_'})`);
    api.Terminate('');
    if (process.env.CTS_TRACE_GLOBALS) {
      this.trace(`globals ${JSON.stringify((JSON.parse(api.serializeSequencingState()) as { globalObjectiveMap?: unknown }).globalObjectiveMap)}`);
    }
  }

  /**
   * A SCO left with exit=suspend, or by suspendAll, keeps its run-time data for its next delivery,
   * and its total time: the LMS adds each session's reported `session_time` (RTE 4.2.28).
   */
  private keepSuspended(running: Running): void {
    const api = running.pkg.api!;
    if (running.exit === 'suspend' || running.navRequest === 'suspendAll') {
      const rendered = api.renderCommitCMI(true);
      const cmi = (rendered.cmi ?? rendered) as Record<string, unknown>;
      const totalTimeSeconds = typeof cmi.total_time === 'string' ? parseDuration(cmi.total_time) : 0;
      running.pkg.saved.set(running.activityId, { cmi: { ...cmi, exit: 'suspend' }, totalTimeSeconds });
    }
  }

  /**
   * The navigation request (as `adl.nav.request` would carry it) of the tester's instruction
   * (§10.2), when the instruction is a click on the LMS's controls; undefined otherwise.
   */
  private testerRequest(pkg: Pkg, cui: string[]): string | undefined {
    const [key, a1] = cui;
    const choice = (title: string): string | undefined => {
      const target = this.itemByTitle(pkg, title);
      if (!target) {
        this.fail(`no item titled "${title}" to choose`);
        return undefined;
      }
      return `{target=${target}}choice`;
    };
    switch (key) {
      case 'Continue':
      case 'ContinueExitCM8':
        return 'continue';
      case 'Previous':
        return 'previous';
      case 'Choice':
      case 'launch':
      case 'ChoiceExit':
        return choice(a1 ?? '');
      case 'TRIGExitAll':
        return 'exitAll';
      case 'SuspendCM09ca':
        return 'suspendAll';
      case 'APIt1':
      case 'APIt2':
        return choice(`API Implementation Test ${key.slice(4)}`);
      case 'DMIt1':
      case 'DMIt2':
      case 'DMIt3':
      case 'DMIt4':
        return choice(`Data Model Implementation Test ${key.slice(4)}`);
      case 'RootSX4b':
        return choice('the activity that corresponds to the root of the organization');
      default:
        return undefined;
    }
  }

  /** EXIT: the learner leaves through the LMS; an active session ends with exitAll. */
  private exit(): void {
    const running = this.running;
    if (!running) {
      return;
    }
    const pkg = running.pkg;
    if (!running.terminated) {
      this.terminate(running, 'exitAll');
    } else {
      this.navigate(pkg.api!, 'exitAll');
    }
    this.pending.length = 0;
    this.closeSession(pkg);
  }

  /**
   * The LMS session of a package ends: its state is kept for the next launch, the engine instance
   * goes. When the session was not suspended, the attempt on the organization is over: the next
   * launch begins a new one, so the stores scoped to the attempt (not global to the system, CAM
   * `adlcp:sharedDataGlobalToSystem` / `adlseq:objectivesGlobalToSystem` false) are not kept.
   */
  private closeSession(pkg: Pkg): void {
    if (!pkg.api) {
      return;
    }
    this.keepGlobals(pkg);
    const state = JSON.parse(pkg.api.serializeSequencingState()) as Record<string, unknown> & { sequencing?: { suspendedActivity?: string | null } | null };
    if (!state.sequencing?.suspendedActivity) {
      if (!pkg.compiled.sharedDataGlobalToSystem) {
        delete state.sharedData;
      }
      if (!pkg.compiled.objectivesGlobalToSystem) {
        delete state.globalObjectives;
        delete state.globalObjectiveMap;
      }
    }
    pkg.state = JSON.stringify(state);
    pkg.api = undefined;
    pkg.settings = undefined;
  }

  private relaunch(name: string | undefined, title?: string): void {
    const pkg = name !== undefined ? this.packages.get(name) : this.running?.pkg;
    if (!pkg) {
      this.fail(`no package "${name ?? ''}" to launch`);
      return;
    }
    this.launch(pkg, title);
  }

  /** The tester's action after a block (§10.2); a click on the LMS's controls was the SCO's Terminate request. */
  private after(cui: string[], running: Running, tester: string | undefined): void {
    const [key, a1, a2] = cui;
    const own = running.pkg.name;
    if (key === undefined || tester !== undefined) {
      if (key === 'ContinueExitCM8') {
        this.exit();
        this.relaunch(own);
      } else if (key === 'SuspendCM09ca') {
        this.closeSession(running.pkg);
        this.relaunch(own);
      }
      return;
    }
    switch (key) {
      case 'Exit':
      case 'AutoTest':
      case 'HasEnded':
      case 'OKEnd':
        return this.terminate(running, undefined);
      case 'RelaunchCM10':
        this.exit();
        return this.relaunch(own, 'Activity 4');
      case 'DMBxAct':
        this.exit();
        return this.relaunch('DMB', 'Data Model Behavior Test 1');
      case 'launchnchoose':
      case 'relaunchnchoose':
      case 'autoendlaunchnchoose':
        this.exit();
        return this.relaunch(this.packageName(a1), a2);
      case 'exitlaunch':
      case 'relaunch':
      case 'autoendrelaunch':
      case 'ReLaunchDDMa':
      case 'ReLaunchDDMb':
      case 'LaunchDDMb':
        this.exit();
        return this.relaunch(this.packageName(a1 ?? (key.startsWith('ReLaunchDDM') || key === 'LaunchDDMb' ? key.slice(-4) : undefined)));
      default:
        if (/^(Relaunch|Exit|DMBx)/i.test(key)) {
          this.exit();
          return this.relaunch(undefined);
        }
        this.fail(`unknown tester instruction "${cui.join('~')}"`);
    }
  }

  private packageName(name: string | undefined): string | undefined {
    if (name === undefined) {
      return undefined;
    }
    return this.packages.has(name) ? name : [...this.packages.keys()][0];
  }
}
