/**
 * The compiled sequencing of a SCORM 2004 course version (docs/sequencing.md): the activity tree in
 * the shape scorm-again 3.4.3's `SequencingSettings.activityTree` takes (`ActivitySettings` in
 * scorm-again's `dist/types/types/sequencing_types.d.ts`), written out with every CAM default so that
 * the engine's own defaults never decide, plus the LMS-side facts the engine does not hold.
 *
 * These types mirror the engine's structurally (its enums are string enums; plain strings are used
 * here so the JSON stored with the version is typed without importing the engine).
 */

export type RuleAction =
  | 'skip'
  | 'disabled'
  | 'hiddenFromChoice'
  | 'stopForwardTraversal'
  | 'exitParent'
  | 'exitAll'
  | 'retry'
  | 'retryAll'
  | 'continue'
  | 'previous'
  | 'exit';

export type RuleConditionName =
  | 'satisfied'
  | 'objectiveStatusKnown'
  | 'objectiveMeasureKnown'
  | 'objectiveMeasureGreaterThan'
  | 'objectiveMeasureLessThan'
  | 'completed'
  | 'activityProgressKnown'
  | 'attempted'
  | 'attemptLimitExceeded'
  | 'timeLimitExceeded'
  | 'outsideAvailableTimeRange'
  | 'always';

export interface RuleCondition {
  condition: RuleConditionName;
  /** Absent = noOp. */
  operator?: 'not';
  referencedObjective?: string;
  /** `threshold` = the condition's measureThreshold (engine parameter name). */
  parameters?: { threshold: number };
}

export interface SequencingRule {
  action: RuleAction;
  conditionCombination: 'all' | 'any';
  conditions: RuleCondition[];
}

export type RollupConditionName =
  | 'satisfied'
  | 'objectiveStatusKnown'
  | 'objectiveMeasureKnown'
  | 'completed'
  | 'progressKnown'
  | 'attempted'
  | 'attemptLimitExceeded';

export interface RollupRule {
  action: 'satisfied' | 'notSatisfied' | 'completed' | 'incomplete';
  conditionCombination: 'all' | 'any';
  consideration: 'all' | 'any' | 'none' | 'atLeastCount' | 'atLeastPercent';
  minimumCount: number;
  /** 0–100: the engine compares a percentage (the CAM's fraction × 100). */
  minimumPercent: number;
  conditions: Array<{ condition: RollupConditionName; operator?: 'not' }>;
}

/** One target of an objective: the imsss read/write flags and the adlseq ones, all explicit. */
export interface ObjectiveMapInfo {
  targetObjectiveID: string;
  readSatisfiedStatus: boolean;
  readNormalizedMeasure: boolean;
  writeSatisfiedStatus: boolean;
  writeNormalizedMeasure: boolean;
  readCompletionStatus: boolean;
  writeCompletionStatus: boolean;
  readProgressMeasure: boolean;
  writeProgressMeasure: boolean;
  readRawScore: boolean;
  writeRawScore: boolean;
  readMinScore: boolean;
  writeMinScore: boolean;
  readMaxScore: boolean;
  writeMaxScore: boolean;
}

export interface Objective {
  objectiveID: string;
  isPrimary: boolean;
  satisfiedByMeasure: boolean;
  minNormalizedMeasure: number;
  mapInfo: ObjectiveMapInfo[];
}

export type RollupRequirement = 'always' | 'ifAttempted' | 'ifNotSkipped' | 'ifNotSuspended';

/** Tokens of `adlnav:hideLMSUI` the engine knows (CAM 4th ed. vocabulary). */
export const HIDE_LMS_UI_TOKENS = ['continue', 'previous', 'exit', 'exitAll', 'abandon', 'abandonAll', 'suspendAll'] as const;
export type HideLmsUi = (typeof HIDE_LMS_UI_TOKENS)[number];

export interface Activity {
  id: string;
  title: string;
  isVisible: boolean;
  children?: Activity[];
  /** null = no limit (CAM attemptLimit 0 or absent). */
  attemptLimit: number | null;
  attemptAbsoluteDurationLimit?: string;
  primaryObjective?: Objective;
  objectives: Objective[];
  sequencingControls: {
    choice: boolean;
    choiceExit: boolean;
    flow: boolean;
    forwardOnly: boolean;
    useCurrentAttemptObjectiveInfo: boolean;
    useCurrentAttemptProgressInfo: boolean;
    preventActivation: boolean;
    constrainChoice: boolean;
    rollupObjectiveSatisfied: boolean;
    rollupProgressCompletion: boolean;
    objectiveMeasureWeight: number;
    selectionTiming: 'never' | 'once' | 'onEachNewAttempt';
    selectCount: number | null;
    randomizationTiming: 'never' | 'once' | 'onEachNewAttempt';
    reorderChildren: boolean;
    randomizeChildren: boolean;
  };
  deliveryControls: { tracked: boolean; completionSetByContent: boolean; objectiveSetByContent: boolean };
  sequencingRules: { preConditionRules: SequencingRule[]; exitConditionRules: SequencingRule[]; postConditionRules: SequencingRule[] };
  rollupRules: { rules: RollupRule[] };
  rollupConsiderations: {
    requiredForSatisfied: RollupRequirement;
    requiredForNotSatisfied: RollupRequirement;
    requiredForCompleted: RollupRequirement;
    requiredForIncomplete: RollupRequirement;
    measureSatisfactionIfActive: boolean;
  };
  completionThreshold?: { completedByMeasure: boolean; minProgressMeasure: number; progressWeight: number };
  hideLmsUi?: HideLmsUi[];
  auxiliaryResources?: Array<{ resourceId: string; purpose: string }>;
  sharedDataMaps?: Array<{ targetID: string; readSharedData: boolean; writeSharedData: boolean }>;
}

export interface CompiledSequencing {
  /** Bumped when the compiled form changes, so a stored one can be recompiled. */
  format: 1;
  /** The organization as the root activity, its items below. */
  activityTree: Activity;
  /** Global objectives are shared across the learner's course attempts (and courses) unless false. */
  objectivesGlobalToSystem: boolean;
  /** Shared data stores likewise. */
  sharedDataGlobalToSystem: boolean;
}
