import { evaluateCmi, formatDuration, initialCmi, learnerDisplayName, mergeCmi, parseDuration } from './cmi-rules';

describe('cmi-rules', () => {
  describe('parseDuration / formatDuration (player/README.md)', () => {
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

  it('should store a commit as evaluated by the result rules, with its session values and the evaluated status in the CMI', () => {
    const cmi = {
      suspend_data: 'S',
      core: { lesson_status: 'not attempted', lesson_location: 'p3', exit: 'suspend', session_time: '00:01:30', score: { raw: '90' } },
    };
    const r = evaluateCmi('1.2', cmi, { masteryScore: 80 }, { finished: true });
    expect(r).toMatchObject({
      completionStatus: 'completed',
      successStatus: 'passed',
      scoreScaled: 0.9,
      scoreRaw: 90,
      location: 'p3',
      suspendData: 'S',
      exit: 'suspend',
      sessionTimeSeconds: 90,
    });
    expect(r.cmi).toEqual({ ...cmi, core: { ...cmi.core, lesson_status: 'passed' } });
    const r2004 = evaluateCmi(
      '2004',
      { completion_status: 'incomplete', progress_measure: '0.9', location: 'L', session_time: 'PT2M' },
      { completionThreshold: 0.8 },
      { finished: false },
    );
    expect(r2004).toMatchObject({
      completionStatus: 'completed',
      progressMeasure: 0.9,
      location: 'L',
      sessionTimeSeconds: 120,
      cmi: { completion_status: 'completed', success_status: 'unknown' },
    });
  });

  it('should merge partial commits into the stored data', () => {
    expect(mergeCmi({ core: { lesson_location: 'a', exit: '' }, suspend_data: 'x' }, { core: { exit: 'suspend' } })).toEqual({
      core: { lesson_location: 'a', exit: 'suspend' },
      suspend_data: 'x',
    });
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
