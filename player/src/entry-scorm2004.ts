import type { Scorm2004API as Scorm2004ApiType } from 'scorm-again';
import * as runtime from 'scorm-again/scorm2004';
import { Player, startPlayer } from './player';
import { SequencedPlayer } from './sequenced';

// The package's typings declare a default export; its ESM file exports the class by name.
const { Scorm2004API } = runtime as unknown as { Scorm2004API: new (settings: Record<string, unknown>) => Scorm2004ApiType };

/**
 * The SCORM 2004 bundle (player-scorm2004.js): scorm-again's 2004 runtime with its sequencing engine
 * (patched as on the server, player/build.mjs). A version stored without compiled sequencing plays
 * with the plain player.
 */
startPlayer((b) => {
  const create = (settings: Record<string, unknown>) => new Scorm2004API(settings);
  return b.sequencing ? new SequencedPlayer(b, create) : new Player(b, create);
});
