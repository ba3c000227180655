import type { ManifestItem } from './manifest.types';
import { courseResult, evaluateSco, itemResult, itemRules, rollUpCourse, scaledScore, withEvaluatedStatus, type ItemRules } from './result-rules';

const sco: ItemRules = {};
const item = (over: Partial<ManifestItem>): ManifestItem => ({ identifier: 'I', title: 'I', isVisible: true, children: [], ...over });
const core = (lessonStatus: string, raw = '', credit = 'credit') => ({ core: { lesson_status: lessonStatus, credit, score: { raw, min: '', max: '' } } });
const open = { finished: false };
const finished = { finished: true };

describe('result-rules', () => {
  describe('itemRules: which manifest values apply', () => {
    it('should use a 2004 completion threshold only when completedByMeasure is true', () => {
      expect(
        itemRules(item({ completionThreshold: { completedByMeasure: false, minProgressMeasure: 1, progressWeight: 0.5 } })).completionThreshold,
      ).toBeUndefined();
      expect(itemRules(item({ completionThreshold: { completedByMeasure: true, minProgressMeasure: 0.8, progressWeight: 1 } })).completionThreshold).toBe(0.8);
    });

    it('should carry the mastery score and the scaled passing score', () => {
      expect(itemRules(item({ masteryScore: 75, scaledPassingScore: 0.6 }))).toEqual({
        masteryScore: 75,
        completionThreshold: undefined,
        scaledPassingScore: 0.6,
      });
      expect(itemRules(undefined)).toEqual({ masteryScore: undefined, completionThreshold: undefined, scaledPassingScore: undefined });
    });
  });

  describe('scaledScore', () => {
    it('should prefer score.scaled, clamped to 0..1', () => {
      expect(scaledScore({ scoreScaled: 0.7, scoreRaw: 10 })).toBe(0.7);
      expect(scaledScore({ scoreScaled: -0.5 })).toBe(0);
      expect(scaledScore({ scoreScaled: 1.5 })).toBe(1);
    });

    it('should use (raw − min)/(max − min) with min 0 and max 100 by default, also when max is not above min', () => {
      expect(scaledScore({ scoreRaw: 8, scoreMax: 10 })).toBe(0.8);
      expect(scaledScore({ scoreRaw: 80 })).toBe(0.8);
      expect(scaledScore({ scoreRaw: 15, scoreMin: 10, scoreMax: 20 })).toBe(0.5);
      expect(scaledScore({ scoreRaw: 50, scoreMax: 0 })).toBe(0.5);
      expect(scaledScore({})).toBeUndefined();
    });
  });

  describe('SCORM 1.2', () => {
    it('should turn "not attempted" into completed when the session finishes, with or without credit, and not before', () => {
      expect(evaluateSco('1.2', core('not attempted'), sco, open).completion).toBe('not attempted');
      expect(evaluateSco('1.2', core('not attempted'), sco, finished)).toMatchObject({
        completion: 'completed',
        success: 'unknown',
        statusValues: { lesson_status: 'completed' },
      });
      expect(evaluateSco('1.2', core('not attempted', '', 'no-credit'), sco, finished).completion).toBe('completed');
      expect(evaluateSco('1.2', {}, sco, finished).completion).toBe('completed');
    });

    it('should apply the mastery score at the end of a session with credit, over whatever the SCO set', () => {
      const rules = { ...sco, masteryScore: 80 };
      expect(evaluateSco('1.2', core('completed', '85'), rules, finished)).toMatchObject({ completion: 'completed', success: 'passed', score: 0.85 });
      expect(evaluateSco('1.2', core('passed', '70'), rules, finished)).toMatchObject({ success: 'failed', statusValues: { lesson_status: 'failed' } });
      expect(evaluateSco('1.2', core('incomplete', '90'), rules, finished)).toMatchObject({ completion: 'completed', success: 'passed' });
      expect(evaluateSco('1.2', core('incomplete'), rules, finished)).toMatchObject({ completion: 'incomplete', success: 'unknown' });
    });

    it('should not apply the mastery score before the session ends, nor without credit', () => {
      const rules = { ...sco, masteryScore: 80 };
      expect(evaluateSco('1.2', core('passed', '70'), rules, open)).toMatchObject({ success: 'passed' });
      expect(evaluateSco('1.2', core('passed', '70', 'no-credit'), rules, finished)).toMatchObject({ success: 'passed' });
    });

    it('should map every lesson_status to a completion and a success, and an unknown value to not attempted', () => {
      const pairs = ['passed', 'failed', 'completed', 'incomplete', 'browsed', 'not attempted', 'bogus'].map((s) => {
        const r = evaluateSco('1.2', core(s), sco, open);
        return [s, r.completion, r.success];
      });
      expect(pairs).toEqual([
        ['passed', 'completed', 'passed'],
        ['failed', 'completed', 'failed'],
        ['completed', 'completed', 'unknown'],
        ['incomplete', 'incomplete', 'unknown'],
        ['browsed', 'incomplete', 'unknown'],
        ['not attempted', 'not attempted', 'unknown'],
        ['bogus', 'not attempted', 'unknown'],
      ]);
    });

    it('should keep the status already evaluated when a commit still carries "not attempted", and only then', () => {
      expect(evaluateSco('1.2', core('not attempted'), sco, { finished: false, previous: core('completed') }).completion).toBe('completed');
      expect(evaluateSco('1.2', core('incomplete'), sco, { finished: false, previous: core('completed') }).completion).toBe('incomplete');
    });

    it('should write the evaluated status into the CMI and leave the rest', () => {
      const cmi = { ...core('not attempted', '90'), suspend_data: 'x' };
      const r = evaluateSco('1.2', cmi, { ...sco, masteryScore: 80 }, finished);
      expect(withEvaluatedStatus('1.2', cmi, r)).toEqual({
        suspend_data: 'x',
        core: { lesson_status: 'passed', credit: 'credit', score: { raw: '90', min: '', max: '' } },
      });
    });
  });

  describe('SCORM 2004', () => {
    it('should let a completion threshold decide completion from progress_measure, unknown without one', () => {
      const rules = { ...sco, completionThreshold: 0.75 };
      expect(evaluateSco('2004', { completion_status: 'incomplete', progress_measure: '0.8' }, rules, open).completion).toBe('completed');
      expect(evaluateSco('2004', { completion_status: 'completed', progress_measure: '0.5' }, rules, open).completion).toBe('incomplete');
      expect(evaluateSco('2004', { completion_status: 'completed' }, rules, open).completion).toBe('unknown');
      expect(evaluateSco('2004', { completion_status: 'completed' }, sco, open).completion).toBe('completed');
    });

    it('should let a scaled passing score decide success from score.scaled only', () => {
      const rules = { ...sco, scaledPassingScore: 0.6 };
      expect(evaluateSco('2004', { success_status: 'failed', score: { scaled: '0.7' } }, rules, finished).success).toBe('passed');
      expect(evaluateSco('2004', { success_status: 'passed', score: { scaled: '0.5' } }, rules, finished).success).toBe('failed');
      expect(evaluateSco('2004', { success_status: 'passed', score: { raw: '90' } }, rules, finished)).toMatchObject({ success: 'unknown', score: 0.9 });
    });

    it('should never default statuses at Terminate, and read an unknown value as unknown', () => {
      expect(evaluateSco('2004', {}, sco, finished)).toMatchObject({
        completion: 'unknown',
        success: 'unknown',
        statusValues: { completion_status: 'unknown', success_status: 'unknown' },
      });
      expect(evaluateSco('2004', { completion_status: 'done', success_status: 'yes' }, sco, finished)).toMatchObject({
        completion: 'unknown',
        success: 'unknown',
      });
    });
  });

  describe('roll-up', () => {
    const done = (score?: number, success: 'passed' | 'failed' | 'unknown' = 'unknown') => ({
      launched: true,
      completion: 'completed' as const,
      success,
      score,
    });

    it('should be completed only when every item is, with the mean score of the SCOs that report one', () => {
      expect(rollUpCourse([done(0.8), done(0.6), done()])).toMatchObject({ completion: 'completed', score: 0.7 });
      expect(rollUpCourse([done(0.8), { launched: false, completion: 'not attempted', success: 'unknown' }])).toMatchObject({
        completion: 'incomplete',
        score: 0.8,
      });
      expect(rollUpCourse([])).toMatchObject({ started: false, reported: false, completion: 'not attempted' });
    });

    it('should fail when any SCO failed and pass only when completed and every reporting SCO passed', () => {
      expect(rollUpCourse([done(0.9, 'passed'), done(0.2, 'failed')]).success).toBe('failed');
      expect(rollUpCourse([done(0.9, 'passed'), done()]).success).toBe('passed');
      expect(rollUpCourse([done(0.9, 'passed'), { launched: true, completion: 'incomplete', success: 'unknown' }]).success).toBe('unknown');
      expect(rollUpCourse([done(), done()]).success).toBe('unknown');
    });

    it('should read the stored results, count an asset as completed once launched, and a missing state as not launched', () => {
      expect(itemResult('asset', { completionStatus: 'unknown' })).toMatchObject({ launched: true, completion: 'completed' });
      expect(itemResult('asset', undefined)).toMatchObject({ launched: false, completion: 'not attempted' });
      expect(itemResult('sco', { completionStatus: 'completed', successStatus: 'passed', scoreRaw: 85 })).toEqual({
        launched: true,
        completion: 'completed',
        success: 'passed',
        score: 0.85,
      });
      const course = {
        scormVersion: '2004' as const,
        items: [
          { itemId: 'A', scormType: 'asset' as const },
          { itemId: 'S', scormType: 'sco' as const },
        ],
      };
      expect(courseResult(course, [{ itemId: 'A' }, { itemId: 'S', completionStatus: 'completed', scoreScaled: 0.5 }])).toMatchObject({
        completion: 'completed',
        score: 0.5,
      });
      expect(courseResult({ scormVersion: '1.2', items: [] }, [{ itemId: 'X', completionStatus: 'incomplete' }])).toMatchObject({
        started: true,
        completion: 'incomplete',
      });
    });
  });
});
