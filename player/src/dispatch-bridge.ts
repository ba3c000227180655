import { changedRecords, lmsRecords, scoErrorCode } from './dispatch-records';
import { CourseResultJson, courseTracking, relayedValues, ScormVersion, scoTracking, trackingValues } from './dispatch-values';

/**
 * The bridge page of a dispatch (content origin; src/dispatch/README.md). Framed by the package's
 * launch page on the LMS's origin, it:
 * 1. checks who framed it: the `lms` origin the package page declared must be its parent's origin
 *    (`location.ancestorOrigins` where the browser has it), and only the parent window on that
 *    origin may hand-shake; the hand-shake brings a private MessageChannel port;
 * 2. asks the server for the launch with the LMS learner (licence checks; a refusal is shown here,
 *    inside the LMS frame);
 * 3. frames the player (same origin) and relays each commit the bridge server acknowledged to the
 *    LMS, in the LMS API's data model, through the port.
 */
interface BridgeConfig {
  launchUrl: string;
  title: string;
}

/** What the player posts to a same-origin parent when a SCO starts: its launch data. */
interface LaunchedMessage {
  type: 'scorm-bridge:launched';
  scormVersion: ScormVersion;
  itemId: string;
  cmi: Record<string, unknown>;
}

/** What the player posts to a same-origin parent after the server acknowledged a commit (player/src/player.ts). */
export interface CommittedMessage {
  type: 'scorm-bridge:committed';
  scormVersion: ScormVersion;
  itemId: string;
  /** The SCO session (one launch of the SCO in this player). */
  session: number;
  cmi: Record<string, unknown>;
  terminate: boolean;
  /** The course has one launchable SCO: its end is the course's end. */
  single: boolean;
  /** Several SCOs: the course's result as the server records it after this commit (null if it could not be read). */
  course: CourseResultJson | null;
}

const status = document.getElementById('dispatch-status') as HTMLElement;
const cfg = JSON.parse(document.getElementById('dispatch-bridge-config')?.textContent ?? '{}') as BridgeConfig;

function show(title: string, detail?: string, code?: string): void {
  status.textContent = '';
  const h = document.createElement('h1');
  h.textContent = title;
  status.appendChild(h);
  if (detail) {
    const p = document.createElement('p');
    p.textContent = detail;
    status.appendChild(p);
  }
  if (code) {
    const p = document.createElement('p');
    p.append('Error code: ');
    const c = document.createElement('code');
    c.dataset.errorCode = '';
    c.textContent = code;
    p.appendChild(c);
    status.appendChild(p);
  }
  status.hidden = false;
}

/**
 * The LMS page's origin as the package page declared it, if it is an origin and agrees with what the
 * browser says framed us; "null" (an opaque origin's serialization) when the page that framed us has
 * no origin (a sandbox without allow-same-origin): nothing from it can be told apart from any other
 * page's, so it is not answered.
 */
function lmsOrigin(): string | null {
  const declared = new URLSearchParams(location.search).get('lms') ?? '';
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (declared === 'null' || (ancestors && ancestors.length > 0 && ancestors[0] === 'null')) {
    return 'null';
  }
  let origin: string;
  try {
    origin = new URL(declared).origin;
  } catch {
    return null;
  }
  if (origin !== declared || origin === 'null' || window.parent === window) {
    return null;
  }
  if (ancestors && ancestors.length > 0 && ancestors[0] !== origin) {
    return null;
  }
  return origin;
}

async function start(lms: string, scorm: ScormVersion, learner: { id: string; name: string }, resume: { location: string; suspendData: string } | null, port: MessagePort): Promise<void> {
  if (!learner.id) {
    show('Your LMS did not say who you are.', 'It gave no learner id to this course, so your progress could not be kept. Please let your training contact know.', 'dispatch_launch_invalid');
    return;
  }
  const res = await fetch(cfg.launchUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ learnerId: learner.id, learnerName: learner.name || null, lmsLocation: resume?.location || null, lmsSuspendData: resume?.suspendData || null, lmsOrigin: lms }),
    credentials: 'omit',
  }).catch(() => null);
  const body = (await res?.json().catch(() => null)) as { playerUrl?: string; error?: string; message?: string } | null;
  if (!res?.ok || !body?.playerUrl) {
    show(body?.message ?? 'The course could not be opened. Please try again later.', undefined, body?.error ?? 'dispatch_unavailable');
    return;
  }
  const player = document.createElement('iframe');
  player.id = 'dispatch-player';
  player.title = cfg.title;
  player.allow = 'fullscreen; autoplay';
  let next = 0;
  const acks = ((window as unknown as { dispatchAcks?: unknown[] }).dispatchAcks = [] as unknown[]);
  /** The SCO and version of each 'set' awaiting its ack: the LMS's refusals go back to that SCO. */
  const waiting = new Map<number, { itemId: string; version: ScormVersion }>();
  port.onmessage = (e) => {
    const ack = e.data as { id?: number; refused?: Array<[string, string]> };
    acks.push(ack);
    const from = waiting.get(ack.id ?? -1);
    waiting.delete(ack.id ?? -1);
    const codes = (ack.refused ?? []).map(([, code]) => scoErrorCode(scorm, from?.version ?? scorm, code)).filter((c): c is number => c !== null);
    if (from && codes.length > 0) {
      player.contentWindow?.postMessage({ type: 'scorm-bridge:lms-refused', itemId: from.itemId, code: codes[0], refused: ack.refused }, location.origin);
    }
  };
  // Interactions, objectives and comments already relayed (or in the SCO's launch data), by record key and field.
  const sent = new Map<string, Map<string, string>>();
  const launches = new Map<string, number>();
  const scope = (itemId: string) => `${itemId}@${launches.get(itemId) ?? 0}`;
  // Several SCOs: the LMS's one SCO carries the course's result and the time of every SCO session so far.
  const sessions = new Map<string, number>();
  const lmsValues = (m: CommittedMessage): Array<[string, string]> => {
    if (m.single) {
      return relayedValues(m.scormVersion, scorm, m.cmi);
    }
    const seconds = scoTracking(m.scormVersion, m.cmi).sessionSeconds;
    if (seconds !== undefined) {
      sessions.set(`${m.itemId}#${m.session}`, seconds);
    }
    const total = sessions.size ? [...sessions.values()].reduce((a, b) => a + b, 0) : undefined;
    return m.course ? trackingValues(courseTracking(m.course, total), scorm) : [];
  };
  window.addEventListener('message', (e) => {
    const m = e.data as CommittedMessage | LaunchedMessage;
    if (e.source !== player.contentWindow || e.origin !== location.origin) {
      return;
    }
    if (m?.type === 'scorm-bridge:launched') {
      // A SCO starts: what its launch data holds, the LMS got before (or it is the bridge's own record).
      launches.set(m.itemId, (launches.get(m.itemId) ?? 0) + 1);
      changedRecords(lmsRecords(scope(m.itemId), m.scormVersion, scorm, m.cmi), sent);
      return;
    }
    if (m?.type === 'scorm-bridge:committed') {
      const records = changedRecords(lmsRecords(scope(m.itemId), m.scormVersion, scorm, m.cmi), sent);
      waiting.set(++next, { itemId: m.itemId, version: m.scormVersion });
      port.postMessage({ type: 'set', id: next, values: lmsValues(m), records, finish: m.terminate && m.single });
    }
  });
  status.hidden = true;
  player.src = body.playerUrl;
  document.body.appendChild(player);
}

function main(): void {
  const lms = lmsOrigin();
  if (lms === 'null') {
    show(
      'Your LMS opened this course in a frame without an origin.',
      'The course exchanges your progress only with a page whose origin it can check, and a sandboxed frame has none. Please ask your LMS administrator to let SCORM content keep its origin (sandbox "allow-same-origin") or to open it in a new window.',
      'dispatch_frame_sandboxed',
    );
    return;
  }
  if (!lms) {
    show('This course opens only inside your LMS.', 'Open it from the course in your LMS; this page cannot be used on its own.', 'dispatch_launch_invalid');
    return;
  }
  let started = false;
  window.addEventListener('message', (e) => {
    const m = e.data as { type?: string; v?: number; scorm?: ScormVersion; learner?: { id?: unknown; name?: unknown }; resume?: { location?: unknown; suspendData?: unknown } | null };
    if (started || e.source !== window.parent || e.origin !== lms || m?.type !== 'scorm-dispatch:hello' || !e.ports[0]) {
      return;
    }
    started = true;
    const scorm: ScormVersion = m.scorm === '2004' ? '2004' : '1.2';
    const learner = { id: typeof m.learner?.id === 'string' ? m.learner.id : '', name: typeof m.learner?.name === 'string' ? m.learner.name : '' };
    const text = (x: unknown) => (typeof x === 'string' ? x : '');
    const resume = m.resume ? { location: text(m.resume.location), suspendData: text(m.resume.suspendData) } : null;
    void start(lms, scorm, learner, resume, e.ports[0]);
  });
  window.parent.postMessage({ type: 'scorm-dispatch:ready', v: 1 }, lms);
}

main();
