import type { ManifestItem } from './manifest.types';

/**
 * The one walk over a manifest's item tree (organization → item → item …). The parser lists the
 * launchable items with it, the runtime finds an item's rules, the player page indents its table of
 * contents by depth, and the grade roll-up looks items up by identifier.
 */

/** An item met by {@link walkItems}, with how deep it sits (0 for a top-level item of the organization). */
export interface WalkedItem {
  item: ManifestItem;
  depth: number;
}

/** Every item of the tree in document order (parent before its children, children in order). */
export function* walkItems(items: readonly ManifestItem[], depth = 0): Generator<WalkedItem> {
  for (const item of items) {
    yield { item, depth };
    yield* walkItems(item.children ?? [], depth + 1);
  }
}

/**
 * Every item by identifier. A manifest that repeats an identifier is imported with a warning (those
 * items share learner data); the first in document order answers, as in {@link findItem}.
 */
export function itemIndex(items: readonly ManifestItem[]): Map<string, WalkedItem> {
  const out = new Map<string, WalkedItem>();
  for (const walked of walkItems(items)) {
    if (!out.has(walked.item.identifier)) {
      out.set(walked.item.identifier, walked);
    }
  }
  return out;
}

/** The item with this identifier, or undefined. */
export function findItem(items: readonly ManifestItem[], id: string): ManifestItem | undefined {
  for (const { item } of walkItems(items)) {
    if (item.identifier === id) {
      return item;
    }
  }
  return undefined;
}
