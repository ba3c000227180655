import type { Scorm2004API } from 'scorm-again';
import type { Activity } from '../../src/sequencing/sequencing.types';
import { Bootstrap } from './bootstrap';
import { button, CreateApi, Current, isInitialized, Json, Player, readNav } from './player';

/** What the engine reports after each navigation (`onNavigationValidityUpdate`). */
interface Validity {
  continue: boolean;
  previous: boolean;
  choice: Record<string, 'true' | 'false'>;
  hideLmsUi: string[];
}

/** The few fields of the engine's activity the player reads (scorm-again's `Activity`). */
interface EngineActivity {
  id: string;
  title: string;
  isVisible: boolean;
  completionStatus: string;
  parent: EngineActivity | null;
  getAvailableChildren(): EngineActivity[];
  sequencingControls: { flow: boolean; forwardOnly: boolean };
}

type Outcome = { deliver: string } | { end: string };

/**
 * SCORM 2004 with sequencing (docs/sequencing.md, "The player"): one Scorm2004API for the whole
 * session, created with the version's compiled sequencing and the attempt's saved engine state. The
 * engine decides what is delivered (`onActivityDelivery`) and when the session ends; the learner's
 * requests (Previous, Next, the table of contents, Suspend, Exit) and the SCO's own `adl.nav.request`
 * (on Terminate) go through `processNavigationRequest`. Between SCOs the API is `reset` with its
 * listeners kept and loaded with the SCO's data from the server. Every commit carries the engine's
 * `serializeSequencingState()`, so a closed tab resumes where the learner was.
 */
export class SequencedPlayer extends Player {
  private api!: Scorm2004API;
  private engineSettings!: Record<string, unknown>;
  private outcome: Outcome | null = null;
  /** A navigation of ours is under way: the engine's outcomes wait for it to finish. */
  private busy = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private validity: Validity | null = null;
  /** The learner's request while the player terminates the SCO for it (sent as the commit's navRequest). */
  private lmsRequest: string | undefined;
  /** The last state sent, timestamps removed. */
  private lastState: string | undefined;
  private readonly tree: Activity;

  constructor(b: Bootstrap, createApi: CreateApi) {
    super(b, createApi);
    this.tree = b.sequencing!.settings.activityTree;
  }

  override async start(): Promise<void> {
    button('bridge-prev').addEventListener('click', () => void this.navigate('previous'));
    button('bridge-next').addEventListener('click', () => void this.navigate('continue'));
    button('bridge-suspend').addEventListener('click', () => void this.navigate('suspendAll'));
    button('bridge-exit').addEventListener('click', () => void this.navigate('exitAll'));
    await this.setup();
    this.api = this.createEngine();
    this.busy = true;
    const state = this.b.sequencing!.state;
    if (state) {
      this.api.deserializeSequencingState(state);
      this.lastState = state.replace(/"timestamp":"[^"]*"/g, '');
    }
    const started = this.api.processNavigationRequest('resumeAll') || this.api.processNavigationRequest('start') || this.resumeAfterClosedTab(state);
    this.busy = false;
    this.saveState();
    if (!started && !this.outcome) {
      this.showEnd(this.rootCompleted() ? 'You have completed this course.' : 'There is nothing to deliver in this course right now.');
      this.renderToc();
      return;
    }
    await this.settle();
  }

  /**
   * A tab closed without "suspend all" leaves the tree with its current activity still active, and
   * `start` is then not allowed (scorm-again issue #1701 locks the learner out there): the player
   * suspends that session itself and resumes it, which delivers the activity the learner was in,
   * whatever the control modes.
   */
  private resumeAfterClosedTab(state: string | null): boolean {
    const current = state ? (JSON.parse(state) as { currentActivityId?: string | null }).currentActivityId : null;
    return !!current && this.api.processNavigationRequest('suspendAll') && this.api.processNavigationRequest('resumeAll');
  }

  private createEngine(): Scorm2004API {
    const httpService = {
      processHttpRequest: (_url: string, params: unknown, _immediate: boolean, _log: unknown, _listeners: unknown, meta?: { isTerminateCommit?: boolean }) => {
        const itemId = this.current?.sco.itemId ?? '';
        this.onCommit((params as { cmi?: Json }).cmi ?? (params as Json), !!meta?.isTerminateCommit);
        return this.commitAnswer(itemId, !!meta?.isTerminateCommit);
      },
      updateSettings() {
        /* settings are fixed for the session */
      },
    };
    this.engineSettings = {
      ...this.apiSettings(httpService),
      sequencing: {
        ...this.b.sequencing!.settings,
        logLevel: 'error',
        eventListeners: {
          onActivityDelivery: (activity: { id: string }) => this.expect({ deliver: activity.id }),
          onSequencingSessionEnd: (data: { reason: string }) => this.expect({ end: data.reason }),
          onNavigationValidityUpdate: (v: Validity) => {
            this.validity = v;
            this.renderToc();
          },
        },
      },
    };
    const api = this.createApiOf(this.engineSettings) as Scorm2004API;
    this.setWindowApi(api);
    return api;
  }

  /**
   * The engine state for a commit: always with a terminating or unload commit (docs/sequencing.md,
   * "The player contract"); with any other only when it changed since the last one sent (timestamps
   * aside), since the state grows with the tree (~10–30 KB for a few SCOs) and most commits
   * (autocommit, location, suspend data) leave it as it was.
   */
  protected override sequencingState(always = false): string | undefined {
    const state = this.api.serializeSequencingState();
    const unchanged = state.replace(/"timestamp":"[^"]*"/g, '');
    if (unchanged === this.lastState && !always) {
      return undefined;
    }
    this.lastState = unchanged;
    return state;
  }

  /**
   * A commit of the running SCO. A terminating one is sent once `Terminate` has returned: the engine
   * processes the SCO's navigation request after the commit inside `Terminate`, and the state sent
   * must be the one after it (the next activity, or the suspended tree).
   */
  private onCommit(cmi: Json, terminate: boolean): void {
    const cur = this.current;
    if (!cur) {
      return;
    }
    const navRequest = terminate ? (this.lmsRequest ?? readNav(this.api)) : undefined;
    if (terminate) {
      cur.terminated = true;
      queueMicrotask(() => this.afterTerminate(cur));
    }
    const send = () => void this.transport.commit(cur.sco.itemId, cur.session, cmi, { terminate, navRequest, sequencingState: this.sequencingState(terminate) }).then((ok) => ok && this.announce(cur.sco.itemId, cur.session, cmi, terminate));
    if (terminate) {
      queueMicrotask(send);
    } else {
      send();
    }
    this.noteStatus(cur.sco.itemId, cmi);
  }

  /**
   * After the SCO's own Terminate: when the engine neither delivered another activity nor ended the
   * session (no request, or one it refused), the finished SCO makes way for a message rather than
   * staying on screen as if it were still running.
   */
  private afterTerminate(cur: Current): void {
    setTimeout(() => {
      if (this.busy || this.outcome || this.current !== cur) {
        return;
      }
      void this.blankFrame();
      this.renderToc();
      const v = this.validity;
      const canGo = !!v && (v.continue || v.previous || Object.values(v.choice).includes('true'));
      this.showMessage(canGo ? 'This activity is finished. Choose where to go next.' : 'There is nothing more to deliver in this course right now.');
    }, 0);
  }

  /** The engine delivered an activity or ended the session: acted on once the current call returns. */
  private expect(outcome: Outcome): void {
    this.outcome = outcome;
    if (!this.busy && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.settle();
      }, 0);
    }
  }

  private async settle(): Promise<void> {
    const o = this.outcome;
    if (!o || this.busy) {
      return;
    }
    this.outcome = null;
    if ('deliver' in o) {
      await this.deliver(o.deliver);
    } else {
      await this.endSession(o.end);
    }
  }

  /** A learner's request (buttons, table of contents); the LMS's request wins over the running SCO's. */
  override async navigate(request: string | undefined, target?: string): Promise<void> {
    if (!request || this.busy) {
      return;
    }
    this.busy = true;
    let reported: string | undefined;
    try {
      // A running SCO carries the request in its terminating commit (leaveCurrent); otherwise the state's save names it.
      const running = !!this.current && !this.current.terminated;
      await this.leaveCurrent(request);
      this.outcome = null;
      const accepted = this.api.processNavigationRequest(request, target);
      if (!accepted && !this.outcome) {
        this.renderToc();
      }
      reported = accepted && !running ? request : undefined;
    } finally {
      this.busy = false;
    }
    this.saveState(reported);
    await this.settle();
  }

  /**
   * The state after a navigation, when no commit has carried it (unchanged: nothing sent), with the
   * learner's request when no SCO was running to carry it (the server ends the attempt on exitAll).
   */
  private saveState(navRequest?: string): void {
    const state = this.sequencingState(!!navRequest);
    if (state) {
      void this.transport.saveState(this.current?.session ?? this.session, state, navRequest);
    }
  }

  /**
   * Empties the frame. A SCO that did not call Terminate is terminated by the player with the data it
   * set, its own navigation request cleared (the learner's wins); for "suspend all" its exit becomes
   * `suspend`, so its data is handed back on resume (RTE cmi.entry).
   */
  private async leaveCurrent(request?: string): Promise<void> {
    const cur = this.current;
    if (!cur) {
      return;
    }
    await this.blankFrame();
    if (!cur.terminated && isInitialized(cur.api)) {
      if (readNav(this.api) !== '_none_') {
        this.api.SetValue('adl.nav.request', '_none_');
      }
      if (request === 'suspendAll') {
        this.api.SetValue('cmi.exit', 'suspend');
      }
      this.lmsRequest = request;
      try {
        this.api.Terminate('');
      } finally {
        this.lmsRequest = undefined;
      }
    }
    this.current = null;
  }

  private async deliver(activityId: string): Promise<void> {
    this.busy = true;
    try {
      await this.leaveCurrent();
      const sco = this.b.scos.find((s) => s.itemId === activityId);
      if (!sco) {
        this.showEnd('There is nothing to deliver in this course right now.');
        return;
      }
      this.api.reset(this.engineSettings, { preserveListeners: true });
      const state = await this.fetchScoState(activityId);
      if (!state) {
        return;
      }
      const cmi = state.cmi;
      if (state.entry !== 'resume') {
        // The engine seeded cmi.objectives at reset (with statuses read through mapInfo).
        delete cmi.objectives;
      }
      this.api.loadFromJSON(cmi);
      this.current = { sco, session: ++this.session, api: this.api, terminated: false };
      if (sco.scormType === 'asset') {
        this.status.set(sco.itemId, 'completed');
      }
      this.message.hidden = true;
      this.message.textContent = '';
      this.renderToc();
      this.frame.src = sco.launchUrl;
    } finally {
      this.busy = false;
    }
    this.saveState();
    await this.settle();
  }

  private async endSession(reason: string): Promise<void> {
    await this.leaveCurrent();
    this.frame.removeAttribute('src');
    const text =
      reason === 'suspend_all'
        ? 'Your place is saved. You can close this page and continue later from your LMS.'
        : this.rootCompleted()
          ? 'You have completed this course.'
          : reason === 'end_of_content'
            ? 'You have reached the end of this course.'
            : 'You have left the course. You can close this page.';
    this.showEnd(text);
    this.validity = null;
    this.renderToc();
    this.saveState();
  }

  private engineRoot(): EngineActivity | null {
    return (this.api as unknown as { adl: { sequencing: { activityTree: { root: EngineActivity | null; currentActivity: EngineActivity | null } } } }).adl.sequencing.activityTree.root;
  }

  private rootCompleted(): boolean {
    return this.engineRoot()?.completionStatus === 'completed';
  }

  /**
   * The table of contents is the engine's tree (after selection and randomisation); an entry is enabled
   * when the engine says a choice of it is valid, and the list is hidden when no cluster allows choice.
   * Previous/Next follow the parent's flow and forwardOnly, `hideLMSUI` and the engine's look-ahead;
   * a one-activity course shows neither bar nor list.
   */
  protected override renderToc(): void {
    if (!this.tree || !this.api) {
      return;
    }
    const bar = document.getElementById('bridge-bar') as HTMLElement;
    const leaves = countLeaves(this.tree);
    bar.hidden = leaves <= 1;
    this.toc.hidden = leaves <= 1 || !anyChoice(this.tree);
    const current = this.current ? this.current.sco.itemId : null;
    this.toc.textContent = '';
    const v = this.validity;
    const walk = (a: EngineActivity, depth: number) => {
      for (const child of a.getAvailableChildren()) {
        if (!child.isVisible) {
          continue;
        }
        const btn = document.createElement('button');
        btn.type = 'button';
        btn.dataset.itemId = child.id;
        btn.style.paddingLeft = `${0.25 + depth}rem`;
        btn.textContent = `${child.completionStatus === 'completed' || this.status.get(child.id) === 'completed' ? '✓ ' : ''}${child.title}`;
        btn.setAttribute('aria-current', String(current === child.id));
        btn.disabled = v?.choice[child.id] !== 'true';
        btn.addEventListener('click', () => void this.navigate('choice', child.id));
        this.toc.appendChild(btn);
        walk(child, depth + 1);
      }
    };
    const root = this.engineRoot();
    if (root) {
      walk(root, 0);
    }
    const parent = current ? findParent(root, current) : null;
    const hide = new Set(v?.hideLmsUi ?? []);
    const prev = button('bridge-prev');
    const next = button('bridge-next');
    prev.hidden = !parent?.sequencingControls.flow || parent.sequencingControls.forwardOnly || hide.has('previous');
    next.hidden = !parent?.sequencingControls.flow || hide.has('continue');
    prev.disabled = !current || !v?.previous;
    next.disabled = !current || !v?.continue;
    const live = !!current;
    button('bridge-suspend').hidden = !live || hide.has('suspendAll');
    button('bridge-exit').hidden = !live || hide.has('exitAll');
    (document.getElementById('bridge-title') as HTMLElement).textContent = this.current?.sco.title ?? '';
  }
}

function countLeaves(a: Activity): number {
  return a.children?.length ? a.children.reduce((n, c) => n + countLeaves(c), 0) : 1;
}

function anyChoice(a: Activity): boolean {
  return !!a.children?.length && (a.sequencingControls.choice || a.children.some(anyChoice));
}

function findParent(root: EngineActivity | null, id: string): EngineActivity | null {
  if (!root) {
    return null;
  }
  for (const child of root.getAvailableChildren()) {
    if (child.id === id) {
      return root;
    }
    const found = findParent(child, id);
    if (found) {
      return found;
    }
  }
  return null;
}
