/**
 * The one list of CTS cases that cannot pass in a headless replay by their nature. A listed case is
 * still replayed: if it passes it counts as passed; if it fails the runner prints
 * `HEADLESS <case> — <reason> (replay: <why>)` and counts it apart from the failures
 * (docs/sequencing.md, "Conformance replayer").
 */
export const NOT_HEADLESS: Readonly<Record<string, string>> = {
  'SX-11c':
    "reads the learner's global objective gObj-SX11 (raw 7, min 1, max 3.3333, progress 0.011) that an earlier case of ADL's suite writes, a case not among these: shared global objectives are the learner's across packages (SCORM 2004 4th Ed. SN: Objectives Global to System, default true, and the tracking model, SN 4.2), so the case passes only in a run that replays that writer before it",
};
