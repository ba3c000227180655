import { ENGINE_PATCHES, patchEngineSource } from './engine';
import { compileSequencing } from './compile-sequencing';
import { parseManifest } from '../scorm/manifest-parser';
import { fileList } from '../../test/support/manifest-spec-helpers';
import { startEngine } from '../../test/support/headless-engine';

/** The engine in Node (docs/sequencing.md): loads, takes the compiled tree, delivers; each patch is needed. */
describe('scorm-again sequencing engine, headless', () => {
  function tree(secondItemSequencing: string) {
    const xml = Buffer.from(`<?xml version="1.0"?>
<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>C</title>
    <item identifier="a" identifierref="R"><title>A</title></item>
    <item identifier="b" identifierref="R"><title>B</title>${secondItemSequencing}</item>
    <imsss:sequencing><imsss:controlMode choice="false" flow="true"/></imsss:sequencing></organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="sco.html"/></resources>
</manifest>`);
    return compileSequencing(parseManifest(xml, fileList('sco.html')).manifest).sequencing.activityTree;
  }

  function play(activityTree: unknown): string[] {
    const { api, settings, delivered } = startEngine({ activityTree });
    api.reset(settings, { preserveListeners: true });
    expect(api.Initialize('')).toBe('true');
    expect(api.SetValue('adl.nav.request', 'continue')).toBe('true');
    expect(api.GetValue('adl.nav.request_valid.continue')).toBe('true');
    api.Terminate('');
    return delivered;
  }

  it('delivers the compiled tree in flow order', () => {
    expect(play(tree(''))).toEqual(['a', 'b']);
  });

  it('delivers an activity that has an attempt duration limit (patched)', () => {
    expect(play(tree('<imsss:sequencing><imsss:limitConditions attemptAbsoluteDurationLimit="PT1H"/></imsss:sequencing>'))).toEqual(['a', 'b']);
  });

  describe('a choice of a cluster (SN SB.2.9, UP.5)', () => {
    // The root and x flow; x holds cluster y (flow, "skip if attempted") with leaf y1, then leaf x2.
    const xml = Buffer.from(`<?xml version="1.0"?>
<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>C</title>
    <item identifier="x"><title>X</title>
      <item identifier="y"><title>Y</title>
        <item identifier="y1" identifierref="R"><title>Y1</title></item>
        <imsss:sequencing><imsss:controlMode flow="true"/><imsss:sequencingRules><imsss:preConditionRule>
          <imsss:ruleConditions><imsss:ruleCondition condition="attempted"/></imsss:ruleConditions><imsss:ruleAction action="skip"/>
        </imsss:preConditionRule></imsss:sequencingRules></imsss:sequencing></item>
      <item identifier="x2" identifierref="R"><title>X2</title></item>
      <imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing></item>
    <item identifier="z" identifierref="R"><title>Z</title></item>
    <imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing>
  </organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="sco.html"/></resources>
</manifest>`);

    /** Starts (flow delivers y1), then lets the SCO choose `target`: what is delivered. */
    function chooseAfterY1(target: string): string[] {
      const { api, settings, delivered } = startEngine(compileSequencing(parseManifest(xml, fileList('sco.html')).manifest).sequencing);
      api.reset(settings, { preserveListeners: true });
      api.Initialize('');
      api.SetValue('adl.nav.request', `{target=${target}}choice`);
      api.Terminate('');
      return delivered;
    }

    it('may choose a cluster that a skip rule would skip in flow (check-activity-ignores-skip)', () => {
      expect(chooseAfterY1('y')).toEqual(['y1', 'y1']);
    });

    it('flows into the chosen cluster, skipping what flow skips (choice-of-a-cluster-flows-into-it)', () => {
      expect(chooseAfterY1('x')).toEqual(['y1', 'x2']);
    });
  });

  it('refuses to load when a patch no longer matches its expected count', () => {
    expect(() => patchEngineSource('nothing to patch here', 'x.js')).toThrow(/engine patch "attempt-duration-limit-compares-itself": expected 1 match\(es\) in x\.js, found 0/);
    expect(ENGINE_PATCHES.every((p) => p.why.length > 20)).toBe(true);
  });
});
