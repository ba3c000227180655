/** The JSON the server inlines in the player page (src/player/player-page.ts PlayerBootstrap). */
export interface ScoEntry {
  itemId: string;
  title: string;
  depth: number;
  launchUrl: string;
  scormType: 'sco' | 'asset';
  isVisible: boolean;
  hideLmsUi: string[];
  completionStatus: string;
  successStatus: string;
}

export interface Bootstrap {
  attemptId: string;
  token: string;
  tokenExpiresAt: number;
  scormVersion: '1.2' | '2004';
  title: string;
  preview: boolean;
  returnUrl: string | null;
  runtimeBase: string;
  startItemId: string;
  autocommitSeconds: number;
  /** The server's suspend_data cap (MAX_SUSPEND_DATA_CHARS), applied by the patched runtime (build.mjs). */
  maxSuspendDataChars: number;
  scos: ScoEntry[];
}

/** Reads and removes the inlined bootstrap so the token lives only in this script's memory. */
export function readBootstrap(doc: Document): Bootstrap {
  const el = doc.getElementById('bridge-bootstrap');
  if (!el || !el.textContent) {
    throw new Error('Player bootstrap missing');
  }
  const data = JSON.parse(el.textContent) as Bootstrap;
  el.remove();
  return data;
}
