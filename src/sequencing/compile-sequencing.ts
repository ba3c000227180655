import type { ImportWarning, ManifestItem, ParsedManifest } from '../scorm/manifest.types';
import { WarningList } from '../scorm/manifest-warnings';
import {
  HIDE_LMS_UI_TOKENS,
  type Activity,
  type CompiledSequencing,
  type HideLmsUi,
  type RollupConditionName,
  type RollupRequirement,
  type RollupRule,
  type RuleAction,
  type RuleCondition,
  type RuleConditionName,
  type SequencingRule,
} from './sequencing.types';

/**
 * The sequencing compiler (docs/sequencing.md): a parsed SCORM 2004 manifest → the activity tree
 * scorm-again's sequencing engine takes, at import. Works on the plain form the parser keeps of each
 * `imsss:sequencing` (manifest-xml.ts `toPlainObject`: attributes as `@name`, children as arrays by
 * local name). Every element and attribute of the imsss/adlseq vocabulary is either compiled, with
 * the CAM default when absent, or named in a `sequencing_unsupported` warning; `IDRef` is resolved
 * against `sequencingCollection` here, element by element (the item's own element wins), so the
 * engine is never given collections.
 */

import { collectionIndex, effectiveSequencing, firstChild, Node, type Plain } from './sequencing-source';
import { compileObjectives, objectiveId } from './compile-objectives';

const RULE_CONDITIONS: readonly RuleConditionName[] = [
  'satisfied',
  'objectiveStatusKnown',
  'objectiveMeasureKnown',
  'objectiveMeasureGreaterThan',
  'objectiveMeasureLessThan',
  'completed',
  'activityProgressKnown',
  'attempted',
  'attemptLimitExceeded',
  'timeLimitExceeded',
  'outsideAvailableTimeRange',
  'always',
];
const PRE_ACTIONS: readonly RuleAction[] = ['skip', 'disabled', 'hiddenFromChoice', 'stopForwardTraversal'];
const EXIT_ACTIONS: readonly RuleAction[] = ['exit'];
const POST_ACTIONS: readonly RuleAction[] = ['exitParent', 'exitAll', 'retry', 'retryAll', 'continue', 'previous'];
/** CAM rollup condition vocabulary → the engine's name (it calls activityProgressKnown `progressKnown`). */
const ROLLUP_CONDITIONS: Readonly<Record<string, RollupConditionName>> = {
  satisfied: 'satisfied',
  objectiveStatusKnown: 'objectiveStatusKnown',
  objectiveMeasureKnown: 'objectiveMeasureKnown',
  completed: 'completed',
  activityProgressKnown: 'progressKnown',
  attempted: 'attempted',
  attemptLimitExceeded: 'attemptLimitExceeded',
};
const ROLLUP_ACTIONS = ['satisfied', 'notSatisfied', 'completed', 'incomplete'] as const;
const CHILD_ACTIVITY_SETS = ['all', 'any', 'none', 'atLeastCount', 'atLeastPercent'] as const;
const REQUIREMENTS: readonly RollupRequirement[] = ['always', 'ifAttempted', 'ifNotSkipped', 'ifNotSuspended'];
const TIMINGS = ['never', 'once', 'onEachNewAttempt'] as const;


export interface CompileResult {
  sequencing: CompiledSequencing;
  warnings: ImportWarning[];
}

/** Compiles a SCORM 2004 manifest's sequencing; `warnings` lists what was not compiled and why. */
export function compileSequencing(manifest: ParsedManifest): CompileResult {
  const warnings = new WarningList();
  const collection = collectionIndex(manifest.sequencingCollection, warnings);
  const rootId = manifest.organizationId ?? manifest.identifier;
  const root = compileActivity(
    { id: rootId, title: manifest.title, isVisible: true, sequencing: manifest.organizationSequencing },
    manifest.items,
    collection,
    warnings,
  );
  applySingleActivityRule(root, manifest.organizationSequencing, collection);
  return {
    sequencing: {
      format: 1,
      activityTree: root,
      objectivesGlobalToSystem: manifest.objectivesGlobalToSystem ?? true,
      sharedDataGlobalToSystem: manifest.sharedDataGlobalToSystem ?? true,
    },
    warnings: warnings.list(),
  };
}

interface ActivitySource {
  id: string;
  title: string;
  isVisible: boolean;
  sequencing: unknown;
  item?: ManifestItem;
}

function compileActivity(source: ActivitySource, children: ManifestItem[], collection: Map<string, Plain>, warnings: WarningList): Activity {
  const where = source.item ? `item "${source.id}"` : `organization "${source.id}"`;
  const seq = new Node(effectiveSequencing(source.sequencing, collection, where, warnings), 'imsss:sequencing', where, warnings);
  seq.attr('ID');
  seq.attr('IDRef');

  const activity: Activity = {
    id: source.id,
    title: source.title,
    isVisible: source.isVisible,
    attemptLimit: null,
    objectives: [],
    sequencingControls: {
      choice: true,
      choiceExit: true,
      flow: false,
      forwardOnly: false,
      useCurrentAttemptObjectiveInfo: true,
      useCurrentAttemptProgressInfo: true,
      preventActivation: false,
      constrainChoice: false,
      rollupObjectiveSatisfied: true,
      rollupProgressCompletion: true,
      objectiveMeasureWeight: 1,
      selectionTiming: 'never',
      selectCount: null,
      randomizationTiming: 'never',
      reorderChildren: false,
      randomizeChildren: false,
    },
    deliveryControls: { tracked: true, completionSetByContent: false, objectiveSetByContent: false },
    sequencingRules: { preConditionRules: [], exitConditionRules: [], postConditionRules: [] },
    rollupRules: { rules: [] },
    rollupConsiderations: {
      requiredForSatisfied: 'always',
      requiredForNotSatisfied: 'always',
      requiredForCompleted: 'always',
      requiredForIncomplete: 'always',
      measureSatisfactionIfActive: true,
    },
  };
  const controls = activity.sequencingControls;

  const mode = seq.child('controlMode');
  if (mode) {
    controls.choice = mode.bool('choice', true);
    controls.choiceExit = mode.bool('choiceExit', true);
    controls.flow = mode.bool('flow', false);
    controls.forwardOnly = mode.bool('forwardOnly', false);
    controls.useCurrentAttemptObjectiveInfo = mode.bool('useCurrentAttemptObjectiveInfo', true);
    controls.useCurrentAttemptProgressInfo = mode.bool('useCurrentAttemptProgressInfo', true);
    mode.done();
  }

  const rules = seq.child('sequencingRules');
  if (rules) {
    activity.sequencingRules.preConditionRules = rules.children('preConditionRule').flatMap((r) => compileRule(r, PRE_ACTIONS));
    activity.sequencingRules.exitConditionRules = rules.children('exitConditionRule').flatMap((r) => compileRule(r, EXIT_ACTIONS));
    activity.sequencingRules.postConditionRules = rules.children('postConditionRule').flatMap((r) => compileRule(r, POST_ACTIONS));
    rules.done();
  }

  const limits = seq.child('limitConditions');
  if (limits) {
    const attemptLimit = limits.int('attemptLimit', 0);
    activity.attemptLimit = attemptLimit > 0 ? attemptLimit : null;
    const duration = limits.attr('attemptAbsoluteDurationLimit');
    if (duration) {
      activity.attemptAbsoluteDurationLimit = duration;
    }
    limits.done();
  }

  const aux = seq.child('auxiliaryResources');
  if (aux) {
    const list = aux.children('auxiliaryResource').flatMap((r) => {
      const resourceId = r.attr('auxiliaryResourceID');
      const purpose = r.attr('purpose');
      r.done();
      return resourceId && purpose ? [{ resourceId, purpose }] : [];
    });
    if (list.length > 0) {
      activity.auxiliaryResources = list;
    }
    aux.done();
  }

  const rollup = seq.child('rollupRules');
  if (rollup) {
    controls.rollupObjectiveSatisfied = rollup.bool('rollupObjectiveSatisfied', true);
    controls.rollupProgressCompletion = rollup.bool('rollupProgressCompletion', true);
    controls.objectiveMeasureWeight = rollup.num('objectiveMeasureWeight', 1, 0, 1);
    activity.rollupRules.rules = rollup.children('rollupRule').flatMap((r) => compileRollupRule(r));
    rollup.done();
  }

  compileObjectives(activity, seq.child('objectives'), seq.child('adlseqObjectives'));

  const random = seq.child('randomizationControls');
  if (random) {
    controls.randomizationTiming = random.oneOf('randomizationTiming', TIMINGS, 'never');
    const selectCount = random.attr('selectCount');
    if (selectCount !== undefined) {
      const n = Number(selectCount);
      if (Number.isInteger(n) && n >= 0) {
        controls.selectCount = n;
      } else {
        random.invalid('selectCount', selectCount);
      }
    }
    controls.reorderChildren = random.bool('reorderChildren', false);
    controls.randomizeChildren = controls.reorderChildren;
    controls.selectionTiming = random.oneOf('selectionTiming', TIMINGS, 'never');
    random.done();
  }

  const delivery = seq.child('deliveryControls');
  if (delivery) {
    activity.deliveryControls = {
      tracked: delivery.bool('tracked', true),
      completionSetByContent: delivery.bool('completionSetByContent', false),
      objectiveSetByContent: delivery.bool('objectiveSetByContent', false),
    };
    delivery.done();
  }

  const constrained = seq.child('constrainedChoiceConsiderations');
  if (constrained) {
    controls.preventActivation = constrained.bool('preventActivation', false);
    controls.constrainChoice = constrained.bool('constrainChoice', false);
    constrained.done();
  }

  const considerations = seq.child('rollupConsiderations');
  if (considerations) {
    const c = activity.rollupConsiderations;
    c.requiredForSatisfied = considerations.oneOf('requiredForSatisfied', REQUIREMENTS, 'always');
    c.requiredForNotSatisfied = considerations.oneOf('requiredForNotSatisfied', REQUIREMENTS, 'always');
    c.requiredForCompleted = considerations.oneOf('requiredForCompleted', REQUIREMENTS, 'always');
    c.requiredForIncomplete = considerations.oneOf('requiredForIncomplete', REQUIREMENTS, 'always');
    c.measureSatisfactionIfActive = considerations.bool('measureSatisfactionIfActive', true);
    considerations.done();
  }
  seq.done();

  const item = source.item;
  if (item?.completionThreshold) {
    const { completedByMeasure, minProgressMeasure, progressWeight } = item.completionThreshold;
    activity.completionThreshold = { completedByMeasure, minProgressMeasure, progressWeight };
  }
  if (item?.hideLmsUi) {
    const known = new Set<string>(HIDE_LMS_UI_TOKENS);
    const hide = item.hideLmsUi.filter((h): h is HideLmsUi => known.has(h));
    for (const other of item.hideLmsUi.filter((h) => !known.has(h))) {
      warnings.add('invalid_value', `The adlnav:hideLMSUI value "${other}" of ${where} is not in the CAM vocabulary; it is ignored.`, `item[${source.id}]`);
    }
    if (hide.length > 0) {
      activity.hideLmsUi = hide;
    }
  }
  if (item?.sharedData) {
    activity.sharedDataMaps = item.sharedData.map((m) => ({ targetID: m.targetId, readSharedData: m.readSharedData, writeSharedData: m.writeSharedData }));
  }
  if (children.length > 0) {
    activity.children = children.map((child) =>
      compileActivity({ id: child.identifier, title: child.title, isVisible: child.isVisible, sequencing: child.sequencing, item: child }, child.children, collection, warnings),
    );
  }
  return activity;
}

function compileRule(rule: Node, actions: readonly RuleAction[]): SequencingRule[] {
  const conditionsNode = rule.child('ruleConditions');
  const actionNode = rule.child('ruleAction');
  const action = actionNode?.oneOf('action', actions, undefined);
  actionNode?.done();
  const combination = conditionsNode?.oneOf('conditionCombination', ['all', 'any'] as const, 'all') ?? 'all';
  const conditions: RuleCondition[] = [];
  let usable = action !== undefined;
  for (const c of conditionsNode?.children('ruleCondition') ?? []) {
    const name = c.oneOf('condition', RULE_CONDITIONS, undefined);
    const operator = c.oneOf('operator', ['not', 'noOp'] as const, 'noOp');
    const referenced = objectiveId(c.attr('referencedObjective'));
    const threshold = c.num('measureThreshold', 0, -1, 1);
    c.done();
    if (name === undefined) {
      usable = false;
      continue;
    }
    const condition: RuleCondition = { condition: name };
    if (operator === 'not') {
      condition.operator = 'not';
    }
    if (referenced) {
      condition.referencedObjective = referenced;
    }
    if (name === 'objectiveMeasureGreaterThan' || name === 'objectiveMeasureLessThan') {
      condition.parameters = { threshold };
    }
    conditions.push(condition);
  }
  conditionsNode?.done();
  rule.done();
  if (!usable || action === undefined) {
    rule.dropped('the rule has no valid action or an unknown condition');
    return [];
  }
  return [{ action, conditionCombination: combination, conditions }];
}

function compileRollupRule(rule: Node): RollupRule[] {
  const consideration = rule.oneOf('childActivitySet', CHILD_ACTIVITY_SETS, 'all');
  const minimumCount = rule.int('minimumCount', 0);
  const minimumPercent = rule.num('minimumPercent', 0, 0, 1);
  const conditionsNode = rule.child('rollupConditions');
  const combination = conditionsNode?.oneOf('conditionCombination', ['all', 'any'] as const, 'any') ?? 'any';
  const actionNode = rule.child('rollupAction');
  const action = actionNode?.oneOf('action', ROLLUP_ACTIONS, undefined);
  actionNode?.done();
  let usable = action !== undefined;
  const conditions: RollupRule['conditions'] = [];
  for (const c of conditionsNode?.children('rollupCondition') ?? []) {
    const raw = c.oneOf('condition', Object.keys(ROLLUP_CONDITIONS), undefined);
    const operator = c.oneOf('operator', ['not', 'noOp'] as const, 'noOp');
    c.done();
    if (raw === undefined) {
      usable = false;
      continue;
    }
    conditions.push(operator === 'not' ? { condition: ROLLUP_CONDITIONS[raw], operator: 'not' } : { condition: ROLLUP_CONDITIONS[raw] });
  }
  conditionsNode?.done();
  rule.done();
  if (!usable || action === undefined) {
    rule.dropped('the rule has no valid action or an unknown condition');
    return [];
  }
  // The CAM writes minimumPercent as a fraction (0.5); the engine compares it with a percentage (50).
  return [{ action, conditionCombination: combination, consideration, minimumCount, minimumPercent: minimumPercent * 100, conditions }];
}

/**
 * ADL's reference LMS gives a package whose organization holds one leaf item, with the root's
 * control mode left at its defaults, `flow=true, choice=false`, so that it starts by itself
 * (docs/sequencing.md, "single-activity packages").
 */
function applySingleActivityRule(root: Activity, orgSequencing: unknown, collection: Map<string, Plain>): void {
  const only = root.children?.length === 1 ? root.children[0] : undefined;
  if (!only || only.children?.length) {
    return;
  }
  const plain = effectiveSequencing(orgSequencing, collection, '', new WarningList());
  const mode = firstChild(plain, 'controlMode');
  const written = mode && (mode['@choice'] !== undefined || mode['@flow'] !== undefined);
  if (!written && root.sequencingControls.choice && !root.sequencingControls.flow) {
    root.sequencingControls.flow = true;
    root.sequencingControls.choice = false;
  }
}

