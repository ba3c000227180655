import { courseTracking, RELAYED_ELEMENTS, relayedValues, seconds12, seconds2004, time12, time2004, trackingValues } from '../../player/src/dispatch-values';

/** What the bridge relays to the LMS of each SCORM version from a hosted SCO's commit (player/src/dispatch-values.ts). */
describe('dispatch values: a hosted SCO commit in the LMS API’s data model', () => {
  const c12 = (core: Record<string, unknown>, suspend = '') => ({ suspend_data: suspend, core });

  it('should pass a 1.2 commit to a 1.2 LMS element by element, dropping empty values and the statuses a SCO may not set', () => {
    expect(relayedValues('1.2', '1.2', c12({ lesson_status: 'passed', lesson_location: 'p3', exit: 'suspend', session_time: '00:01:30', score: { raw: '85', min: '0', max: '100' } }, 'abc'))).toEqual([
      ['cmi.core.lesson_status', 'passed'],
      ['cmi.core.score.raw', '85'],
      ['cmi.core.score.min', '0'],
      ['cmi.core.score.max', '100'],
      ['cmi.core.lesson_location', 'p3'],
      ['cmi.suspend_data', 'abc'],
      ['cmi.core.session_time', '00:01:30.00'],
      ['cmi.core.exit', 'suspend'],
    ]);
    expect(relayedValues('1.2', '1.2', c12({ lesson_status: 'not attempted', lesson_location: '', exit: '', score: { raw: '' } }))).toEqual([]);
  });

  it('should write a 1.2 commit into a 2004 LMS: passed → completed + passed, a scaled score from raw/max, an ISO duration', () => {
    expect(relayedValues('1.2', '2004', c12({ lesson_status: 'failed', session_time: '01:02:03', score: { raw: '40', min: '0', max: '80' } }))).toEqual([
      ['cmi.completion_status', 'completed'],
      ['cmi.success_status', 'failed'],
      ['cmi.score.scaled', '0.5'],
      ['cmi.score.raw', '40'],
      ['cmi.score.min', '0'],
      ['cmi.score.max', '80'],
      ['cmi.session_time', 'PT1H2M3S'],
    ]);
    expect(relayedValues('1.2', '2004', c12({ lesson_status: 'browsed', score: { raw: '70' } }))).toEqual([
      ['cmi.completion_status', 'incomplete'],
      ['cmi.score.scaled', '0.7'],
      ['cmi.score.raw', '70'],
    ]);
  });

  it('should write a 2004 commit into a 1.2 LMS: success over completion, raw from scaled, a 1.2 time, location cut to 255', () => {
    const cmi = { completion_status: 'completed', success_status: 'passed', score: { scaled: '0.92' }, location: 'x'.repeat(300), suspend_data: 's', exit: 'suspend', session_time: 'PT2M5.5S' };
    expect(relayedValues('2004', '1.2', cmi)).toEqual([
      ['cmi.core.lesson_status', 'passed'],
      ['cmi.core.score.raw', '92'],
      ['cmi.core.lesson_location', 'x'.repeat(255)],
      ['cmi.suspend_data', 's'],
      ['cmi.core.session_time', '00:02:05.50'],
      ['cmi.core.exit', 'suspend'],
    ]);
    expect(relayedValues('2004', '1.2', { completion_status: 'incomplete', success_status: 'unknown' })).toEqual([['cmi.core.lesson_status', 'incomplete']]);
  });

  it('should pass a 2004 commit to a 2004 LMS, and only ever name elements the package page relays', () => {
    const cmi = { completion_status: 'incomplete', success_status: 'unknown', progress_measure: '0.4', location: 'l', suspend_data: 'd', exit: 'normal', session_time: 'PT10S', score: { scaled: '0.1', raw: '1', min: '0', max: '10' } };
    const out = relayedValues('2004', '2004', cmi);
    expect(out).toEqual([
      ['cmi.completion_status', 'incomplete'],
      ['cmi.success_status', 'unknown'],
      ['cmi.score.scaled', '0.1'],
      ['cmi.score.raw', '1'],
      ['cmi.score.min', '0'],
      ['cmi.score.max', '10'],
      ['cmi.progress_measure', '0.4'],
      ['cmi.location', 'l'],
      ['cmi.suspend_data', 'd'],
      ['cmi.session_time', 'PT0H0M10S'],
      ['cmi.exit', 'normal'],
    ]);
    for (const [from, to] of [['1.2', '1.2'], ['1.2', '2004'], ['2004', '1.2'], ['2004', '2004']] as const) {
      for (const [el] of relayedValues(from, to, { ...cmi, ...c12({ lesson_status: 'passed', lesson_location: 'a', exit: 'suspend', session_time: '00:00:01', score: { raw: '5', min: '0', max: '10' } }, 'x') })) {
        expect(RELAYED_ELEMENTS[to]).toContain(el);
      }
    }
  });

  it('should convert session times both ways', () => {
    expect(seconds12('0001:02:03.5')).toBe(3723.5);
    expect(seconds12('bad')).toBeUndefined();
    expect(seconds2004('P1DT1H0M2.25S')).toBe(90002.25);
    expect(seconds2004('PT')).toBeUndefined();
    expect(seconds2004('P')).toBeUndefined();
    expect(time12(3723.5)).toBe('01:02:03.50');
    expect(time2004(3723.5)).toBe('PT1H2M3.5S');
  });

  it('should write a multi-SCO course result for the LMS’s one SCO: status and a 0–100 score, no location or exit', () => {
    const course = { started: true, reported: true, completion: 'completed', success: 'failed', score: 0.75 };
    expect(trackingValues(courseTracking(course, 360), '1.2')).toEqual([
      ['cmi.core.lesson_status', 'failed'],
      ['cmi.core.score.raw', '75'],
      ['cmi.core.score.min', '0'],
      ['cmi.core.score.max', '100'],
      ['cmi.core.session_time', '00:06:00.00'],
    ]);
    expect(trackingValues(courseTracking({ completion: 'incomplete', success: 'unknown', score: 0.123456 }, undefined), '2004')).toEqual([
      ['cmi.completion_status', 'incomplete'],
      ['cmi.score.scaled', '0.1235'],
      ['cmi.score.raw', '12.3456'],
      ['cmi.score.min', '0'],
      ['cmi.score.max', '100'],
    ]);
    expect(trackingValues(courseTracking({ completion: 'not attempted', success: 'unknown' }, undefined), '1.2')).toEqual([]);
  });
});
