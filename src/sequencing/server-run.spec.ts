import { compileSequencing } from './compile-sequencing';
import { parseManifest } from '../scorm/manifest-parser';
import { fileList } from '../../test/support/manifest-spec-helpers';
import { scorm2004Api } from './engine';
import { newEngine, RollupMemo, rollUpFromScoData, stateForPlayer, suspendIfLeftActive, type ScoTracking } from './server-run';
import type { CompiledSequencing } from './sequencing.types';

/** A two-SCO course (intro, exam) with this root sequencing and these item sequencing blocks. */
function course(rootSequencing: string, items: { intro?: string; exam?: string } = {}, org = ''): CompiledSequencing {
  const xml = Buffer.from(`<?xml version="1.0"?>
<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O" ${org}><title>C</title>
    <item identifier="intro" identifierref="R"><title>Intro</title>${items.intro ?? ''}</item>
    <item identifier="exam" identifierref="R"><title>Exam</title>${items.exam ?? ''}</item>
    <imsss:sequencing>${rootSequencing}</imsss:sequencing></organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="sco.html"/></resources>
</manifest>`);
  return compileSequencing(parseManifest(xml, fileList('sco.html')).manifest).sequencing;
}

const sco = (itemId: string, completionStatus: string, successStatus: string, scaled?: number, more: Partial<ScoTracking> = {}): ScoTracking => ({
  itemId,
  completionStatus,
  successStatus,
  score: scaled === undefined ? {} : { scaled: String(scaled) },
  progressMeasure: null,
  ended: true,
  ...more,
});

/** The root is satisfied only when the exam is: the intro does not take part in satisfaction. */
const EXAM_DECIDES = course(
  `<imsss:controlMode choice="true" flow="true"/>`,
  { intro: '<imsss:sequencing><imsss:rollupRules rollupObjectiveSatisfied="false" objectiveMeasureWeight="0"/></imsss:sequencing>' },
);

describe('the server engine run over the SCOs stored data (the grade of a 2004 course)', () => {
  it('rolls the root up from the exam only, as the course rollup says', () => {
    expect(rollUpFromScoData(EXAM_DECIDES, [sco('intro', 'completed', 'passed', 1), sco('exam', 'completed', 'failed', 0.4)]).root).toEqual({ completion: 'completed', success: 'failed', measure: 0.4 });
    expect(rollUpFromScoData(EXAM_DECIDES, [sco('intro', 'completed', 'failed', 0.1), sco('exam', 'completed', 'passed', 0.9)]).root).toEqual({ completion: 'completed', success: 'passed', measure: 0.9 });
  });

  it('leaves the root unfinished while a SCO has not been attempted', () => {
    expect(rollUpFromScoData(EXAM_DECIDES, [sco('intro', 'completed', 'passed', 1)]).root).toMatchObject({ completion: expect.not.stringMatching(/^completed$/), success: 'unknown' });
  });

  it('applies the End Attempt defaults only to an ended SCO attempt: a running or suspended SCO is not completed by them', () => {
    const silent = (ended: boolean) => rollUpFromScoData(EXAM_DECIDES, [sco('intro', 'completed', 'passed'), sco('exam', 'unknown', 'unknown', undefined, { ended })]).root;
    expect(silent(true)).toMatchObject({ completion: 'completed', success: 'passed' });
    expect(silent(false)).toMatchObject({ completion: expect.not.stringMatching(/^completed$/), success: 'unknown' });
  });

  it('writes the global objectives the course maps, and a second course reads them', () => {
    const writer = course('<imsss:controlMode choice="true" flow="true"/>', {
      exam: '<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="exam-obj"><imsss:mapInfo targetObjectiveID="urn:skill:safety" writeSatisfiedStatus="true"/></imsss:primaryObjective></imsss:objectives></imsss:sequencing>',
    });
    const run = rollUpFromScoData(writer, [sco('intro', 'completed', 'passed'), sco('exam', 'completed', 'passed', 0.8)]);
    expect(Object.keys(run.writtenGlobals)).toEqual(['urn:skill:safety']);
    // The reader's only SCO reads the skill as its own satisfaction; it never reports success itself.
    const reader = course('<imsss:controlMode choice="true" flow="true"/>', {
      intro: '<imsss:sequencing><imsss:rollupRules rollupObjectiveSatisfied="false"/></imsss:sequencing>',
      exam: '<imsss:sequencing><imsss:deliveryControls objectiveSetByContent="true"/><imsss:objectives><imsss:primaryObjective objectiveID="p"><imsss:mapInfo targetObjectiveID="urn:skill:safety" readSatisfiedStatus="true"/></imsss:primaryObjective></imsss:objectives></imsss:sequencing>',
    });
    const silent = [sco('intro', 'completed', 'unknown'), sco('exam', 'completed', 'unknown')];
    expect(rollUpFromScoData(reader, silent).root.success).toBe('unknown');
    expect(rollUpFromScoData(reader, silent, run.writtenGlobals).root.success).toBe('passed');
  });
});

describe('a SCO taken again', () => {
  /** The exam writes and (CAM default) reads its global objective, as the rollup-exam fixture's. */
  const WRITES_AND_READS = course('<imsss:controlMode choice="true" flow="true"/>', {
    intro: '<imsss:sequencing><imsss:rollupRules rollupObjectiveSatisfied="false" objectiveMeasureWeight="0"/></imsss:sequencing>',
    exam: '<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="exam-obj"><imsss:mapInfo targetObjectiveID="urn:skill:exam" writeSatisfiedStatus="true" writeNormalizedMeasure="true"/></imsss:primaryObjective></imsss:objectives></imsss:sequencing>',
  });

  it("rolls up the new result, not the one its global objective kept from the first attempt", () => {
    const first = rollUpFromScoData(WRITES_AND_READS, [sco('intro', 'completed', 'passed', 1), sco('exam', 'completed', 'failed', 0.3)]);
    expect(first.root).toEqual({ completion: 'completed', success: 'failed', measure: 0.3 });
    const again = rollUpFromScoData(WRITES_AND_READS, [sco('intro', 'completed', 'passed', 1), sco('exam', 'completed', 'passed', 0.8)], first.writtenGlobals);
    expect(again.root).toEqual({ completion: 'completed', success: 'passed', measure: 0.8 });
    expect(again.writtenGlobals['urn:skill:exam']).toMatchObject({ satisfiedStatus: true, normalizedMeasure: 0.8 });
  });

  it('still reads the global objective for a SCO that reports nothing of its own', () => {
    const first = rollUpFromScoData(WRITES_AND_READS, [sco('intro', 'completed', 'passed', 1), sco('exam', 'completed', 'passed', 0.9)]);
    const silent = rollUpFromScoData(WRITES_AND_READS, [sco('intro', 'completed', 'passed', 1), sco('exam', 'incomplete', 'unknown', undefined, { ended: false })], first.writtenGlobals);
    expect(silent.root).toMatchObject({ success: 'passed', measure: 0.9 });
  });
});

describe('rollup runs remembered by their inputs (RollupMemo)', () => {
  const exam = (success: string, scaled: number, more: Partial<ScoTracking> = {}) => [sco('intro', 'completed', 'passed', 1), sco('exam', 'completed', success, scaled, more)];

  it('answers the same inputs from memory with the run they gave', () => {
    const memo = new RollupMemo();
    const first = memo.rollUp('v1', EXAM_DECIDES, exam('failed', 0.4));
    const again = memo.rollUp('v1', EXAM_DECIDES, exam('failed', 0.4));
    expect(again).toBe(first);
    expect(again).toEqual(rollUpFromScoData(EXAM_DECIDES, exam('failed', 0.4)));
    // The same SCOs in another order (the database's) are the same inputs.
    expect(memo.rollUp('v1', EXAM_DECIDES, exam('failed', 0.4).reverse())).toBe(first);
    expect(memo.made).toBe(1);
  });

  it('runs again, and gives the new root, when anything the run reads has changed', () => {
    const memo = new RollupMemo();
    const check = (scos: ScoTracking[], globals?: Record<string, unknown>, compiled = EXAM_DECIDES) => {
      const made = memo.made;
      expect(memo.rollUp('v1', compiled, scos, globals)).toEqual(rollUpFromScoData(compiled, scos, globals));
      expect(memo.made).toBe(made + 1);
    };
    check(exam('failed', 0.4));
    // The SCO's success, its score, its completion, whether its attempt ended, its objectives.
    check(exam('passed', 0.4));
    check(exam('passed', 0.9));
    expect(memo.rollUp('v1', EXAM_DECIDES, exam('passed', 0.9)).root).toEqual({ completion: 'completed', success: 'passed', measure: 0.9 });
    check([sco('intro', 'completed', 'passed', 1), sco('exam', 'incomplete', 'passed', 0.9)]);
    check([sco('intro', 'completed', 'passed'), sco('exam', 'unknown', 'unknown', undefined, { ended: true })]);
    check([sco('intro', 'completed', 'passed'), sco('exam', 'unknown', 'unknown', undefined, { ended: false })]);
    check(exam('passed', 0.9, { objectives: { '0': { id: 'exam-obj', success_status: 'failed' } } }));
    // A SCO left out, and the same SCO data on another course version.
    check([sco('intro', 'completed', 'passed', 1)]);
    const made = memo.made;
    memo.rollUp('v2', EXAM_DECIDES, exam('passed', 0.9));
    expect(memo.made).toBe(made + 1);
  });

  it('runs again when a global objective the course reads has changed', () => {
    const writer = course('<imsss:controlMode choice="true" flow="true"/>', {
      exam: '<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="e"><imsss:mapInfo targetObjectiveID="urn:skill:s" writeSatisfiedStatus="true"/></imsss:primaryObjective></imsss:objectives></imsss:sequencing>',
    });
    const reader = course('<imsss:controlMode choice="true" flow="true"/>', {
      intro: '<imsss:sequencing><imsss:rollupRules rollupObjectiveSatisfied="false"/></imsss:sequencing>',
      exam: '<imsss:sequencing><imsss:deliveryControls objectiveSetByContent="true"/><imsss:objectives><imsss:primaryObjective objectiveID="p"><imsss:mapInfo targetObjectiveID="urn:skill:s" readSatisfiedStatus="true"/></imsss:primaryObjective></imsss:objectives></imsss:sequencing>',
    });
    const passed = rollUpFromScoData(writer, exam('passed', 0.8)).writtenGlobals;
    const failed = rollUpFromScoData(writer, exam('failed', 0.2)).writtenGlobals;
    const silent = [sco('intro', 'completed', 'unknown'), sco('exam', 'completed', 'unknown')];
    const memo = new RollupMemo();
    expect(memo.rollUp('r', reader, silent, {}).root.success).toBe('unknown');
    expect(memo.rollUp('r', reader, silent, passed).root.success).toBe('passed');
    expect(memo.rollUp('r', reader, silent, failed).root.success).toBe('failed');
    expect(memo.made).toBe(3);
    // The time the engine stamped on an entry is not read: the same objectives stamped later are the same inputs.
    const stamped = (g: Record<string, unknown>, at: string) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, { ...(v as object), lastUpdated: at }]));
    expect(memo.rollUp('r', reader, silent, stamped(passed, '2026-01-01T00:00:00.000Z')).root.success).toBe('passed');
    expect(memo.rollUp('r', reader, silent, stamped(passed, '2026-02-01T00:00:00.000Z')).root.success).toBe('passed');
    expect(memo.made).toBe(3);
  });

  it('never remembers a run over a tree whose rules ask about time', () => {
    const timed = course('<imsss:controlMode choice="true" flow="true"/>', {
      // Rollup asks the skip rules of a child required "ifNotSkipped" (SN RB.1.4.2).
      exam: '<imsss:sequencing><imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="timeLimitExceeded"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules></imsss:sequencing>',
    });
    const memo = new RollupMemo();
    memo.rollUp('t', timed, exam('passed', 0.9));
    memo.rollUp('t', timed, exam('passed', 0.9));
    expect(memo.made).toBe(2);
  });

  it('keeps at most its capacity, dropping the least recently used run', () => {
    const memo = new RollupMemo(2);
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.7));
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.8));
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.7));
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.9));
    expect(memo.made).toBe(3);
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.7));
    expect(memo.made).toBe(3);
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.8));
    expect(memo.made).toBe(4);
  });

  it('keeps at most its budget of key characters', () => {
    const memo = new RollupMemo(100, 1);
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.7));
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.7));
    expect(memo.made).toBe(1);
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.8));
    memo.rollUp('v', EXAM_DECIDES, exam('passed', 0.7));
    expect(memo.made).toBe(3);
  });
});

describe('scorm-again issue #1701: a relaunch after the tab closed without "suspend all"', () => {
  const FORCED = course('<imsss:controlMode choice="false" flow="true"/>');

  /** The player's session up to the second SCO, then the tab closes: the state saved last. */
  function stateLeftInSecondSco(): string {
    const { api, settings } = newEngine(FORCED);
    api.processNavigationRequest('start');
    api.reset(settings, { preserveListeners: true });
    api.Initialize('');
    api.SetValue('adl.nav.request', 'continue');
    api.Terminate('');
    api.reset(settings, { preserveListeners: true });
    api.Initialize('');
    return api.serializeSequencingState();
  }

  function relaunch(state: string): { delivered: string[]; answers: Record<string, boolean> } {
    const delivered: string[] = [];
    const settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5, sequencing: { activityTree: FORCED.activityTree, logLevel: 'error', eventListeners: { onActivityDelivery: (a: { id: string }) => delivered.push(a.id) } } };
    const api = new (scorm2004Api())(settings);
    api.deserializeSequencingState(state);
    const answers: Record<string, boolean> = {};
    for (const request of ['resumeAll', 'start']) {
      answers[request] = api.processNavigationRequest(request);
      if (answers[request]) {
        break;
      }
    }
    return { delivered, answers };
  }

  it('locks the learner out with the state as saved (the upstream bug, reproduced)', () => {
    expect(relaunch(stateLeftInSecondSco())).toEqual({ delivered: [], answers: { resumeAll: false, start: false } });
  });

  it('resumes the learner in the SCO they were in once the server suspended the tree', () => {
    expect(relaunch(suspendIfLeftActive(FORCED, stateLeftInSecondSco()))).toEqual({ delivered: ['exam'], answers: { resumeAll: true } });
    expect(relaunch(stateForPlayer(FORCED, stateLeftInSecondSco(), { objectives: {}, data: {} })!).delivered).toEqual(['exam']);
  });

  it('leaves a state that is not left active as it is', () => {
    const { api } = newEngine(FORCED);
    const untouched = api.serializeSequencingState();
    expect(suspendIfLeftActive(FORCED, untouched)).toBe(untouched);
  });
});

describe('the state the player starts from', () => {
  const SHARED = course('<imsss:controlMode choice="true" flow="true"/>', {
    exam: '<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p"><imsss:mapInfo targetObjectiveID="urn:g" readSatisfiedStatus="true"/></imsss:primaryObjective></imsss:objectives></imsss:sequencing><adlcp:data><adlcp:map targetID="urn:notes" readSharedData="true" writeSharedData="true"/></adlcp:data>',
  });

  it('is null on a first launch with nothing shared', () => {
    expect(stateForPlayer(SHARED, null, { objectives: {}, data: {} })).toBeNull();
  });

  it('carries the learner-wide objectives and data stores the course reads, and no others', () => {
    const entry = { id: 'urn:g', satisfiedStatus: true, satisfiedStatusKnown: true };
    const text = stateForPlayer(SHARED, null, { objectives: { 'urn:g': entry, 'urn:other': entry }, data: { 'urn:notes': 'hello', 'urn:secret': 'no' } });
    const state = JSON.parse(text!) as { globalObjectiveMap: Record<string, unknown>; sharedData: Record<string, string> };
    expect(Object.keys(state.globalObjectiveMap)).toEqual(['urn:g']);
    expect(state.sharedData).toEqual({ 'urn:notes': 'hello' });
    const { api } = newEngine(SHARED);
    expect(api.deserializeSequencingState(text!)).toBe(true);
    expect(api.processNavigationRequest('start')).toBe(true);
  });

  it('shares nothing when the organization keeps its objectives and data to itself', () => {
    const own = course('<imsss:controlMode choice="true" flow="true"/>', {}, 'adlseq:objectivesGlobalToSystem="false" adlcp:sharedDataGlobalToSystem="false"');
    expect(stateForPlayer(own, null, { objectives: { 'urn:g': {} }, data: { 'urn:notes': 'x' } })).toBeNull();
  });
});
