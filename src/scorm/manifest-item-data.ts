import type { CompletionThreshold, ManifestItem } from './manifest.types';
import type { WarningList } from './manifest-warnings';
import { attrNamed, childNamed, childrenNamed, cleanText, pathNamed, toPlainObject, type XmlElement } from './manifest-xml';

/**
 * What an `<item>` says beyond its place in the tree: the SCORM 1.2 adlcp data, the SCORM 2004
 * completion threshold, the objectives (and the passing score of the primary one), the sequencing
 * kept as plain JSON, and the hidden LMS UI. Each value is checked; a bad one is dropped or defaulted
 * with a warning, never a refusal.
 */

/** The `<sequencingCollection>` entries by ID, which an item's `<imsss:sequencing IDRef>` can name. */
export function sequencingIndex(collection: XmlElement | undefined): Map<string, XmlElement> {
  const byId = new Map<string, XmlElement>();
  for (const seq of childrenNamed(collection, 'sequencing')) {
    const id = attrNamed(seq, 'ID')?.trim();
    if (id) {
      byId.set(id, seq);
    }
  }
  return byId;
}

/** SCORM 1.2 adlcp data (src/scorm/README.md) and SCORM 2004 data (§1.7); read for either version. */
export function readItemData(item: ManifestItem, el: XmlElement, sequencingById: ReadonlyMap<string, XmlElement>, warnings: WarningList): void {
  const id = item.identifier;
  const text = (local: string): string | undefined => {
    const child = childNamed(el, local);
    const v = child?.text.trim();
    return v ? v : undefined;
  };
  const mastery = text('masteryscore');
  if (mastery !== undefined) {
    const n = Number(mastery);
    if (Number.isFinite(n) && n >= 0 && n <= 100) {
      item.masteryScore = n;
    } else {
      warnings.add('invalid_value', `The masteryscore "${mastery}" of item "${id}" is not a number from 0 to 100; it is ignored.`, `item[${id}]`);
    }
  }
  const dataFromLms = text('datafromlms');
  if (dataFromLms !== undefined) {
    item.dataFromLms = dataFromLms;
  }
  const maxTime = text('maxtimeallowed');
  if (maxTime !== undefined) {
    item.maxTimeAllowed = maxTime;
  }
  const timeLimitAction = text('timelimitaction');
  if (timeLimitAction !== undefined) {
    item.timeLimitAction = timeLimitAction.replace(/\s*,\s*/g, ',');
  }
  const prerequisites = text('prerequisites');
  if (prerequisites !== undefined) {
    item.prerequisites = prerequisites.replace(/\s+/g, ' ');
  }

  const threshold = readCompletionThreshold(childNamed(el, 'completionThreshold'), id, warnings);
  if (threshold) {
    item.completionThreshold = threshold;
  }

  const seq = childNamed(el, 'sequencing');
  if (seq) {
    item.sequencing = toPlainObject(seq);
    const idRef = attrNamed(seq, 'IDRef')?.trim();
    const shared = idRef ? sequencingById.get(idRef) : undefined;
    if (idRef && !shared) {
      warnings.add('unresolved_sequencing_ref', `The sequencing of item "${id}" refers to "${idRef}", which is not in <sequencingCollection>.`, `item[${id}]`);
    }
    const effective = (local: string): XmlElement | undefined => childNamed(seq, local) ?? childNamed(shared, local);
    const duration = attrNamed(effective('limitConditions'), 'attemptAbsoluteDurationLimit')?.trim();
    if (duration && item.maxTimeAllowed === undefined) {
      item.maxTimeAllowed = duration;
    }
    readObjectives(item, effective('objectives'), warnings);
  }

  const maps = childrenNamed(childNamed(el, 'data'), 'map');
  if (maps.length > 0) {
    item.sharedData = maps.flatMap((m) => {
      const targetId = attrNamed(m, 'targetID')?.trim();
      if (!targetId) {
        warnings.add('invalid_value', `An <adlcp:map> of item "${id}" has no targetID; it is ignored.`, `item[${id}]`);
        return [];
      }
      return [{ targetId, readSharedData: !isFalse(attrNamed(m, 'readSharedData')), writeSharedData: !isFalse(attrNamed(m, 'writeSharedData')) }];
    });
  }

  const hide = childrenNamed(pathNamed(el, 'presentation', 'navigationInterface'), 'hideLMSUI')
    .map((h) => cleanText(h))
    .filter((v) => v !== '');
  if (hide.length > 0) {
    item.hideLmsUi = [...new Set(hide)];
  }
}

/** xs:boolean false ("false" or "0"); absent or anything else is not false. */
function isFalse(raw: string | undefined): boolean {
  return /^(false|0)$/i.test(raw?.trim() ?? '');
}

function readCompletionThreshold(el: XmlElement | undefined, id: string, warnings: WarningList): CompletionThreshold | undefined {
  if (!el) {
    return undefined;
  }
  const cbm = attrNamed(el, 'completedByMeasure')?.trim();
  const mpm = attrNamed(el, 'minProgressMeasure')?.trim();
  const pw = attrNamed(el, 'progressWeight')?.trim();
  const body = el.text.trim();
  const inRange = (raw: string | undefined, what: string, fallback: number): number => {
    if (raw === undefined || raw === '') {
      return fallback;
    }
    const n = Number(raw);
    if (Number.isFinite(n) && n >= 0 && n <= 1) {
      return n;
    }
    warnings.add('invalid_value', `The completionThreshold ${what} "${raw}" of item "${id}" is not a number from 0 to 1; ${fallback} is used.`, `item[${id}]`);
    return fallback;
  };
  if (cbm === undefined && mpm === undefined && pw === undefined && body !== '') {
    return { completedByMeasure: true, minProgressMeasure: inRange(body, 'value', 1), progressWeight: 1, source: 'element-text' };
  }
  return {
    completedByMeasure: cbm !== undefined && /^(true|1)$/i.test(cbm),
    minProgressMeasure: inRange(mpm, 'minProgressMeasure', 1),
    progressWeight: inRange(pw, 'progressWeight', 1),
    source: 'attributes',
  };
}

/** Primary objective → scaled passing score when satisfiedByMeasure (SN: absent measure = 1.0). */
function readObjectives(item: ManifestItem, objectives: XmlElement | undefined, warnings: WarningList): void {
  if (!objectives) {
    return;
  }
  const id = item.identifier;
  const ids: string[] = [];
  const primary = childNamed(objectives, 'primaryObjective');
  if (primary) {
    const primaryId = attrNamed(primary, 'objectiveID')?.trim();
    if (primaryId) {
      item.primaryObjectiveId = primaryId;
      ids.push(primaryId);
    }
    if (/^(true|1)$/i.test(attrNamed(primary, 'satisfiedByMeasure')?.trim() ?? '')) {
      const raw = childNamed(primary, 'minNormalizedMeasure')?.text.trim() ?? '';
      const n = raw === '' ? NaN : Number(raw);
      if (Number.isFinite(n) && n >= -1 && n <= 1) {
        item.scaledPassingScore = n;
      } else {
        item.scaledPassingScore = 1;
        warnings.add(
          raw === '' ? 'passing_score_defaulted' : 'invalid_value',
          `Item "${id}" is satisfied by measure but its minNormalizedMeasure is ${raw === '' ? 'empty' : `"${raw}"`}; the passing score is 1.0, so only a full score passes.`,
          `item[${id}]`,
        );
      }
    }
  }
  for (const obj of childrenNamed(objectives, 'objective')) {
    const objId = attrNamed(obj, 'objectiveID')?.trim();
    if (objId && !ids.includes(objId)) {
      ids.push(objId);
    }
  }
  if (ids.length > 0) {
    item.objectiveIds = ids;
  }
}
