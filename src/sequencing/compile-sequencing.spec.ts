import { parseManifest } from '../scorm/manifest-parser';
import { fileList } from '../../test/support/manifest-spec-helpers';
import { compileSequencing } from './compile-sequencing';
import type { Activity } from './sequencing.types';

/** A 2004 4th-edition manifest: `items` inside the organization (after `orgSeq`), a collection, one SCO resource. */
function manifest(items: string, opts: { orgSeq?: string; collection?: string; orgAttrs?: string } = {}): Buffer {
  return Buffer.from(`<?xml version="1.0"?>
<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O" ${opts.orgAttrs ?? ''}><title>Course</title>${items}${opts.orgSeq ?? ''}</organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="sco.html"/></resources>
  ${opts.collection ? `<imsss:sequencingCollection>${opts.collection}</imsss:sequencingCollection>` : ''}
</manifest>`);
}

const leaf = (id: string, seq = '', extra = ''): string => `<item identifier="${id}" identifierref="R"><title>${id}</title>${extra}${seq}</item>`;

function compile(xml: Buffer): ReturnType<typeof compileSequencing> {
  return compileSequencing(parseManifest(xml, fileList('sco.html')).manifest);
}

function activity(root: Activity, id: string): Activity {
  const stack = [root];
  while (stack.length > 0) {
    const a = stack.pop()!;
    if (a.id === id) {
      return a;
    }
    stack.push(...(a.children ?? []));
  }
  throw new Error(`no activity ${id}`);
}

describe('compileSequencing', () => {
  it('makes the organization the root activity and writes the CAM defaults out', () => {
    const { sequencing, warnings } = compile(manifest(leaf('a') + leaf('b')));
    expect(warnings).toEqual([]);
    const root = sequencing.activityTree;
    expect(root).toMatchObject({ id: 'O', title: 'Course', attemptLimit: null });
    expect(root.children?.map((c) => c.id)).toEqual(['a', 'b']);
    expect(root.sequencingControls).toMatchObject({ choice: true, choiceExit: true, flow: false, forwardOnly: false, useCurrentAttemptObjectiveInfo: true });
    expect(root.deliveryControls).toEqual({ tracked: true, completionSetByContent: false, objectiveSetByContent: false });
    expect(root.rollupConsiderations.requiredForSatisfied).toBe('always');
    expect(sequencing).toMatchObject({ objectivesGlobalToSystem: true, sharedDataGlobalToSystem: true });
  });

  it('compiles controlMode, limitConditions, deliveryControls and randomizationControls', () => {
    const seq = `<imsss:sequencing><imsss:controlMode choice="false" flow="true" forwardOnly="1" choiceExit="false" useCurrentAttemptProgressInfo="false"/>
      <imsss:limitConditions attemptLimit="2" attemptAbsoluteDurationLimit="PT1H"/>
      <imsss:randomizationControls selectCount="1" reorderChildren="true" selectionTiming="onEachNewAttempt" randomizationTiming="once"/>
      <imsss:deliveryControls tracked="false" completionSetByContent="true" objectiveSetByContent="true"/></imsss:sequencing>`;
    const a = activity(compile(manifest(leaf('a', seq) + leaf('b'))).sequencing.activityTree, 'a');
    expect(a.sequencingControls).toMatchObject({
      choice: false,
      flow: true,
      forwardOnly: true,
      choiceExit: false,
      useCurrentAttemptProgressInfo: false,
      selectCount: 1,
      reorderChildren: true,
      randomizeChildren: true,
      selectionTiming: 'onEachNewAttempt',
      randomizationTiming: 'once',
    });
    expect(a.attemptLimit).toBe(2);
    expect(a.attemptAbsoluteDurationLimit).toBe('PT1H');
    expect(a.deliveryControls).toEqual({ tracked: false, completionSetByContent: true, objectiveSetByContent: true });
  });

  it('compiles pre, exit and post condition rules with operator, combination, referenced objective and threshold', () => {
    const seq = `<imsss:sequencing><imsss:sequencingRules>
      <imsss:preConditionRule><imsss:ruleConditions conditionCombination="any">
        <imsss:ruleCondition condition="satisfied" operator="not" referencedObjective="obj1"/>
        <imsss:ruleCondition condition="objectiveMeasureGreaterThan" measureThreshold="0.5"/></imsss:ruleConditions>
        <imsss:ruleAction action="skip"/></imsss:preConditionRule>
      <imsss:exitConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="completed"/></imsss:ruleConditions><imsss:ruleAction action="exit"/></imsss:exitConditionRule>
      <imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="always"/></imsss:ruleConditions><imsss:ruleAction action="retry"/></imsss:postConditionRule>
      </imsss:sequencingRules></imsss:sequencing>`;
    const a = activity(compile(manifest(leaf('a', seq))).sequencing.activityTree, 'a');
    expect(a.sequencingRules.preConditionRules).toEqual([
      {
        action: 'skip',
        conditionCombination: 'any',
        conditions: [
          { condition: 'satisfied', operator: 'not', referencedObjective: 'obj1' },
          { condition: 'objectiveMeasureGreaterThan', parameters: { threshold: 0.5 } },
        ],
      },
    ]);
    expect(a.sequencingRules.exitConditionRules).toEqual([{ action: 'exit', conditionCombination: 'all', conditions: [{ condition: 'completed' }] }]);
    expect(a.sequencingRules.postConditionRules[0].action).toBe('retry');
  });

  it('drops a rule whose action belongs to another rule kind, with a warning', () => {
    const seq = `<imsss:sequencing><imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="always"/></imsss:ruleConditions>
      <imsss:ruleAction action="exitAll"/></imsss:preConditionRule></imsss:sequencingRules></imsss:sequencing>`;
    const { sequencing, warnings } = compile(manifest(leaf('a', seq)));
    expect(activity(sequencing.activityTree, 'a').sequencingRules.preConditionRules).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['invalid_value', 'sequencing_unsupported']);
  });

  it('gives the engine minimumPercent as a percentage', () => {
    const orgSeq = `<imsss:sequencing><imsss:rollupRules><imsss:rollupRule childActivitySet="atLeastPercent" minimumPercent="0.5"><imsss:rollupConditions>
        <imsss:rollupCondition condition="completed"/></imsss:rollupConditions><imsss:rollupAction action="completed"/></imsss:rollupRule></imsss:rollupRules></imsss:sequencing>`;
    const root = compile(manifest(leaf('a') + leaf('b'), { orgSeq })).sequencing.activityTree;
    expect(root.rollupRules.rules[0]).toMatchObject({ consideration: 'atLeastPercent', minimumPercent: 50 });
  });

  it('compiles rollup rules and controls, mapping activityProgressKnown to the engine name', () => {
    const orgSeq = `<imsss:sequencing><imsss:rollupRules rollupObjectiveSatisfied="false" objectiveMeasureWeight="0.5">
      <imsss:rollupRule childActivitySet="atLeastCount" minimumCount="2"><imsss:rollupConditions conditionCombination="all">
        <imsss:rollupCondition condition="activityProgressKnown" operator="not"/><imsss:rollupCondition condition="completed"/></imsss:rollupConditions>
        <imsss:rollupAction action="incomplete"/></imsss:rollupRule></imsss:rollupRules></imsss:sequencing>`;
    const root = compile(manifest(leaf('a') + leaf('b'), { orgSeq })).sequencing.activityTree;
    expect(root.sequencingControls).toMatchObject({ rollupObjectiveSatisfied: false, rollupProgressCompletion: true, objectiveMeasureWeight: 0.5 });
    expect(root.rollupRules.rules).toEqual([
      {
        action: 'incomplete',
        conditionCombination: 'all',
        consideration: 'atLeastCount',
        minimumCount: 2,
        minimumPercent: 0,
        conditions: [{ condition: 'progressKnown', operator: 'not' }, { condition: 'completed' }],
      },
    ]);
  });

  it('compiles objectives: primary, others, imsss and adlseq map infos merged per target with explicit flags', () => {
    const seq = `<imsss:sequencing><imsss:objectives>
        <imsss:primaryObjective objectiveID="p" satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>
          <imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/></imsss:primaryObjective>
        <imsss:objective objectiveID="o2"><imsss:mapInfo targetObjectiveID="g2" readNormalizedMeasure="false"/></imsss:objective>
      </imsss:objectives>
      <adlseq:objectives><adlseq:objective objectiveID="p"><adlseq:mapInfo targetObjectiveID="g1" writeCompletionStatus="true"/>
        <adlseq:mapInfo targetObjectiveID="g3" readRawScore="false"/></adlseq:objective></adlseq:objectives></imsss:sequencing>`;
    const { sequencing, warnings } = compile(manifest(leaf('a', seq)));
    expect(warnings).toEqual([]);
    const a = activity(sequencing.activityTree, 'a');
    expect(a.primaryObjective).toMatchObject({ objectiveID: 'p', isPrimary: true, satisfiedByMeasure: true, minNormalizedMeasure: 0.6 });
    expect(a.primaryObjective?.mapInfo).toEqual([
      expect.objectContaining({ targetObjectiveID: 'g1', readSatisfiedStatus: true, writeSatisfiedStatus: true, writeCompletionStatus: true, readCompletionStatus: true }),
      expect.objectContaining({ targetObjectiveID: 'g3', readSatisfiedStatus: false, readNormalizedMeasure: false, readCompletionStatus: true, readRawScore: false }),
    ]);
    expect(a.objectives).toEqual([expect.objectContaining({ objectiveID: 'o2', isPrimary: false, satisfiedByMeasure: false, minNormalizedMeasure: 1 })]);
    expect(a.objectives[0].mapInfo[0]).toMatchObject({ targetObjectiveID: 'g2', readSatisfiedStatus: true, readNormalizedMeasure: false, readCompletionStatus: false });
  });

  it('takes objective IDs as URIs: trimmed and percent-decoded, in references too, an escaped run of spaces as one', () => {
    const seq = `<imsss:sequencing><imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions conditionCombination="all">
        <imsss:ruleCondition condition="satisfied" referencedObjective=" ob%20j%201 "/>
        <imsss:ruleCondition condition="objectiveStatusKnown" referencedObjective="    ob%20%20%20j%20%201  "/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>
      <imsss:objectives><imsss:primaryObjective/><imsss:objective objectiveID = " ob%20j%201     "/></imsss:objectives></imsss:sequencing>`;
    const a = activity(compile(manifest(leaf('a', seq))).sequencing.activityTree, 'a');
    expect(a.objectives.map((o) => o.objectiveID)).toEqual(['ob j 1']);
    expect(a.sequencingRules.preConditionRules[0].conditions.map((c) => c.referencedObjective)).toEqual(['ob j 1', 'ob j 1']);
  });

  it('keeps an id-less primary objective (its measure rules still apply)', () => {
    const seq = `<imsss:sequencing><imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true"/></imsss:objectives></imsss:sequencing>`;
    const a = activity(compile(manifest(leaf('a', seq))).sequencing.activityTree, 'a');
    expect(a.primaryObjective).toMatchObject({ objectiveID: '', satisfiedByMeasure: true, minNormalizedMeasure: 1 });
  });

  it('compiles the adlseq considerations, completion threshold, hideLMSUI and adlcp:data with CAM defaults', () => {
    const seq = `<imsss:sequencing><adlseq:constrainedChoiceConsiderations preventActivation="true" constrainChoice="true"/>
      <adlseq:rollupConsiderations requiredForSatisfied="ifAttempted" measureSatisfactionIfActive="false"/></imsss:sequencing>`;
    const extra = `<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.4" progressWeight="0.5"/>
      <adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI><adlnav:hideLMSUI>exitAll</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation>
      <adlcp:data><adlcp:map targetID="s1"/><adlcp:map targetID="s2" readSharedData="false" writeSharedData="false"/></adlcp:data>`;
    const a = activity(compile(manifest(leaf('a', seq, extra))).sequencing.activityTree, 'a');
    expect(a.sequencingControls).toMatchObject({ preventActivation: true, constrainChoice: true });
    expect(a.rollupConsiderations).toEqual({
      requiredForSatisfied: 'ifAttempted',
      requiredForNotSatisfied: 'always',
      requiredForCompleted: 'always',
      requiredForIncomplete: 'always',
      measureSatisfactionIfActive: false,
    });
    expect(a.completionThreshold).toEqual({ completedByMeasure: true, minProgressMeasure: 0.4, progressWeight: 0.5 });
    expect(a.hideLmsUi).toEqual(['continue', 'exitAll']);
    expect(a.sharedDataMaps).toEqual([
      { targetID: 's1', readSharedData: true, writeSharedData: true },
      { targetID: 's2', readSharedData: false, writeSharedData: false },
    ]);
  });

  it('resolves IDRef against the sequencingCollection, the item’s own elements winning', () => {
    const collection = `<imsss:sequencing ID="shared"><imsss:controlMode flow="true" choice="false"/><imsss:limitConditions attemptLimit="3"/></imsss:sequencing>`;
    const seq = `<imsss:sequencing IDRef="  shared  "><imsss:limitConditions attemptLimit="1"/></imsss:sequencing>`;
    const inner = `<item identifier="c"><title>c</title>${leaf('a')}${seq}</item>`;
    const { sequencing, warnings } = compile(manifest(inner + leaf('b'), { collection }));
    expect(warnings).toEqual([]);
    const c = activity(sequencing.activityTree, 'c');
    expect(c.sequencingControls).toMatchObject({ flow: true, choice: false });
    expect(c.attemptLimit).toBe(1);
  });

  it('warns when IDRef names nothing in the collection', () => {
    const seq = `<imsss:sequencing IDRef="nope"><imsss:controlMode flow="true"/></imsss:sequencing>`;
    const { sequencing, warnings } = compile(manifest(leaf('a', seq) + leaf('b')));
    expect(activity(sequencing.activityTree, 'a').sequencingControls.flow).toBe(true);
    expect(warnings.map((w) => w.code)).toContain('unresolved_sequencing_ref');
  });

  it('names every construct it does not compile in a sequencing_unsupported warning', () => {
    const seq = `<imsss:sequencing><imsss:limitConditions beginTimeLimit="2020-01-01T00:00:00" attemptLimit="1"/>
      <imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="always"/></imsss:ruleConditions>
        <imsss:ruleAction action="skip"/><imsss:extra/></imsss:preConditionRule></imsss:sequencingRules></imsss:sequencing>`;
    const { warnings } = compile(manifest(leaf('a', seq)));
    expect(warnings.map((w) => w.message).sort()).toEqual([
      expect.stringContaining('sequencing construct imsss:sequencing/imsss:limitConditions@beginTimeLimit is not supported'),
      expect.stringContaining('sequencing construct imsss:sequencing/imsss:sequencingRules/imsss:preConditionRule/imsss:extra is not supported'),
    ]);
    expect(warnings.every((w) => w.code === 'sequencing_unsupported')).toBe(true);
  });

  it('applies the single-activity rule: one leaf under a default root flows and has no choice', () => {
    expect(compile(manifest(leaf('a'))).sequencing.activityTree.sequencingControls).toMatchObject({ flow: true, choice: false });
    const written = compile(manifest(leaf('a'), { orgSeq: '<imsss:sequencing><imsss:controlMode choice="true"/></imsss:sequencing>' }));
    expect(written.sequencing.activityTree.sequencingControls).toMatchObject({ flow: false, choice: true });
    expect(compile(manifest(leaf('a') + leaf('b'))).sequencing.activityTree.sequencingControls).toMatchObject({ flow: false, choice: true });
  });

  it('reads the organization’s global scopes', () => {
    const { sequencing } = compile(manifest(leaf('a'), { orgAttrs: 'adlseq:objectivesGlobalToSystem="false" adlcp:sharedDataGlobalToSystem="false"' }));
    expect(sequencing).toMatchObject({ objectivesGlobalToSystem: false, sharedDataGlobalToSystem: false });
  });
});
