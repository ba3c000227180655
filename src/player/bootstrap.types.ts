import type { CompiledSequencing } from '../sequencing/sequencing.types';

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

/**
 * SCORM 2004 sequencing for the player's engine (docs/sequencing.md, "The player contract").
 *
 * Start: `new Scorm2004API({ …, sequencing: { activityTree: settings.activityTree, … } })`, then
 * `deserializeSequencingState(state)` when `state` is not null, then `processNavigationRequest('resumeAll')`
 * and, if that is refused, `'start'`. The server has already merged into `state` the learner-wide
 * global objectives (when `settings.objectivesGlobalToSystem`) and `adl.data` stores (when
 * `settings.sharedDataGlobalToSystem`), and has turned a tree left active by a closed tab (no
 * "suspend all") into a suspended one, so `resumeAll` delivers where the learner was (scorm-again
 * issue #1701); the player does not merge or repair anything itself.
 *
 * Saving: the player sends `serializeSequencingState()` as `sequencingState` (a string, at most
 * {@link MAX_SEQUENCING_STATE_CHARS} characters) in the commit body of
 * `POST runtime/attempts/:attemptId/scos/:itemId/commit` — at least with every terminating commit,
 * and with the unload commit — and it is stored in the same transaction as that commit's CMI data.
 * When the tree changes with no SCO commit to carry it (a navigation between SCOs after the last
 * commit, an asset delivered, exit all / suspend all from the player's own controls, the end of the
 * course), the player posts `{ session, seq, sequencingState, navRequest? }` to
 * `POST runtime/attempts/:attemptId/sequencing` (same bearer token, or `token` in the body for a
 * beacon; `seq` from the same counter as commits: a state older than the last one stored is ignored,
 * answered `{ applied: false, reason: 'stale' }`). `navRequest`: the learner's accepted request when
 * no SCO was running to carry it in its terminating commit; `exitAll`/`abandonAll` end the course
 * attempt. Refusals: 413 `sequencing_state_too_large`, 400 `sequencing_state_invalid` (not a string,
 * not the engine's JSON object, a `navRequest` that is not text), 400 `sequencing_not_used` (a SCORM
 * 1.2 course).
 *
 * The state is the browser's view, used to resume navigation: the grade is worked out by the server
 * from the SCOs' stored data with its own engine run (which takes from this text only the clusters'
 * random selections, checked against the course), and the learner-wide global objectives are taken
 * from that server run, not from this text.
 */
export interface PlayerSequencing {
  /** The version's compiled sequencing, exactly the engine's input (`activityTree`) with the organization's flags. */
  settings: CompiledSequencing;
  /** The engine's `serializeSequencingState()` text for this attempt with the learner-wide stores merged in; null on a first launch with nothing to restore. */
  state: string | null;
}

/** The longest `sequencingState` the runtime stores (characters). */
export const MAX_SEQUENCING_STATE_CHARS = 1_000_000;

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
  /** null for SCORM 1.2 (and a 2004 version stored without compiled sequencing); see {@link PlayerSequencing}. */
  sequencing: PlayerSequencing | null;
}
