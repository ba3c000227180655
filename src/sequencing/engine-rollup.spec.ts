import { compileSequencing } from './compile-sequencing';
import { parseManifest } from '../scorm/manifest-parser';
import { fileList } from '../../test/support/manifest-spec-helpers';
import { startEngine } from '../../test/support/headless-engine';

/**
 * The rollup patches of engine-patches.json (docs/sequencing.md), each shown by what the learner is
 * delivered next: a cluster C whose exit rule leaves it once it is satisfied, so whether C counts as
 * satisfied decides the next SCO.
 */
describe('scorm-again engine rollup, as the SN book has it (patched)', () => {
  const sco = (id: string, sequencing = '') => `<item identifier="${id}" identifierref="R"><title>${id}</title>${sequencing}</item>`;
  const leaveWhenSatisfied = (postAction: string) => `<imsss:sequencingRules>
      <imsss:exitConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions><imsss:ruleAction action="exit"/></imsss:exitConditionRule>
      <imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions><imsss:ruleAction action="${postAction}"/></imsss:postConditionRule>
    </imsss:sequencingRules>`;

  function compile(organization: string, orgAttrs = '') {
    const xml = Buffer.from(`<?xml version="1.0"?>
<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O" ${orgAttrs}><title>T</title>${organization}</organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="sco.html"/></resources>
</manifest>`);
    return compileSequencing(parseManifest(xml, fileList('sco.html')).manifest).sequencing;
  }

  /** Root (flow) → w, C (flow; its sequencing given), z. */
  function treeWithCluster(children: string, clusterSequencing: string) {
    return compile(`${sco('w')}
    <item identifier="C"><title>C</title>${children}
      <imsss:sequencing><imsss:controlMode choice="false" flow="true"/>${clusterSequencing}</imsss:sequencing></item>
    ${sco('z')}
    <imsss:sequencing><imsss:controlMode choice="false" flow="true"/></imsss:sequencing>`);
  }

  /** Plays the SCOs in delivery order, each setting its values and ending with its navigation request; answers what was delivered. */
  function play(sequencing: ReturnType<typeof compile>, steps: Array<[Record<string, string>, string]>): string[] {
    const { api, settings, delivered } = startEngine(sequencing);
    for (const [values, request] of steps) {
      api.reset(settings, { preserveListeners: true });
      api.Initialize('');
      for (const [element, value] of Object.entries(values)) {
        expect(api.SetValue(element, value)).toBe('true');
      }
      api.SetValue('adl.nav.request', request);
      api.Terminate('');
    }
    return delivered;
  }

  it('RB.1.4: a child whose completion is unknown is neither completed nor not completed for "none" (rollup-rule-check-three-valued)', () => {
    const tree = treeWithCluster(
      sco('a') + sco('b'),
      `${leaveWhenSatisfied('continue')}<imsss:rollupRules><imsss:rollupRule childActivitySet="none">
        <imsss:rollupConditions><imsss:rollupCondition condition="completed"/></imsss:rollupConditions><imsss:rollupAction action="satisfied"/></imsss:rollupRule></imsss:rollupRules>`,
    );
    const incomplete = { 'cmi.completion_status': 'incomplete' };
    // After a alone, b is unknown: "none completed" does not hold yet, so b comes next; after b it holds and C is left.
    expect(play(tree, [[{}, 'continue'], [incomplete, 'continue'], [incomplete, 'continue']])).toEqual(['w', 'a', 'b', 'z']);
  });

  it('SN 4.6.5: a cluster with its own satisfied rule gets no default "satisfied if all satisfied" (objective-rollup-process-as-sn)', () => {
    const tree = treeWithCluster(
      sco('a') + sco('b'),
      `${leaveWhenSatisfied('continue')}<imsss:rollupRules><imsss:rollupRule childActivitySet="all">
        <imsss:rollupConditions><imsss:rollupCondition condition="completed"/></imsss:rollupConditions><imsss:rollupAction action="satisfied"/></imsss:rollupRule></imsss:rollupRules>`,
    );
    // a and b end satisfied (objectiveSetByContent is false) but a is incomplete: the rule does not fire, so
    // C is not satisfied and b's Previous goes back to a (the default rule would have made C exit to z).
    expect(play(tree, [[{}, 'continue'], [{ 'cmi.completion_status': 'incomplete' }, 'continue'], [{ 'cmi.completion_status': 'completed' }, 'previous']])).toEqual(['w', 'a', 'b', 'a']);
  });

  const byMeasure = (ifActive: boolean) => `${leaveWhenSatisfied('previous')}
    <imsss:objectives><imsss:primaryObjective objectiveID="C-primary" satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>
    <adlseq:rollupConsiderations measureSatisfactionIfActive="${ifActive}"/>`;
  const lightB = sco('b', '<imsss:sequencing><imsss:rollupRules objectiveMeasureWeight="0.25"/></imsss:sequencing>');

  it('RB.1.1: the measure is divided by the weights of every tracked child, unattempted ones too (measure-rollup-counts-every-tracked-child)', () => {
    const tree = treeWithCluster(sco('a') + sco('a2') + lightB, byMeasure(true));
    // a 0.5 alone: 0.5 / 2.25 (not 0.5 / 1); a 0.5, a2 0.75: 1.25 / 2.25 = 0.56 < 0.6 (not 0.625), so b is delivered.
    const scored = (score: string) => ({ 'cmi.score.scaled': score });
    expect(play(tree, [[{}, 'continue'], [scored('0.5'), 'continue'], [scored('0.75'), 'continue']])).toEqual(['w', 'a', 'a2', 'b']);
  });

  it('RB.1.2.a: measureSatisfactionIfActive="false" leaves an active cluster unsatisfied until its attempt ends (objective-rollup-process-as-sn, end-attempt-rolls-up-the-cluster-itself)', () => {
    const scoredA = { 'cmi.score.scaled': '1' };
    // 1.0 / 1.25 = 0.8 ≥ 0.6: with the default (true) C is satisfied at once and its post-condition goes back to w.
    expect(play(treeWithCluster(sco('a') + lightB, byMeasure(true)), [[{}, 'continue'], [scoredA, 'continue']])).toEqual(['w', 'a', 'w']);
    // With false, C stays unknown while active: b is delivered; once C has ended (z delivered) it is satisfied,
    // so "skip if satisfied" makes z's Previous pass over C to w.
    const tree = treeWithCluster(sco('a') + lightB, `${byMeasure(false)}`.replace('<imsss:sequencingRules>', '<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>'));
    expect(play(tree, [[{}, 'continue'], [scoredA, 'continue'], [{}, 'continue'], [{}, 'previous']])).toEqual(['w', 'a', 'b', 'z', 'w']);
  });

  it('RB.1.4: an untracked child is in the rollup with nothing known of it (rollup-rule-check-three-valued)', () => {
    const untracked = (id: string) => sco(id, '<imsss:sequencing><imsss:deliveryControls tracked="false"/></imsss:sequencing>');
    const tree = treeWithCluster(
      untracked('a') + untracked('b'),
      `<imsss:sequencingRules>
        <imsss:exitConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="completed"/></imsss:ruleConditions><imsss:ruleAction action="exit"/></imsss:exitConditionRule>
        <imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="completed"/></imsss:ruleConditions><imsss:ruleAction action="continue"/></imsss:postConditionRule>
      </imsss:sequencingRules>
      <imsss:rollupRules><imsss:rollupRule childActivitySet="all"><imsss:rollupConditions><imsss:rollupCondition operator="not" condition="objectiveStatusKnown"/></imsss:rollupConditions><imsss:rollupAction action="completed"/></imsss:rollupRule></imsss:rollupRules>`,
    );
    // Neither child has a known objective status, so C is completed as soon as a ends and is left for z (left out, the set was empty and b came next).
    expect(play(tree, [[{}, 'continue'], [{ 'cmi.success_status': 'passed' }, 'continue']])).toEqual(['w', 'a', 'z']);
  });

  describe('RB.1.4.2: which children count towards a cluster\'s completion (adlseq:rollupConsiderations)', () => {
    const leaveWhenCompleted = `<imsss:sequencingRules><imsss:exitConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="completed"/></imsss:ruleConditions><imsss:ruleAction action="exit"/></imsss:exitConditionRule></imsss:sequencingRules>`;
    const requiredForCompleted = (value: string) => `<adlseq:rollupConsiderations requiredForCompleted="${value}"/>`;

    it('"ifAttempted" counts a cluster that has been attempted, not only one whose attempt reported progress (rollup-child-activity-progress-status)', () => {
      const tree = treeWithCluster(
        `<item identifier="P"><title>P</title>${sco('p1')}<imsss:sequencing><imsss:controlMode choice="false" flow="true"/>${requiredForCompleted('ifAttempted')}</imsss:sequencing></item>
        ${sco('r', `<imsss:sequencing>${requiredForCompleted('ifAttempted')}</imsss:sequencing>`)}`,
        leaveWhenCompleted,
      );
      // P (attempted, completed) is the only child counted — r was never attempted — so C is completed and left for z.
      expect(play(tree, [[{}, 'continue'], [{}, 'continue']])).toEqual(['w', 'p1', 'z']);
    });

    it('"ifNotSkipped" leaves out a child its skip rule would skip now, skipped by flow or not (rollup-child-not-skipped-by-its-rules)', () => {
      const tree = treeWithCluster(
        `${sco('r')}
        <item identifier="Q"><title>Q</title>${sco('q1')}${sco('q2')}<imsss:sequencing><imsss:controlMode choice="false" flow="true"/>
          <imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>
          <imsss:objectives><imsss:primaryObjective objectiveID="Q-primary" satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.5</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>
          ${requiredForCompleted('ifNotSkipped')}</imsss:sequencing></item>`,
        leaveWhenCompleted,
      );
      // Q was entered unsatisfied; q1's 1.0 makes it satisfied (1.0 / 2 ≥ 0.5), so "skip if satisfied" leaves it out of
      // C's completion: r alone decides, C is completed and left for z before q2.
      expect(play(tree, [[{}, 'continue'], [{}, 'continue'], [{ 'cmi.score.scaled': '1' }, 'continue']])).toEqual(['w', 'r', 'q1', 'z']);
    });
  });

  describe('objectivesGlobalToSystem="false": the global objectives belong to the attempt on the tree (objectives-local-to-the-tree-attempt)', () => {
    // a writes its result to g through its primary objective and reads g through obj1; once a has been attempted it is
    // skipped while obj1 is unknown. The root reads g and retries itself when not satisfied.
    const organization = `
      <item identifier="a" identifierref="R"><title>a</title><imsss:sequencing>
        <imsss:sequencingRules>
          <imsss:preConditionRule><imsss:ruleConditions conditionCombination="all"><imsss:ruleCondition condition="attempted"/><imsss:ruleCondition referencedObjective="obj1" operator="not" condition="objectiveStatusKnown"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>
          <imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="always"/></imsss:ruleConditions><imsss:ruleAction action="exitParent"/></imsss:postConditionRule>
        </imsss:sequencingRules>
        <imsss:objectives>
          <imsss:primaryObjective objectiveID="p"><imsss:mapInfo targetObjectiveID="g" readSatisfiedStatus="false" writeSatisfiedStatus="true"/></imsss:primaryObjective>
          <imsss:objective objectiveID="obj1"><imsss:mapInfo targetObjectiveID="g"/></imsss:objective>
        </imsss:objectives></imsss:sequencing></item>
      ${sco('b')}
      <imsss:sequencing><imsss:controlMode choice="false" flow="true"/>
        <imsss:sequencingRules><imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition operator="not" condition="satisfied"/></imsss:ruleConditions><imsss:ruleAction action="retry"/></imsss:postConditionRule></imsss:sequencingRules>
        <imsss:objectives><imsss:primaryObjective objectiveID="root"><imsss:mapInfo targetObjectiveID="g"/></imsss:primaryObjective></imsss:objectives>
      </imsss:sequencing>`;
    const failedA: Array<[Record<string, string>, string]> = [[{ 'cmi.success_status': 'failed' }, 'continue']];

    it('a retry of the root starts them unknown: a is skipped', () => {
      expect(play(compile(organization, 'adlseq:objectivesGlobalToSystem="false"'), failedA)).toEqual(['a', 'b']);
    });

    it('shared with the system (the default), they are kept: a is delivered again', () => {
      expect(play(compile(organization), failedA)).toEqual(['a', 'a']);
    });
  });

  it('an untracked activity has no known progress, whatever it reads (untracked-activity-progress-unknown)', () => {
    const tree = compile(`
      <item identifier="w" identifierref="R"><title>w</title><imsss:sequencing>
        <imsss:objectives><imsss:primaryObjective objectiveID="P"/></imsss:objectives>
        <adlseq:objectives><adlseq:objective objectiveID="P"><adlseq:mapInfo targetObjectiveID="g" writeCompletionStatus="true"/></adlseq:objective></adlseq:objectives>
      </imsss:sequencing></item>
      <item identifier="C"><title>C</title>${sco('a')}<imsss:sequencing><imsss:controlMode choice="false" flow="true"/>
        <imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="activityProgressKnown"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>
        <imsss:objectives><imsss:primaryObjective objectiveID="P"/></imsss:objectives>
        <imsss:deliveryControls tracked="false"/>
        <adlseq:objectives><adlseq:objective objectiveID="P"><adlseq:mapInfo targetObjectiveID="g"/></adlseq:objective></adlseq:objectives>
      </imsss:sequencing></item>
      ${sco('z')}
      <imsss:sequencing><imsss:controlMode choice="false" flow="true"/></imsss:sequencing>`);
    // w writes "completed" to g, which C reads; C tracks nothing, so "skip if activity progress known" does not skip it.
    expect(play(tree, [[{ 'cmi.completion_status': 'completed' }, 'continue']])).toEqual(['w', 'a']);
  });
});
