import { itemResult, rollUpCourse, type StoredScoResult } from '../scorm/result-rules';
import { DEFAULT_GRADE_POLICY, pickAttemptScore, sameScore, toScoreContent } from './score-policy';
import { backoffDelay, retryAfterMs } from './backoff';
import { nextLink, scoresUrl, withQuery } from './ags-urls';

/** One SCO's stored result → the course result → the AGS score (the rules themselves: src/scorm/result-rules.spec.ts). */
const course = (v: StoredScoResult | undefined) => rollUpCourse([itemResult('sco', v)]);
const score = (v: StoredScoResult | undefined) => toScoreContent(course(v));

describe('score mapping (src/grades/README.md)', () => {
  it('should send Started/NotReady without a score when the course was launched and nothing reported', () => {
    expect(score({ completionStatus: 'unknown', successStatus: 'unknown' })).toEqual({ activityProgress: 'Started', gradingProgress: 'NotReady' });
    expect(score({ completionStatus: 'not attempted' })).toEqual({ activityProgress: 'Started', gradingProgress: 'NotReady' });
  });

  it('should send Initialized/NotReady when nothing was launched', () => {
    expect(score(undefined)).toEqual({ activityProgress: 'Initialized', gradingProgress: 'NotReady' });
  });

  it('should send InProgress/Pending without a score while incomplete', () => {
    expect(score({ completionStatus: 'incomplete' })).toEqual({ activityProgress: 'InProgress', gradingProgress: 'Pending' });
  });

  it('should send the score so far while incomplete when the course reports one', () => {
    expect(score({ completionStatus: 'incomplete', scoreScaled: 0.4 })).toEqual({ activityProgress: 'InProgress', gradingProgress: 'Pending', scoreGiven: 40, scoreMaximum: 100 });
  });

  it('should give full credit for completed without a score', () => {
    expect(score({ completionStatus: 'completed' })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 100, scoreMaximum: 100 });
  });

  it('should omit the score for completed without a score when completion does not earn credit', () => {
    const r = course({ completionStatus: 'completed' });
    expect(toScoreContent(r, { ...DEFAULT_GRADE_POLICY, completionEarnsFullCredit: false })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
  });

  it('should send score × scoreMaximum for passed and failed with a score', () => {
    expect(score({ completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.85 })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 85, scoreMaximum: 100 });
    expect(score({ completionStatus: 'completed', successStatus: 'failed', scoreScaled: 0.3 })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 30, scoreMaximum: 100 });
  });

  it('should send 0 for failed without a score, and FullyGraded rather than Failed', () => {
    expect(score({ completionStatus: 'completed', successStatus: 'failed' })).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 0, scoreMaximum: 100 });
  });

  it('should scale to a configured scoreMaximum', () => {
    const r = course({ completionStatus: 'completed', scoreScaled: 0.5 });
    expect(toScoreContent(r, { ...DEFAULT_GRADE_POLICY, scoreMaximum: 10 })).toMatchObject({ scoreGiven: 5, scoreMaximum: 10 });
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
