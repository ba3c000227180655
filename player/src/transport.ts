import { diffCmi } from './cmi-diff';

type Json = { [key: string]: unknown };

export interface CommitOptions {
  terminate?: boolean;
  unload?: boolean;
  navRequest?: string;
  /** SCORM 2004 with sequencing: the engine's serializeSequencingState(), saved with the commit (docs/sequencing.md). */
  sequencingState?: string;
}

export type TransportProblem = 'expired' | 'refused';

/** Keepalive fetches and beacons share a ~64 KB budget per page (Fetch standard, "keepalive"). */
const KEEPALIVE_BUDGET = 60_000;

/**
 * Sends runtime commits to the server: bearer token in a header (never in a URL), an increasing
 * sequence number on every commit, keepalive fetch so a commit survives the page going away, and
 * sendBeacon with the token in the body as the last resort on unload. When the token has expired the
 * unsent data is kept in localStorage and replayed by the next launch (issue 4: nothing is lost).
 */
export class Transport {
  private seq = 0;
  private inflight = new Map<string, Promise<boolean>>();
  private acked = new Map<string, Json>();
  private stopped: TransportProblem | null = null;
  private keepaliveBytes = 0;

  constructor(
    private readonly base: string,
    private token: string,
    private readonly attemptId: string,
    private readonly onProblem: (p: TransportProblem, message: string) => void,
    private readonly storage: Storage | null = safeStorage(),
  ) {}

  get problem(): TransportProblem | null {
    return this.stopped;
  }

  private stashKey(): string {
    return `scorm-bridge:pending:${this.attemptId}`;
  }

  /**
   * Queues a commit for one SCO session; commits of one SCO go out in order. Resolves true when the
   * server acknowledged this commit (an unload commit resolves when the earlier ones are answered, false).
   */
  commit(itemId: string, session: number, cmi: Json, opts: CommitOptions = {}): Promise<boolean> {
    const seq = ++this.seq;
    const key = `${itemId}#${session}`;
    const prev = this.inflight.get(itemId) ?? Promise.resolve();
    const body = { session, seq, terminate: !!opts.terminate, unload: !!opts.unload, cmi, navRequest: opts.navRequest, sequencingState: opts.sequencingState };
    if (opts.unload) {
      // The page is going away: send now, do not wait for earlier commits.
      this.sendUnload(itemId, key, body);
      return prev.then(() => false);
    }
    // A terminating commit goes out at once (the page may be closing); the server orders by seq anyway.
    const next = opts.terminate
      ? Promise.all([prev, this.send(itemId, key, body)]).then(
          ([, ok]) => ok,
          () => false,
        )
      : prev.then(() => this.send(itemId, key, body)).catch(() => false);
    this.inflight.set(itemId, next);
    return next;
  }

  /**
   * Saves the sequencing engine's state when no SCO commit carries it (docs/sequencing.md, "The player
   * contract"), with the learner's navigation request it follows when no SCO was running to carry it
   * (`navRequest`): `seq` from the commit counter, so the server keeps the newest. Best effort: a state that
   * does not get through is sent again with the next terminating or unload commit.
   */
  saveState(session: number, sequencingState: string, navRequest?: string): Promise<void> {
    if (this.stopped) {
      return Promise.resolve();
    }
    const text = JSON.stringify({ session, seq: ++this.seq, sequencingState, navRequest });
    const keepalive = this.keepaliveBytes + text.length < KEEPALIVE_BUDGET;
    if (keepalive) {
      this.keepaliveBytes += text.length;
    }
    return fetch(`${this.base}/sequencing`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
      body: text,
      keepalive,
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (keepalive) {
          this.keepaliveBytes -= text.length;
        }
      });
  }

  /** The attempt's course result as the server records it (`GET <runtimeBase>/result`); null when it cannot be read. */
  async courseResult(): Promise<Json | null> {
    const res = await fetch(`${this.base}/result`, { headers: { Authorization: `Bearer ${this.token}` }, credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' }).catch(() => null);
    return res?.ok ? ((await res.json().catch(() => null)) as Json | null) : null;
  }

  /** Resolves when every queued commit for the item has been answered. */
  settle(itemId: string): Promise<void> {
    return (this.inflight.get(itemId) ?? Promise.resolve()).then(() => undefined);
  }

  private url(itemId: string): string {
    return `${this.base}/scos/${encodeURIComponent(itemId)}/commit`;
  }

  private async send(itemId: string, key: string, body: Json & { cmi: Json }, attempt = 0): Promise<boolean> {
    if (this.stopped) {
      this.stash(itemId, body);
      return false;
    }
    const text = JSON.stringify(body);
    // keepalive lets a commit outlive the page, within a ~64 KB budget shared by every keepalive request
    // in flight: a commit that would overrun it, or a retry, goes without.
    const keepalive = attempt === 0 && this.keepaliveBytes + text.length < KEEPALIVE_BUDGET;
    let res: Response;
    try {
      if (keepalive) {
        this.keepaliveBytes += text.length;
      }
      res = await fetch(this.url(itemId), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
        body: text,
        keepalive,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      if (attempt < 5) {
        await new Promise((r) => setTimeout(r, attempt === 0 ? 0 : 500 * 2 ** attempt));
        return this.send(itemId, key, body, attempt + 1);
      }
      this.stash(itemId, body);
      return false;
    } finally {
      if (keepalive) {
        this.keepaliveBytes -= text.length;
      }
    }
    if (res.ok) {
      this.acked.set(key, body.cmi);
      return true;
    }
    const err = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    if (res.status === 401) {
      this.stopped = 'expired';
      this.stash(itemId, body);
      this.onProblem('expired', err.message ?? 'Your session has expired; relaunch the course from your LMS to continue.');
      return false;
    }
    if (res.status >= 500 && attempt < 5) {
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      return this.send(itemId, key, body, attempt + 1);
    }
    this.onProblem('refused', err.message ?? `The server refused to save your progress (${res.status}).`);
    return false;
  }

  private sendUnload(itemId: string, key: string, body: Json & { cmi: Json }): void {
    if (this.stopped) {
      this.stash(itemId, body);
      return;
    }
    let payload: Json = body;
    let text = JSON.stringify(payload);
    if (text.length >= KEEPALIVE_BUDGET) {
      payload = { ...body, cmi: diffCmi(body.cmi, this.acked.get(key)) };
      text = JSON.stringify(payload);
    }
    try {
      void fetch(this.url(itemId), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
        body: text,
        keepalive: true,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      }).catch(() => this.beacon(itemId, payload));
    } catch {
      this.beacon(itemId, payload);
    }
  }

  /** sendBeacon cannot set headers: the token travels in the (text/plain) body. */
  private beacon(itemId: string, payload: Json): void {
    if (typeof navigator.sendBeacon === 'function') {
      navigator.sendBeacon(this.url(itemId), new Blob([JSON.stringify({ ...payload, token: this.token })], { type: 'text/plain' }));
    }
  }

  private stash(itemId: string, body: Json): void {
    if (!this.storage) {
      return;
    }
    try {
      const all = JSON.parse(this.storage.getItem(this.stashKey()) ?? '{}') as Record<string, Json>;
      all[itemId] = { cmi: body.cmi, terminate: body.terminate, seq: body.seq, sequencingState: body.sequencingState };
      this.storage.setItem(this.stashKey(), JSON.stringify(all));
    } catch {
      /* storage full or blocked: the in-memory copy is all we have */
    }
  }

  /**
   * Sends data a previous launch could not deliver (expired token, failed unload) before any SCO
   * starts, so the state fetched next includes it. Its session number 0 is never used by a SCO launch.
   */
  async replayStash(): Promise<void> {
    if (!this.storage) {
      return;
    }
    let all: Record<string, Json>;
    try {
      all = JSON.parse(this.storage.getItem(this.stashKey()) ?? '{}') as Record<string, Json>;
    } catch {
      return;
    }
    for (const [itemId, entry] of Object.entries(all)) {
      await this.commit(itemId, 0, entry.cmi as Json, { terminate: false, sequencingState: entry.sequencingState as string | undefined });
    }
    if (!this.stopped) {
      this.storage.removeItem(this.stashKey());
    }
  }
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
