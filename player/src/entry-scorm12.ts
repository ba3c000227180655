import type { Scorm12API as Scorm12ApiType } from 'scorm-again';
import * as runtime from 'scorm-again/scorm12';
import { Player, startPlayer } from './player';

// The package's typings declare a default export; its ESM file exports the class by name.
const { Scorm12API } = runtime as unknown as { Scorm12API: new (settings: Record<string, unknown>) => Scorm12ApiType };

/** The SCORM 1.2 bundle (player-scorm12.js): no 2004 runtime, no sequencing engine. */
startPlayer((b) => new Player(b, (settings) => new Scorm12API(settings)));
