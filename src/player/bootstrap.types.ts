/**
 * The player page's inlined bootstrap: written by the server (src/player/player.controller.ts), read by
 * the browser runtime (player/src/bootstrap.ts). Types only, shared by both sides; never in a URL.
 */
export interface PlayerSco {
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

export interface PlayerBootstrap {
  attemptId: string;
  /** Short-lived bearer token scoped to this attempt; kept in page memory only. */
  token: string;
  tokenExpiresAt: number;
  scormVersion: '1.2' | '2004';
  title: string;
  preview: boolean;
  returnUrl: string | null;
  runtimeBase: string;
  startItemId: string;
  autocommitSeconds: number;
  /** MAX_SUSPEND_DATA_CHARS: the runtime accepts suspend_data up to this length (player/build.mjs patches scorm-again). */
  maxSuspendDataChars: number;
  scos: PlayerSco[];
}
