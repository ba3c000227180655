import { evaluateItem, evaluateScorm12, evaluateScorm2004, rollUpCourse, scaledScore } from './result-rollup';
import { DEFAULT_GRADE_POLICY, pickAttemptScore, sameScore, toScoreContent } from './score-policy';
import { backoffDelay, retryAfterMs } from './backoff';
import { nextLink, scoresUrl, withQuery } from './ags-urls';

const sco = { scormType: 'sco' as const };
const course12 = (v: Parameters<typeof evaluateScorm12>[0], rules = {}) => toScoreContent(rollUpCourse([evaluateItem('1.2', v, { ...sco, ...rules })]));
const course2004 = (v: Parameters<typeof evaluateScorm2004>[0], rules = {}) => toScoreContent(rollUpCourse([evaluateItem('2004', v, { ...sco, ...rules })]));

describe('score mapping (DESIGN §5)', () => {
  it('should send Started/NotReady without a score when the course was launched and nothing reported', () => {
    expect(course2004({ completionStatus: 'unknown', successStatus: 'unknown' })).toEqual({ activityProgress: 'Started', gradingProgress: 'NotReady' });
    expect(course12({ completionStatus: 'not attempted' })).toEqual({ activityProgress: 'Started', gradingProgress: 'NotReady' });
  });

  it('should send Initialized/NotReady when nothing was launched', () => {
    expect(toScoreContent(rollUpCourse([evaluateItem('2004', undefined, sco)]))).toEqual({ activityProgress: 'Initialized', gradingProgress: 'NotReady' });
  });

  it('should send InProgress/Pending without a score while incomplete', () => {
    expect(course12({ completionStatus: 'incomplete' })).toEqual({ activityProgress: 'InProgress', gradingProgress: 'Pending' });
  });

  it('should send the score so far while incomplete when the course reports one', () => {
    expect(course2004({ completionStatus: 'incomplete', scoreScaled: 0.4 })).toEqual({ activityProgress: 'InProgress', gradingProgress: 'Pending', scoreGiven: 40, scoreMaximum: 100 });
  });

  it('should give full credit for completed without a score', () => {
    expect(course12({ completionStatus: 'completed' })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 100, scoreMaximum: 100 });
  });

  it('should omit the score for completed without a score when completion does not earn credit', () => {
    const r = rollUpCourse([evaluateItem('1.2', { completionStatus: 'completed' }, sco)]);
    expect(toScoreContent(r, { ...DEFAULT_GRADE_POLICY, completionEarnsFullCredit: false })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
  });

  it('should send score × scoreMaximum for passed and failed with a score', () => {
    expect(course2004({ completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.85 })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 85, scoreMaximum: 100 });
    expect(course2004({ completionStatus: 'completed', successStatus: 'failed', scoreScaled: 0.3 })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 30, scoreMaximum: 100 });
  });

  it('should send 0 for failed without a score, and FullyGraded rather than Failed', () => {
    expect(course2004({ completionStatus: 'completed', successStatus: 'failed' })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 0, scoreMaximum: 100 });
  });

  it('should scale to a configured scoreMaximum', () => {
    const r = rollUpCourse([evaluateItem('2004', { completionStatus: 'completed', scoreScaled: 0.5 }, sco)]);
    expect(toScoreContent(r, { ...DEFAULT_GRADE_POLICY, scoreMaximum: 10 })).toMatchObject({ scoreGiven: 5, scoreMaximum: 10 });
  });
});

describe('scaledScore', () => {
  it('should prefer score.scaled, clamped to 0..1', () => {
    expect(scaledScore({ scoreScaled: 0.7, scoreRaw: 10 })).toBe(0.7);
    expect(scaledScore({ scoreScaled: -0.5 })).toBe(0);
    expect(scaledScore({ scoreScaled: 1.5 })).toBe(1);
  });
  it('should use (raw − min)/(max − min) with max 100 and min 0 by default', () => {
    expect(scaledScore({ scoreRaw: 8, scoreMax: 10 })).toBe(0.8);
    expect(scaledScore({ scoreRaw: 80 })).toBe(0.8);
    expect(scaledScore({ scoreRaw: 15, scoreMin: 10, scoreMax: 20 })).toBe(0.5);
    expect(scaledScore({})).toBeUndefined();
  });
});

describe('SCORM 1.2 evaluation', () => {
  it('should set passed/failed from the mastery score when the SCO reports a score without a status', () => {
    expect(evaluateScorm12({ completionStatus: 'not attempted', scoreRaw: 80, terminated: true }, { ...sco, masteryScore: 70 })).toMatchObject({ completion: 'completed', success: 'passed', score: 0.8 });
    expect(evaluateScorm12({ completionStatus: 'completed', scoreRaw: 60 }, { ...sco, masteryScore: 70 })).toMatchObject({ completion: 'completed', success: 'failed', score: 0.6 });
  });
  it('should let the mastery score override a status the SCO set (Moodle reading)', () => {
    expect(evaluateScorm12({ completionStatus: 'completed', successStatus: 'passed', scoreRaw: 50 }, { ...sco, masteryScore: 70 })).toMatchObject({ success: 'failed' });
  });
  it('should leave an unfinished incomplete SCO incomplete despite a mastery score', () => {
    expect(evaluateScorm12({ completionStatus: 'incomplete', scoreRaw: 90 }, { ...sco, masteryScore: 70 })).toMatchObject({ completion: 'incomplete', success: 'unknown' });
  });
  it('should turn not attempted into completed at LMSFinish, and not before', () => {
    expect(evaluateScorm12({ completionStatus: 'not attempted', terminated: true }, sco)).toMatchObject({ completion: 'completed' });
    expect(evaluateScorm12({ completionStatus: 'not attempted', terminated: false }, sco)).toMatchObject({ completion: 'not attempted' });
  });
  it('should keep the status the SCO set without a mastery score', () => {
    expect(evaluateScorm12({ completionStatus: 'completed', successStatus: 'failed', scoreRaw: 95 }, sco)).toMatchObject({ success: 'failed', score: 0.95 });
  });
});

describe('SCORM 2004 evaluation', () => {
  it('should decide completion from progress_measure when a completion threshold exists, overriding the SCO', () => {
    expect(evaluateScorm2004({ completionStatus: 'incomplete', progressMeasure: 0.9 }, { ...sco, completionThreshold: 0.8 })).toMatchObject({ completion: 'completed' });
    expect(evaluateScorm2004({ completionStatus: 'completed', progressMeasure: 0.5 }, { ...sco, completionThreshold: 0.8 })).toMatchObject({ completion: 'incomplete' });
    expect(evaluateScorm2004({ completionStatus: 'completed' }, { ...sco, completionThreshold: 0.8 })).toMatchObject({ completion: 'unknown' });
  });
  it('should decide success from score.scaled when a scaled passing score exists, overriding the SCO', () => {
    expect(evaluateScorm2004({ successStatus: 'failed', scoreScaled: 0.9 }, { ...sco, scaledPassingScore: 0.7 })).toMatchObject({ success: 'passed' });
    expect(evaluateScorm2004({ successStatus: 'passed', scoreScaled: 0.5 }, { ...sco, scaledPassingScore: 0.7 })).toMatchObject({ success: 'failed' });
    expect(evaluateScorm2004({ successStatus: 'passed', scoreRaw: 90 }, { ...sco, scaledPassingScore: 0.7 })).toMatchObject({ success: 'unknown' });
  });
  it('should not default statuses at Terminate', () => {
    expect(evaluateScorm2004({ completionStatus: 'unknown', terminated: true }, sco)).toMatchObject({ completion: 'unknown', success: 'unknown' });
  });
});

describe('multi-SCO roll-up (SCORM-CHECKLIST §6.2)', () => {
  const done = (score?: number, success: 'passed' | 'failed' | 'unknown' = 'unknown') => ({ launched: true, completion: 'completed' as const, success, score });
  it('should be completed only when every SCO is, with the mean score of the SCOs that report one', () => {
    expect(rollUpCourse([done(0.8), done(0.6), done()])).toMatchObject({ completion: 'completed', score: 0.7 });
    expect(rollUpCourse([done(0.8), { launched: false, completion: 'not attempted', success: 'unknown' }])).toMatchObject({ completion: 'incomplete', score: 0.8 });
  });
  it('should fail when any SCO failed and pass only when completed and every reporting SCO passed', () => {
    expect(rollUpCourse([done(0.9, 'passed'), done(0.2, 'failed')]).success).toBe('failed');
    expect(rollUpCourse([done(0.9, 'passed'), done()]).success).toBe('passed');
    expect(rollUpCourse([done(0.9, 'passed'), { launched: true, completion: 'incomplete', success: 'unknown' }]).success).toBe('unknown');
    expect(rollUpCourse([done(), done()]).success).toBe('unknown');
  });
  it('should count an asset as completed once launched', () => {
    expect(evaluateItem('1.2', {}, { scormType: 'asset' })).toMatchObject({ completion: 'completed' });
    expect(evaluateItem('1.2', undefined, { scormType: 'asset' })).toMatchObject({ completion: 'not attempted', launched: false });
    const r = rollUpCourse([evaluateItem('2004', {}, { scormType: 'asset' }), evaluateItem('2004', { completionStatus: 'completed', scoreScaled: 0.5 }, sco)]);
    expect(toScoreContent(r)).toMatchObject({ activityProgress: 'Completed', scoreGiven: 50 });
  });
  it('should be not attempted when nothing was launched', () => {
    expect(rollUpCourse([])).toMatchObject({ started: false, completion: 'not attempted' });
  });
});

describe('attempt choice', () => {
  const final = (s: number) => ({ activityProgress: 'Completed' as const, gradingProgress: 'FullyGraded' as const, scoreGiven: s, scoreMaximum: 100 });
  const open = { activityProgress: 'InProgress' as const, gradingProgress: 'Pending' as const, scoreGiven: 95, scoreMaximum: 100 };
  it('should send the highest attempt by default, a final grade beating an unfinished one', () => {
    expect(pickAttemptScore([final(60), final(90), final(70)])).toEqual(final(90));
    expect(pickAttemptScore([final(60), open])).toEqual(final(60));
  });
  it('should honour latest and first', () => {
    expect(pickAttemptScore([final(60), final(90), final(70)], { ...DEFAULT_GRADE_POLICY, attempts: 'latest' })).toEqual(final(70));
    expect(pickAttemptScore([final(60), final(90)], { ...DEFAULT_GRADE_POLICY, attempts: 'first' })).toEqual(final(60));
    expect(pickAttemptScore([])).toBeUndefined();
  });
  it('should compare score contents field by field', () => {
    expect(sameScore(final(60), final(60))).toBe(true);
    expect(sameScore(final(60), final(61))).toBe(false);
    expect(sameScore(null, final(1))).toBe(false);
  });
});

describe('backoff', () => {
  it('should grow exponentially with jitter between half and all, capped', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(30, 1000, 60_000, () => 1)).toBe(60_000);
  });
  it('should read Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
  });
});

describe('AGS URLs', () => {
  it('should append /scores to the path and keep the query string (Moodle ?type_id=)', () => {
    expect(scoresUrl('https://lms.example/mod/lti/services.php/2/lineitems/10/lineitem?type_id=3')).toBe('https://lms.example/mod/lti/services.php/2/lineitems/10/lineitem/scores?type_id=3');
    expect(scoresUrl('https://canvas.example/api/lti/courses/1/line_items/7')).toBe('https://canvas.example/api/lti/courses/1/line_items/7/scores');
    expect(scoresUrl('https://x.example/li/7/')).toBe('https://x.example/li/7/scores');
  });
  it('should add query parameters without dropping existing ones', () => {
    expect(withQuery('https://x.example/lineitems?type_id=1', { resource_link_id: 'r 1' })).toBe('https://x.example/lineitems?type_id=1&resource_link_id=r+1');
  });
  it('should find the rel=next link', () => {
    expect(nextLink('<https://x/p1>; rel="prev", <https://x/p3>; rel="next"')).toBe('https://x/p3');
    expect(nextLink('<https://x/p1>; rel="first"')).toBeUndefined();
  });
});
