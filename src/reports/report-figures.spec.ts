import type { CourseResult } from '../scorm/result-rules';
import { FigureTally, GroupedTally, figureCells } from './report-figures';

const result = (over: Partial<CourseResult>): CourseResult => ({ started: true, reported: true, completion: 'incomplete', success: 'unknown', ...over });

describe('Report figures', () => {
  it('should count learners once, and rate passes over the attempts with a success status only', () => {
    const t = new FigureTally()
      .add({ learnerId: 'l1', result: result({ completion: 'completed', success: 'passed', score: 0.9 }), lastActivityAt: 1000 })
      .add({ learnerId: 'l1', result: result({ completion: 'completed', success: 'failed', score: 0.3 }), lastActivityAt: 3000 })
      .add({ learnerId: 'l2', result: result({ completion: 'completed' }), lastActivityAt: 2000 })
      .add({ learnerId: 'l3', result: result({ started: false, reported: false, completion: 'not attempted' }), lastActivityAt: 500 });
    expect(t.figures()).toEqual({
      learners: 3,
      attempts: 4,
      completions: 3,
      passed: 1,
      failed: 1,
      passRate: 0.5,
      averageScore: 0.6,
      lastActivityAt: new Date(3000).toISOString(),
      enrolledNotStarted: null,
    });
    expect(figureCells(t.figures())).toEqual([3, 4, 3, 1, 1, 50, 60, new Date(3000).toISOString(), null]);
  });

  it("should count each learner once per line when a learner's attempts come one after another across lines", () => {
    const g = new GroupedTally<string>();
    const t = new FigureTally();
    for (const [learnerId, line] of [['l1', 'x'], ['l1', 'y'], ['l1', 'x'], ['l2', 'x'], ['l3', 'y'], ['l3', 'y']]) {
      const o = { learnerId, result: result({}), lastActivityAt: 1 };
      g.add(line, o);
      t.add(o);
    }
    expect([t.figures().learners, g.figures('x').learners, g.figures('y').learners]).toEqual([3, 2, 2]);
    expect([g.figures('x').attempts, g.figures('y').attempts]).toEqual([3, 3]);
  });

  it('should answer null rates and no last activity when nothing counts', () => {
    expect(new FigureTally().figures()).toEqual({ learners: 0, attempts: 0, completions: 0, passed: 0, failed: 0, passRate: null, averageScore: null, lastActivityAt: null, enrolledNotStarted: null });
    expect(new GroupedTally<string>().figures('none').attempts).toBe(0);
  });

  it('should count enrolled learners who have not started once a roster is known, and none before', () => {
    expect(new FigureTally().enrol(0).figures().enrolledNotStarted).toBe(0);
    expect(new FigureTally().enrol(1).enrol(0).enrol(2).figures().enrolledNotStarted).toBe(3);
  });

  it('should round rates to 4 decimals', () => {
    const t = new FigureTally();
    for (const success of ['passed', 'passed', 'failed'] as const) {
      t.add({ learnerId: success, result: result({ completion: 'completed', success, score: 1 / 3 }), lastActivityAt: 1 });
    }
    expect(t.figures()).toMatchObject({ passRate: 0.6667, averageScore: 0.3333 });
  });
});
