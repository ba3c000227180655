import type { Activity, Objective, ObjectiveMapInfo } from './sequencing.types';
import type { Node } from './sequencing-source';

/**
 * An activity's objectives for the compiler (compile-sequencing.ts): `imsss:objectives` (primary and
 * others, with the CAM defaults) merged with `adlseq:objectives` per target, every mapInfo flag
 * written out.
 */

const NO_MAP: Omit<ObjectiveMapInfo, 'targetObjectiveID'> = {
  readSatisfiedStatus: false,
  readNormalizedMeasure: false,
  writeSatisfiedStatus: false,
  writeNormalizedMeasure: false,
  readCompletionStatus: false,
  writeCompletionStatus: false,
  readProgressMeasure: false,
  writeProgressMeasure: false,
  readRawScore: false,
  writeRawScore: false,
  readMinScore: false,
  writeMinScore: false,
  readMaxScore: false,
  writeMaxScore: false,
};

/**
 * `imsss:objectives` (primary + others, imsss:mapInfo for satisfied status and measure) and
 * `adlseq:objectives` (adlseq:mapInfo for completion, progress and raw/min/max, attached to the
 * imsss objective of the same ID). Each map entry carries every flag explicitly, so an entry made for
 * one namespace never reads or writes what only the other asked for.
 */
export function compileObjectives(activity: Activity, imsss: Node | undefined, adlseq: Node | undefined): void {
  if (!imsss) {
    adlseq?.dropped('adlseq:objectives needs imsss:objectives with the same objective IDs');
    adlseq?.done();
    return;
  }
  const byId = new Map<string, Objective>();
  const read = (node: Node, isPrimary: boolean): Objective | undefined => {
    const id = objectiveId(node.attr('objectiveID'));
    const objective: Objective = {
      objectiveID: id ?? '',
      isPrimary,
      satisfiedByMeasure: node.bool('satisfiedByMeasure', false),
      minNormalizedMeasure: 1,
      mapInfo: [],
    };
    const measure = node.child('minNormalizedMeasure');
    if (measure) {
      const text = measure.text();
      const n = text === '' ? 1 : Number(text);
      if (Number.isFinite(n) && n >= -1 && n <= 1) {
        objective.minNormalizedMeasure = n;
      } else {
        measure.invalid('#text', text);
      }
      measure.done();
    }
    for (const m of node.children('mapInfo')) {
      const target = m.attr('targetObjectiveID');
      const entry: ObjectiveMapInfo = {
        targetObjectiveID: target ?? '',
        ...NO_MAP,
        readSatisfiedStatus: m.bool('readSatisfiedStatus', true),
        readNormalizedMeasure: m.bool('readNormalizedMeasure', true),
        writeSatisfiedStatus: m.bool('writeSatisfiedStatus', false),
        writeNormalizedMeasure: m.bool('writeNormalizedMeasure', false),
      };
      m.done();
      if (target) {
        objective.mapInfo.push(entry);
      } else {
        m.dropped('a mapInfo needs a targetObjectiveID');
      }
    }
    node.done();
    if (id) {
      byId.set(id, objective);
    }
    return id || isPrimary ? objective : undefined;
  };
  const primaryNode = imsss.child('primaryObjective');
  const primary = primaryNode ? read(primaryNode, true) : undefined;
  const others = imsss.children('objective').flatMap((o) => {
    const objective = read(o, false);
    if (!objective) {
      o.dropped('an objective other than the primary one needs an objectiveID');
    }
    return objective ? [objective] : [];
  });
  imsss.done();

  for (const o of adlseq?.children('objective') ?? []) {
    const id = objectiveId(o.attr('objectiveID'));
    const target = id ? byId.get(id) : undefined;
    for (const m of o.children('mapInfo')) {
      const targetId = m.attr('targetObjectiveID');
      const flags = {
        readCompletionStatus: m.bool('readCompletionStatus', true),
        writeCompletionStatus: m.bool('writeCompletionStatus', false),
        readProgressMeasure: m.bool('readProgressMeasure', true),
        writeProgressMeasure: m.bool('writeProgressMeasure', false),
        readRawScore: m.bool('readRawScore', true),
        writeRawScore: m.bool('writeRawScore', false),
        readMinScore: m.bool('readMinScore', true),
        writeMinScore: m.bool('writeMinScore', false),
        readMaxScore: m.bool('readMaxScore', true),
        writeMaxScore: m.bool('writeMaxScore', false),
      };
      m.done();
      if (!target || !targetId) {
        m.dropped(`it names no imsss objective of this activity ("${id ?? ''}") or no targetObjectiveID`);
        continue;
      }
      const same = target.mapInfo.find((e) => e.targetObjectiveID === targetId);
      if (same) {
        Object.assign(same, flags);
      } else {
        target.mapInfo.push({ targetObjectiveID: targetId, ...NO_MAP, ...flags });
      }
    }
    o.done();
  }
  adlseq?.done();

  if (primary) {
    activity.primaryObjective = primary;
  }
  activity.objectives = others;
}


/**
 * An objectiveID is an xs:anyURI: white space collapsed (attr() trims) and percent-escapes decoded,
 * so `" ob%20j%201 "` is the objective the SCO sees as `cmi.objectives.n.id` "ob j 1" (as ADL's
 * reference LMS presents it). The decoded identifier is collapsed again, so an escaped run of
 * spaces names the same objective as one space: `"ob%20%20%20j%20%201"` is "ob j 1" too (ADL's
 * OB-12a refers to its objective both ways). A malformed escape is kept as written.
 */
export function objectiveId(raw: string | undefined): string | undefined {
  if (raw === undefined || !raw.includes('%')) {
    return raw;
  }
  try {
    return decodeURIComponent(raw).replace(/\s+/g, ' ').trim();
  } catch {
    return raw;
  }
}
