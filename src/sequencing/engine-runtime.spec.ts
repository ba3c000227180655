import { compileSequencing } from './compile-sequencing';
import { scorm2004Api, type Scorm2004Api } from './engine';
import { parseManifest } from '../scorm/manifest-parser';
import { fileList } from '../../test/support/manifest-spec-helpers';

/**
 * The engine patches that change what a SCO sees or whether it is launched
 * (src/sequencing/engine-patches.json; the player's runtime has the same patches).
 */
describe('scorm-again runtime, patched', () => {
  const MANIFEST = `<?xml version="1.0"?>
<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>C</title>
    <item identifier="a" identifierref="R"><title>A</title>
      <imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="pa" satisfiedByMeasure="true">
        <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives></imsss:sequencing></item>
    <item identifier="b" identifierref="R"><title>B</title></item>
  </organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="sco.html"/></resources>
</manifest>`;

  function engine(): { api: Scorm2004Api; settings: Record<string, unknown>; delivered: string[] } {
    const activityTree = compileSequencing(parseManifest(Buffer.from(MANIFEST), fileList('sco.html')).manifest).sequencing.activityTree;
    const delivered: string[] = [];
    const settings = {
      autocommit: false,
      lmsCommitUrl: false,
      logLevel: 5,
      sequencing: {
        activityTree,
        logLevel: 'error',
        eventListeners: { onActivityDelivery: (a: { id: string; deliveryWasResumed: boolean }) => delivered.push(`${a.id}${a.deliveryWasResumed ? ' resumed' : ''}`) },
      },
    };
    const Api = scorm2004Api();
    return { api: new Api(settings), settings, delivered };
  }

  it('launches again a SCO that suspended itself and is chosen again in the same session (resumed-delivery-not-skipped)', () => {
    const { api, settings, delivered } = engine();
    api.processNavigationRequest('choice', 'a');
    api.reset(settings, { preserveListeners: true });
    api.Initialize('');
    api.SetValue('cmi.exit', 'suspend');
    api.SetValue('adl.nav.request', '{target=a}choice');
    api.Terminate('');
    expect(delivered).toEqual(['a', 'a resumed']);
  });

  it("gives the next SCO none of the previous SCO's launch values (sco-reset-clears-launch-settings, sco-reset-clears-thresholds)", () => {
    const { api, settings } = engine();
    api.processNavigationRequest('choice', 'a');
    api.reset(settings, { preserveListeners: true });
    api.loadFromJSON({ scaled_passing_score: '0.6', max_time_allowed: 'PT1H', time_limit_action: 'exit,message', credit: 'no-credit', mode: 'browse' });
    api.Initialize('');
    expect(api.GetValue('cmi.scaled_passing_score')).toBe('0.6');
    api.SetValue('adl.nav.request', '{target=b}choice');
    api.Terminate('');
    api.reset(settings, { preserveListeners: true });
    api.Initialize('');
    const read = (element: string): string => `${api.GetValue(element)}/${api.GetLastError()}`;
    expect(read('cmi.scaled_passing_score')).toBe('/403');
    expect(read('cmi.max_time_allowed')).toBe('/403');
    expect(read('cmi.time_limit_action')).toBe('continue,no message/0');
    expect(read('cmi.credit')).toBe('credit/0');
    expect(read('cmi.mode')).toBe('normal/0');
  });
});
