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
        eventListeners: {
          onActivityDelivery: (a: { id: string; deliveryWasResumed: boolean }) => delivered.push(`${a.id}${a.deliveryWasResumed ? ' resumed' : ''}`),
        },
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

  describe('data model values and error codes (RTE)', () => {
    function initialized(): Scorm2004Api {
      const api = new (scorm2004Api())({ autocommit: false, lmsCommitUrl: false, logLevel: 5 });
      api.Initialize('');
      return api;
    }
    const set = (api: Scorm2004Api, element: string, value: string): string => `${api.SetValue(element, value)}/${api.GetLastError()}`;
    const get = (api: Scorm2004Api, element: string): string => `${api.GetValue(element)}/${api.GetLastError()}`;

    it('takes an empty location (location-may-be-empty, comment-location-may-be-empty)', () => {
      const api = initialized();
      expect(set(api, 'cmi.location', 'page 3')).toBe('true/0');
      expect(set(api, 'cmi.location', '')).toBe('true/0');
      expect(get(api, 'cmi.location')).toBe('/0');
      expect(set(api, 'cmi.comments_from_learner.0.location', '')).toBe('true/0');
    });

    it('answers 301 for an entry past _count (get-past-count-general-failure)', () => {
      const api = initialized();
      expect(get(api, 'cmi.objectives.0.id')).toBe('/301');
      expect(set(api, 'cmi.objectives.0.id', 'o1')).toBe('true/0');
      expect(get(api, 'cmi.objectives.1.id')).toBe('/301');
      expect(get(api, 'cmi.objectives.0.description')).toBe('/403');
    });

    it('refuses an identifier that is not a URI and leaves no entry behind (long-identifier-is-a-uri, failed-set-adds-no-entry)', () => {
      const api = initialized();
      expect(set(api, 'cmi.objectives.0.id', 'urn:')).toBe('false/406');
      expect(set(api, 'cmi.objectives.0.id', 'urn:adl:lms Test/OBJ01')).toBe('false/406');
      expect(set(api, 'cmi.objectives.0.id', '')).toBe('false/406');
      expect(get(api, 'cmi.objectives._count')).toBe('0/0');
      expect(get(api, 'cmi.objectives.0.id')).toBe('/301');
      expect(set(api, 'cmi.objectives.0.id', 'urn:adl:lmsTest/OBJ01')).toBe('true/0');
      expect(get(api, 'cmi.objectives._count')).toBe('1/0');
    });

    it("lists _children in the order of ADL's implementation (children-lists-in-adl-order, learner-comments-children-in-adl-order)", () => {
      const api = initialized();
      expect(get(api, 'cmi.score._children')).toBe('min,max,scaled,raw/0');
      expect(get(api, 'cmi.objectives._children')).toBe('success_status,progress_measure,description,id,completion_status,score/0');
      expect(get(api, 'cmi.interactions._children')).toBe(
        'description,id,type,objectives,timestamp,result,learner_response,weighting,latency,correct_responses/0',
      );
      expect(get(api, 'cmi.learner_preference._children')).toBe('language,delivery_speed,audio_captioning,audio_level/0');
      expect(get(api, 'cmi.comments_from_learner._children')).toBe('location,comment,timestamp/0');
      expect(get(api, 'cmi.comments_from_lms._children')).toBe('comment,timestamp,location/0');
    });

    it('takes a time from 1970 to 2038 with at most two fraction digits (time-within-rte-range)', () => {
      const api = initialized();
      expect(set(api, 'cmi.comments_from_learner.0.timestamp', '2038')).toBe('true/0');
      expect(set(api, 'cmi.comments_from_learner.0.timestamp', '2039')).toBe('false/406');
      expect(set(api, 'cmi.comments_from_learner.0.timestamp', '2004-04-01T09:45:58.025')).toBe('false/406');
      expect(set(api, 'cmi.comments_from_learner.0.timestamp', '2004-04-01T09:45:58.55-03:00')).toBe('true/0');
    });

    it('needs the interaction id before its objectives and result, and leaves no interaction behind (interaction-objective-needs-interaction-id, interaction-result-needs-interaction-id)', () => {
      const api = initialized();
      expect(set(api, 'cmi.interactions.0.objectives.0.id', 'INTOBJ1')).toBe('false/408');
      expect(set(api, 'cmi.interactions.0.result', 'incorrect')).toBe('false/408');
      expect(get(api, 'cmi.interactions._count')).toBe('0/0');
      expect(get(api, 'cmi.interactions.0.result')).toBe('/301');
      expect(set(api, 'cmi.interactions.0.id', 'INT1')).toBe('true/0');
      expect(set(api, 'cmi.interactions.0.objectives.0.id', 'INTOBJ1')).toBe('true/0');
      expect(set(api, 'cmi.interactions.0.result', 'incorrect')).toBe('true/0');
      expect(get(api, 'cmi.interactions.0.objectives._count')).toBe('1/0');
    });

    it("changes an interaction's id (interaction-id-may-change)", () => {
      const api = initialized();
      expect(set(api, 'cmi.interactions.0.id', 'INT1')).toBe('true/0');
      expect(set(api, 'cmi.interactions.0.id', 'MYID01')).toBe('true/0');
      expect(get(api, 'cmi.interactions.0.id')).toBe('MYID01/0');
      expect(set(api, 'cmi.interactions.1.id', 'MYID01')).toBe('true/0');
    });

    /** An interaction with an id and a type, for its responses. */
    function interaction(api: Scorm2004Api, n: number, type: string): void {
      expect(set(api, `cmi.interactions.${n}.id`, `i${n}`)).toBe('true/0');
      expect(set(api, `cmi.interactions.${n}.type`, type)).toBe('true/0');
    }

    it('checks a correct response pattern by its interaction type (correct-response-pattern-by-type, correct-response-may-be-empty)', () => {
      const api = initialized();
      const pattern = (n: number): string => `cmi.interactions.${n}.correct_responses.0.pattern`;
      interaction(api, 0, 'fill-in');
      expect(set(api, pattern(0), 'a[,]b[,]a')).toBe('true/0');
      expect(set(api, pattern(0), '[,]')).toBe('true/0');
      expect(set(api, pattern(0), '{lang=frl}z')).toBe('false/406');
      expect(set(api, pattern(0), '{order_matters=invalid}z')).toBe('false/406');
      expect(set(api, pattern(0), '{lang=eng}{case_matters=invalid}a')).toBe('true/0');
      expect(get(api, pattern(0))).toBe('{lang=eng}{case_matters=invalid}a/0');
      interaction(api, 1, 'long-fill-in');
      expect(set(api, pattern(1), '')).toBe('true/0');
      expect(set(api, pattern(1), `{lang=eng}{case_matters=true}${'x'.repeat(4000)}`)).toBe('true/0');
      interaction(api, 2, 'numeric');
      expect(set(api, pattern(2), '1.5[:]300')).toBe('true/0');
      expect(set(api, pattern(2), '300[:]1.5')).toBe('false/406');
      interaction(api, 3, 'other');
      expect(set(api, pattern(3), 'uri[.]abcd[,]testuri')).toBe('true/0');
      interaction(api, 4, 'choice');
      expect(set(api, pattern(4), '')).toBe('true/0');
      expect(set(api, pattern(4), 'a[,]a')).toBe('false/406');
    });

    it('checks choice ids as URIs and takes any fill-in text (choice-identifiers-are-uris, fill-in-response-text-may-open-with-a-brace)', () => {
      const api = initialized();
      interaction(api, 0, 'choice');
      expect(set(api, 'cmi.interactions.0.learner_response', 'uri.uri.uri.abcd[,]testuri')).toBe('true/0');
      expect(set(api, 'cmi.interactions.0.learner_response', '{}{[]}{}{[]}{}')).toBe('false/406');
      expect(set(api, 'cmi.interactions.0.correct_responses.0.pattern', '{}{[]}{}{[]}{}')).toBe('false/406');
      interaction(api, 1, 'fill-in');
      expect(set(api, 'cmi.interactions.1.learner_response', '{}{[]}{}{[]}{}')).toBe('true/0');
      interaction(api, 2, 'long-fill-in');
      expect(set(api, 'cmi.interactions.2.learner_response', '{}{[]}{}{[]}{}')).toBe('true/0');
    });

    it('takes an empty language and a delivery speed of 0 (learner-language-may-be-empty, delivery-speed-may-be-zero)', () => {
      const api = initialized();
      expect(set(api, 'cmi.learner_preference.language', '')).toBe('true/0');
      expect(set(api, 'cmi.learner_preference.delivery_speed', '0.0')).toBe('true/0');
      expect(get(api, 'cmi.learner_preference.delivery_speed')).toBe('0.0/0');
      expect(set(api, 'cmi.learner_preference.delivery_speed', '-1')).toBe('false/407');
    });

    it('adds no shared data store the manifest does not map (shared-data-stores-not-added-by-the-sco)', () => {
      const api = initialized();
      expect(set(api, 'adl.data.0.store', 'x')).toBe('false/351');
      expect(get(api, 'adl.data._count')).toBe('0/0');
    });

    it('keeps an empty correct response when the data is loaded again (empty-correct-response-kept-on-resume)', () => {
      const api = initialized();
      interaction(api, 0, 'fill-in');
      expect(set(api, 'cmi.interactions.0.correct_responses.0.pattern', '')).toBe('true/0');
      expect(set(api, 'cmi.interactions.0.correct_responses.1.pattern', 'b')).toBe('true/0');
      const rendered = api.renderCommitCMI(true);
      const cmi = (rendered.cmi ?? rendered) as Record<string, unknown>;
      const resumed = new (scorm2004Api())({ autocommit: false, lmsCommitUrl: false, logLevel: 5 });
      resumed.loadFromJSON({ interactions: cmi.interactions });
      resumed.Initialize('');
      expect(get(resumed, 'cmi.interactions.0.correct_responses._count')).toBe('2/0');
      expect(get(resumed, 'cmi.interactions.0.correct_responses.0.pattern')).toBe('/0');
      expect(get(resumed, 'cmi.interactions.0.correct_responses.1.pattern')).toBe('b/0');
    });

    it('refuses a time interval with hours before T or an empty T part (timespan-t-before-time)', () => {
      const api = initialized();
      expect(set(api, 'cmi.session_time', 'P1Y6M14D4H15M6.34S')).toBe('false/406');
      expect(set(api, 'cmi.session_time', 'P1Y6M14DT')).toBe('false/406');
      expect(set(api, 'cmi.session_time', 'P1Y6M14DT4H15M6.34S')).toBe('true/0');
    });
  });
});
