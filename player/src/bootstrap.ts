import type { PlayerBootstrap, PlayerSco } from '../../src/player/bootstrap.types';

/** The JSON the server inlines in the player page (one definition for both sides). */
export type Bootstrap = PlayerBootstrap;
export type ScoEntry = PlayerSco;

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
