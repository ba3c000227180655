import { evaluateCmi, formatDuration, initialCmi, learnerDisplayName, mergeCmi, normalizedScore, parseDuration } from './cmi-rules';

describe('cmi-rules', () => {
  describe('parseDuration / formatDuration (SCORM-CHECKLIST §4.4)', () => {
    it.each([
      ['00:01:30', 90],
      ['0001:00:00.5', 3600.5],
      ['PT1H5M30.5S', 3930.5],
      ['PT90M', 5400],
      ['P1DT2H', 93600],
      ['PT0.5S', 0.5],
      ['garbage', 0],
      ['', 0],
    ])('should read %s as %d seconds', (text, seconds) => {
      expect(parseDuration(text)).toBeCloseTo(seconds, 5);
    });

    it('should write 1.2 as HHHH:MM:SS.SS and 2004 as PT#H#M#S', () => {
      expect(formatDuration(3930.5, '1.2')).toBe('0001:05:30.50');
      expect(formatDuration(3930.5, '2004')).toBe('PT1H5M30.5S');
      expect(formatDuration(0, '2004')).toBe('PT0H0M0S');
    });
  });

  describe('SCORM 1.2 status rules (checklist §3.1)', () => {
    const cmi = (status: string, raw = '') => ({ core: { lesson_status: status, score: { raw, min: '', max: '' } } });

    it('should turn "not attempted" into completed at LMSFinish only', () => {
      expect(evaluateCmi('1.2', cmi('not attempted'), {}, false).completionStatus).toBe('not attempted');
      expect(evaluateCmi('1.2', cmi('not attempted'), {}, true)).toMatchObject({ completionStatus: 'completed', successStatus: 'unknown' });
    });

    it('should let the mastery score decide passed/failed over the SCO status when a raw score exists', () => {
      expect(evaluateCmi('1.2', cmi('completed', '85'), { masteryScore: 80 }, true)).toMatchObject({ completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.85 });
      expect(evaluateCmi('1.2', cmi('passed', '70'), { masteryScore: 80 }, true)).toMatchObject({ successStatus: 'failed' });
      expect(evaluateCmi('1.2', cmi('incomplete'), { masteryScore: 80 }, true)).toMatchObject({ completionStatus: 'incomplete', successStatus: 'unknown' });
    });

    it('should not change the status of a no-credit session', () => {
      const c = { core: { lesson_status: 'not attempted', credit: 'no-credit', score: { raw: '90' } } };
      expect(evaluateCmi('1.2', c, { masteryScore: 80 }, true).completionStatus).toBe('not attempted');
    });
  });

  describe('SCORM 2004 evaluation (RTE §4.2.4.1, §4.2.22.1)', () => {
    it('should let the completion threshold override the SCO, and be unknown without a progress measure', () => {
      expect(evaluateCmi('2004', { completion_status: 'incomplete', progress_measure: '0.8' }, { completionThreshold: 0.75 }, false).completionStatus).toBe('completed');
      expect(evaluateCmi('2004', { completion_status: 'completed', progress_measure: '0.5' }, { completionThreshold: 0.75 }, false).completionStatus).toBe('incomplete');
      expect(evaluateCmi('2004', { completion_status: 'completed' }, { completionThreshold: 0.75 }, false).completionStatus).toBe('unknown');
      expect(evaluateCmi('2004', { completion_status: 'completed' }, {}, false).completionStatus).toBe('completed');
    });

    it('should let the scaled passing score override success, and never default statuses at Terminate', () => {
      expect(evaluateCmi('2004', { success_status: 'failed', score: { scaled: '0.7' } }, { scaledPassingScore: 0.6 }, true).successStatus).toBe('passed');
      expect(evaluateCmi('2004', { success_status: 'passed' }, { scaledPassingScore: 0.6 }, true).successStatus).toBe('unknown');
      expect(evaluateCmi('2004', {}, {}, true)).toMatchObject({ completionStatus: 'unknown', successStatus: 'unknown' });
    });
  });

  it('should normalize scores per DESIGN §5', () => {
    expect(normalizedScore(1.4, null, null, null)).toBe(1);
    expect(normalizedScore(null, 30, 10, 50)).toBe(0.5);
    expect(normalizedScore(null, 45, null, null)).toBe(0.45);
    expect(normalizedScore(null, null, 0, 100)).toBeNull();
  });

  it('should merge partial commits into the stored data', () => {
    expect(mergeCmi({ core: { lesson_location: 'a', exit: '' }, suspend_data: 'x' }, { core: { exit: 'suspend' } })).toEqual({ core: { lesson_location: 'a', exit: 'suspend' }, suspend_data: 'x' });
  });

  it('should build the 1.2 launch data: LMS-owned values from the server, saved values restored', () => {
    const out = initialCmi({
      version: '1.2',
      item: { identifier: 'I', title: 't', isVisible: true, children: [], masteryScore: 80, dataFromLms: 'launch!' },
      learnerId: 'sub-1',
      learnerName: 'Doe, Jane',
      credit: 'credit',
      mode: 'normal',
      saved: { suspend_data: 'S', core: { lesson_location: 'L', entry: 'forged', total_time: '99:00:00', student_id: 'forged' } },
      entry: 'resume',
      totalTimeSeconds: 61,
    });
    expect(out).toMatchObject({
      suspend_data: 'S',
      launch_data: 'launch!',
      core: { lesson_location: 'L', entry: 'resume', total_time: '0000:01:01.00', student_id: 'sub-1', student_name: 'Doe, Jane', credit: 'credit' },
      student_data: { mastery_score: '80' },
    });
  });

  it('should write names as "Last, First" and only from what the platform sent', () => {
    expect(learnerDisplayName({ name: 'Jane Doe', givenName: 'Jane', familyName: 'Doe' })).toBe('Doe, Jane');
    expect(learnerDisplayName({ name: 'Jane Doe', givenName: null, familyName: null })).toBe('Jane Doe');
    expect(learnerDisplayName({ name: null, givenName: null, familyName: null })).toBe('');
  });
});
