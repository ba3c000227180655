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
    const { api, settings, delivered } = startEngine(activityTree);
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

  it('refuses to load when a patch no longer matches its expected count', () => {
    expect(() => patchEngineSource('nothing to patch here', 'x.js')).toThrow(/engine patch "attempt-duration-limit-compares-itself": expected 1 match\(es\) in x\.js, found 0/);
    expect(ENGINE_PATCHES.every((p) => p.why.length > 20)).toBe(true);
  });
});
