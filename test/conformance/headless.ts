/**
 * The one list of CTS cases that cannot pass in a headless replay by their nature. A listed case is
 * still replayed: if it passes it counts as passed; if it fails the runner prints
 * `HEADLESS <case> — <reason> (replay: <why>)` and counts it apart from the failures
 * (docs/sequencing.md, "Conformance replayer").
 */
export const NOT_HEADLESS: Readonly<Record<string, string>> = {};
