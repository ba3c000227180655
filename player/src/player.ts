import type { Scorm12API, Scorm2004API } from 'scorm-again';
import { Bootstrap, readBootstrap, ScoEntry } from './bootstrap';
import { Transport } from './transport';

export type Json = { [key: string]: unknown };
export type AnyApi = Scorm12API | Scorm2004API;
/** The runtime of the bundle (player/build.mjs builds one per SCORM version): makes a SCO's API. */
export type CreateApi = (settings: Record<string, unknown>) => AnyApi;

export interface Current {
  sco: ScoEntry;
  session: number;
  api: AnyApi;
  terminated: boolean;
  navRequest?: string;
}

/**
 * The player shell (player/README.md): one SCO at a time in an iframe of this page (same content origin),
 * window.API / window.API_1484_11 provided by scorm-again behind our transport, a TOC with
 * previous/next for multi-SCO courses, and commits on Commit, Terminate, periodically and on pagehide.
 */
export class Player {
  protected readonly transport: Transport;
  /** The dispatch announcements in commit order (see {@link announce}). */
  private announced: Promise<void> = Promise.resolve();
  protected current: Current | null = null;
  protected session = 0;
  protected readonly frame = document.getElementById('bridge-frame') as HTMLIFrameElement;
  protected readonly message = document.getElementById('bridge-message') as HTMLElement;
  protected readonly toc = document.getElementById('bridge-toc') as HTMLElement;
  protected readonly status = new Map<string, string>();
  /** A dispatch LMS's refusal of a value relayed from a SCO, answered to that SCO's next Commit (see {@link commitAnswer}). */
  private readonly lmsRefusals = new Map<string, number>();

  constructor(
    protected readonly b: Bootstrap,
    protected readonly createApiOf: CreateApi,
  ) {
    this.transport = new Transport(b.runtimeBase, b.token, b.attemptId, (_p, msg) => this.showMessage(msg));
    window.addEventListener('message', (e) => {
      const m = e.data as { type?: string; itemId?: unknown; code?: unknown };
      if (e.source === window.parent && window.parent !== window && e.origin === location.origin && m?.type === 'scorm-bridge:lms-refused' && typeof m.itemId === 'string' && typeof m.code === 'number') {
        this.lmsRefusals.set(m.itemId, m.code);
      }
    });
    for (const s of b.scos) {
      this.status.set(s.itemId, s.completionStatus);
    }
  }

  get launchable(): ScoEntry[] {
    return this.b.scos.filter((s) => s.isVisible);
  }

  async start(): Promise<void> {
    this.renderToc();
    button('bridge-prev').addEventListener('click', () => void this.step(-1));
    button('bridge-next').addEventListener('click', () => void this.step(1));
    await this.setup();
    await this.launch(this.b.startItemId);
  }

  /** Unload commits, the expiry message and the replay of data an earlier launch could not send. */
  protected async setup(): Promise<void> {
    window.addEventListener('pagehide', () => this.flush(true));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        this.flush(false);
      }
    });
    const expiresIn = this.b.tokenExpiresAt - Date.now();
    if (expiresIn > 0 && expiresIn < 2 ** 31) {
      setTimeout(() => this.showMessage('Your session has expired. Relaunch the course from your LMS to continue; your progress so far is saved.'), expiresIn);
    }
    await this.transport.replayStash();
  }

  /** Sends what the running SCO has not committed: a keepalive/beacon commit when the page goes away. */
  protected flush(unload: boolean): void {
    const cur = this.current;
    if (!cur || cur.terminated || !isInitialized(cur.api)) {
      return;
    }
    const cmi = renderCmi(cur.api);
    void this.transport.commit(cur.sco.itemId, cur.session, cmi, { unload, sequencingState: this.sequencingState(true) });
  }

  /** The engine state to send with a commit (SCORM 2004 with sequencing only); `always`: even when unchanged. */
  protected sequencingState(_always = false): string | undefined {
    return undefined;
  }

  showMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = false;
  }

  protected renderToc(): void {
    this.toc.textContent = '';
    for (const s of this.launchable) {
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.dataset.itemId = s.itemId;
      btn.style.paddingLeft = `${0.25 + s.depth}rem`;
      const done = this.status.get(s.itemId) === 'completed';
      btn.textContent = `${done ? '✓ ' : ''}${s.title}`;
      btn.setAttribute('aria-current', String(this.current?.sco.itemId === s.itemId));
      btn.addEventListener('click', () => void this.launch(s.itemId));
      this.toc.appendChild(btn);
    }
    const cur = this.current?.sco;
    const list = this.launchable;
    const i = cur ? list.findIndex((s) => s.itemId === cur.itemId) : -1;
    const prev = button('bridge-prev');
    const next = button('bridge-next');
    prev.disabled = i <= 0;
    next.disabled = i < 0 || i >= list.length - 1;
    prev.hidden = !!cur?.hideLmsUi.includes('previous');
    next.hidden = !!cur?.hideLmsUi.includes('continue');
    (document.getElementById('bridge-title') as HTMLElement).textContent = cur?.title ?? '';
  }

  private async step(delta: number): Promise<void> {
    const list = this.launchable;
    const i = list.findIndex((s) => s.itemId === this.current?.sco.itemId);
    const target = list[i + delta];
    if (target) {
      await this.launch(target.itemId);
    }
  }

  /** Ends the running SCO (its own unload handlers may call Finish), then launches another with its own CMI state. */
  async launch(itemId: string): Promise<void> {
    const sco = this.b.scos.find((s) => s.itemId === itemId);
    if (!sco) {
      return;
    }
    await this.unloadCurrent();
    const session = ++this.session;
    const state = await this.fetchScoState(itemId);
    if (!state) {
      return;
    }
    const api = this.createApi(sco, session, state.cmi);
    this.current = { sco, session, api, terminated: false };
    if (sco.scormType === 'asset' && this.status.get(itemId) !== 'completed') {
      this.status.set(itemId, 'completed');
    }
    this.renderToc();
    this.frame.src = sco.launchUrl;
  }

  protected async unloadCurrent(): Promise<void> {
    const cur = this.current;
    if (!cur) {
      return;
    }
    await this.blankFrame();
    if (!cur.terminated && isInitialized(cur.api)) {
      // The SCO was left without LMSFinish/Terminate: keep what it set (player/README.md).
      await this.transport.commit(cur.sco.itemId, cur.session, renderCmi(cur.api), { unload: false });
    }
    await this.transport.settle(cur.sco.itemId);
    this.current = null;
  }

  /** Empties the content frame; resolves once the SCO's own unload handlers have run (at most 2 s). */
  protected blankFrame(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => resolve();
      this.frame.addEventListener('load', done, { once: true });
      this.frame.src = 'about:blank';
      setTimeout(done, 2000);
    });
  }

  /** The data a SCO starts with, from the server (null after showing why it could not be read). */
  protected async fetchScoState(itemId: string): Promise<{ cmi: Json; entry: string } | null> {
    const res = await fetch(`${this.b.runtimeBase}/scos/${encodeURIComponent(itemId)}`, {
      headers: { Authorization: `Bearer ${this.b.token}`, Accept: 'application/json' },
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (!res.ok) {
      const err = (await res.json().catch(() => ({}))) as { message?: string };
      this.showMessage(err.message ?? 'This activity could not be opened. Relaunch the course from your LMS.');
      return null;
    }
    const state = (await res.json()) as { cmi: Json; entry: string };
    this.tellBridge(() => ({ type: 'scorm-bridge:launched', scormVersion: this.b.scormVersion, itemId, cmi: state.cmi }));
    return state;
  }

  /**
   * What scorm-again's commit gets back: a refusal a dispatch's LMS gave to a value this SCO set earlier
   * (its error code in the SCO's version), once, on a commit that does not end the SCO (a failed
   * Terminate would leave the SCO running); otherwise success.
   */
  commitAnswer(itemId: string, terminate: boolean): { result: boolean; errorCode: number } {
    const code = terminate ? undefined : this.lmsRefusals.get(itemId);
    if (code === undefined) {
      return { result: true, errorCode: 0 };
    }
    this.lmsRefusals.delete(itemId);
    return { result: false, errorCode: code };
  }

  /** scorm-again's settings shared by every SCO launch; `httpService` sends its commits through our transport. */
  protected apiSettings(httpService: unknown): Record<string, unknown> {
    return {
      // scorm-again wants a commit URL; httpService sends every commit (transport.ts picks the SCO's URL).
      lmsCommitUrl: `${this.b.runtimeBase}/scos`,
      httpService,
      autocommit: true,
      autocommitSeconds: this.b.autocommitSeconds,
      sendFullCommit: true,
      renderCommonCommitFields: false,
      mastery_override: true,
      logLevel: 5 as const,
      scoItemIds: this.b.scos.map((s) => s.itemId),
    };
  }

  protected setWindowApi(api: AnyApi): void {
    const w = window as unknown as { API?: AnyApi; API_1484_11?: AnyApi };
    if (this.b.scormVersion === '2004') {
      w.API_1484_11 = api;
    } else {
      w.API = api;
    }
  }

  private createApi(sco: ScoEntry, session: number, cmi: Json): AnyApi {
    const transport = this.transport;
    // scorm-again calls processHttpRequest with its own `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const player = this;
    const is2004 = this.b.scormVersion === '2004';
    let current: Current | null = null;
    const httpService = {
      processHttpRequest(_url: string, params: unknown, _immediate: boolean, _log: unknown, _listeners: unknown, meta?: { isTerminateCommit?: boolean }) {
        const body = (params as { cmi?: Json }).cmi ?? (params as Json);
        const terminate = !!meta?.isTerminateCommit;
        const nav = terminate && is2004 ? readNav(api) : undefined;
        if (terminate && current) {
          current.terminated = true;
          current.navRequest = nav;
        }
        void transport.commit(sco.itemId, session, body, { terminate, navRequest: nav }).then((ok) => ok && player.announce(sco.itemId, session, body, terminate));
        player.noteStatus(sco.itemId, body);
        return player.commitAnswer(sco.itemId, terminate);
      },
      updateSettings() {
        /* settings are fixed per SCO launch */
      },
    };
    const api = this.createApiOf(this.apiSettings(httpService));
    api.loadFromJSON(cmi);
    this.setWindowApi(api);
    const onEnd = () => {
      if (current) {
        current.terminated = true;
      }
      if (is2004) {
        setTimeout(() => void player.navigate(current?.navRequest ?? readNav(api)), 0);
      }
    };
    api.on(is2004 ? 'Terminate' : 'LMSFinish', onEnd);
    // The Current record is created by launch(); link it for the callbacks above.
    queueMicrotask(() => {
      current = this.current && this.current.api === api ? this.current : null;
    });
    return api;
  }

  /**
   * Tells a parent page on this same origin (a dispatch's bridge page, src/dispatch/README.md) about a
   * commit the server acknowledged, so it can relay the values to the LMS. In an ordinary LTI launch the
   * parent is the LMS on another origin, and the browser delivers nothing to it.
   */
  announce(itemId: string, session: number, cmi: Json, terminate: boolean): void {
    const single = this.launchable.length <= 1;
    // Several SCOs: the LMS sees one, so it gets the course's result as the server records it.
    this.tellBridge(async () => ({ type: 'scorm-bridge:committed', scormVersion: this.b.scormVersion, itemId, session, cmi, terminate, single, course: single ? null : await this.transport.courseResult() }));
  }

  /** Posts to a dispatch's bridge page (a parent on this origin), in the order of the calls; nothing without one. */
  private tellBridge(message: () => Json | Promise<Json>): void {
    if (sameOriginParent()) {
      this.announced = this.announced.then(async () => window.parent.postMessage(await message(), location.origin));
    }
  }

  noteStatus(itemId: string, cmi: Json): void {
    const core = (cmi.core as Json | undefined) ?? {};
    const raw = cmi.completion_status ?? core.lesson_status;
    const s = typeof raw === 'string' ? raw : '';
    if (s === 'completed' || s === 'passed' || s === 'failed') {
      if (this.status.get(itemId) !== 'completed') {
        this.status.set(itemId, 'completed');
        this.renderToc();
      }
    }
  }

  /** SCORM 2004 adl.nav.request after Terminate, without a sequencing engine (player/README.md). */
  async navigate(request: string | undefined): Promise<void> {
    if (!request || request === '_none_') {
      return;
    }
    const choice = /^\{target=([^}]+)\}(choice|jump)$/.exec(request);
    if (choice) {
      return this.launch(choice[1]);
    }
    if (request === 'continue') {
      return this.step(1);
    }
    if (request === 'previous') {
      return this.step(-1);
    }
    if (request === 'exit' || request === 'abandon') {
      await this.unloadCurrent();
      this.renderToc();
      return;
    }
    if (request === 'exitAll' || request === 'suspendAll' || request === 'abandonAll') {
      await this.unloadCurrent();
      this.showEnd(request === 'suspendAll' ? 'Your place is saved. You can close this page.' : 'You have left the course. You can close this page.');
    }
  }

  /** A message in place of the content, with the LMS's return link when it gave one. */
  protected showEnd(text: string): void {
    this.showMessage(text);
    if (this.b.returnUrl) {
      const a = document.createElement('a');
      a.href = this.b.returnUrl;
      a.target = '_top';
      a.textContent = ' Return to the course';
      this.message.appendChild(a);
    }
  }
}

export function button(id: string): HTMLButtonElement {
  return document.getElementById(id) as HTMLButtonElement;
}

export function isInitialized(api: AnyApi): boolean {
  return (api as unknown as { currentState?: number }).currentState === 1;
}

export function renderCmi(api: AnyApi): Json {
  const out = api.renderCommitCMI(false) as Json;
  return (out.cmi as Json) ?? out;
}

export function readNav(api: AnyApi): string | undefined {
  return (api as unknown as { adl?: { nav?: { request?: string } } }).adl?.nav?.request;
}

/** Reads the bootstrap, sets the suspend_data limit (player/build.mjs) and starts the player it asks for. */
export function startPlayer(make: (b: Bootstrap) => Player): void {
  const bootstrap = readBootstrap(document);
  (globalThis as { __bridgeMaxSuspendDataChars?: number }).__bridgeMaxSuspendDataChars = bootstrap.maxSuspendDataChars;
  const player = make(bootstrap);
  (window as unknown as { bridgePlayer?: Player }).bridgePlayer = player;
  void player.start();
}

/** A parent page on this origin (a dispatch's bridge page); an LMS's page on another origin is none. */
function sameOriginParent(): boolean {
  try {
    return window.parent !== window && window.parent.location.origin === location.origin;
  } catch {
    return false;
  }
}
