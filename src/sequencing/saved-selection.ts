import type { Activity, CompiledSequencing } from './sequencing.types';

/**
 * The children of a cluster the learner's engine selected and the order it put them in (SN SR.1/SR.2,
 * `randomizationControls`), read from the attempt's saved state so that the server's rollup counts
 * the same children the learner was given (docs/sequencing.md, "The grade").
 */
export interface ClusterSelection {
  order: string[];
  selected: string[];
}

/** The part of scorm-again 3.4.3's serialized state that holds a cluster's selection (`serializeActivities`). */
interface SavedSelectionState {
  childOrder?: unknown;
  selectedChildIds?: unknown;
}

const isIdList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string') && new Set(v).size === v.length;

/** Every item id at or below `a`. */
function subtree(a: Activity, out = new Set<string>()): Set<string> {
  out.add(a.id);
  a.children?.forEach((c) => subtree(c, out));
  return out;
}

/** Whether the cluster `a` selects some of its children or randomizes their order (SN SR.1/SR.2). */
function selection(a: Activity): { selects: boolean; randomizes: boolean } {
  const sc = a.sequencingControls;
  const count = a.children?.length ?? 0;
  return {
    selects: count > 0 && sc.selectionTiming !== 'never' && sc.selectCount !== null && sc.selectCount < count,
    randomizes: count > 0 && sc.randomizationTiming !== 'never' && sc.randomizeChildren,
  };
}

/**
 * Whether any cluster of the compiled tree selects or randomizes its children: only then does the
 * saved state matter to the server's rollup (a course without it need not read or parse the state).
 */
export function selectsChildren(compiled: CompiledSequencing): boolean {
  const walk = (a: Activity): boolean => {
    const { selects, randomizes } = selection(a);
    return selects || randomizes || (a.children ?? []).some(walk);
  };
  return walk(compiled.activityTree);
}

/**
 * The selections the saved state holds for the clusters whose compiled sequencing selects or
 * randomizes children, each checked against the compiled tree; a cluster whose saved selection does
 * not hold is left out (the server then counts all its children, as a course without selection).
 * The selection is the engine's state, not a result, but a browser may still not use it to leave out
 * what the learner did: a selection holds only when it names exactly `selectCount` distinct children
 * of the cluster and includes every child with SCO data below it (`withData`: item ids); an order only
 * when it is a permutation of the children.
 */
export function savedSelections(compiled: CompiledSequencing, saved: string | null, withData: ReadonlySet<string>): Map<string, ClusterSelection> {
  const out = new Map<string, ClusterSelection>();
  const states = selectsChildren(compiled) ? activityStates(saved) : null;
  if (!states) {
    return out;
  }
  const walk = (a: Activity) => {
    const children = a.children ?? [];
    children.forEach(walk);
    const sc = a.sequencingControls;
    const { selects, randomizes } = selection(a);
    const state = states[a.id]?.selectionRandomizationState;
    if (!children.length || !(selects || randomizes) || !state || typeof state !== 'object') {
      return;
    }
    const ids = children.map((c) => c.id);
    const known = new Set(ids);
    const { childOrder, selectedChildIds } = state;
    const order = randomizes && isIdList(childOrder) && childOrder.length === ids.length && childOrder.every((id) => known.has(id)) ? childOrder : ids;
    let selected = ids;
    if (selects && isIdList(selectedChildIds) && selectedChildIds.length === sc.selectCount && selectedChildIds.every((id) => known.has(id))) {
      const chosen = new Set(selectedChildIds);
      const leftOutWithData = children.some((c) => !chosen.has(c.id) && [...subtree(c)].some((id) => withData.has(id)));
      selected = leftOutWithData ? ids : selectedChildIds;
    }
    if (order !== ids || selected !== ids) {
      out.set(a.id, { order, selected });
    }
  };
  walk(compiled.activityTree);
  return out;
}

function activityStates(saved: string | null): Record<string, { selectionRandomizationState?: SavedSelectionState } | undefined> | null {
  if (saved === null) {
    return null;
  }
  try {
    const states = (JSON.parse(saved) as { sequencing?: { activityStates?: unknown } | null }).sequencing?.activityStates;
    return states && typeof states === 'object' ? (states as Record<string, { selectionRandomizationState?: SavedSelectionState }>) : null;
  } catch {
    return null;
  }
}
