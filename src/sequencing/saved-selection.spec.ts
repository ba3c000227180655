import { readFileSync } from 'fs';
import { join } from 'path';
import { compileSequencing } from './compile-sequencing';
import { parseManifest } from '../scorm/manifest-parser';
import { fileList } from '../../test/support/manifest-spec-helpers';
import { newEngine, rollUpFromScoData, type ScoTracking } from './server-run';
import { selectsChildren } from './saved-selection';

/** The fixture's random test: a cluster TEST delivering two of its four questions (selectCount=2, once). */
const fixture = join(__dirname, '../../fixtures/packages/seq-random-test');
const RANDOM = compileSequencing(parseManifest(readFileSync(join(fixture, 'imsmanifest.xml')), fileList('q1.html', 'q2.html', 'q3.html', 'q4.html', 'sco.js')).manifest).sequencing;
const QUESTIONS = ['Q-1', 'Q-2', 'Q-3', 'Q-4'];

const answered = (itemId: string, right: boolean): ScoTracking => ({
  itemId,
  completionStatus: 'completed',
  successStatus: right ? 'passed' : 'failed',
  score: { scaled: right ? '1' : '0' },
  progressMeasure: null,
  ended: true,
});

/** The learner's engine starts the course (the cluster selects two questions); its saved state and the two. */
function learnerStart(): { saved: string; selected: string[] } {
  const { api } = newEngine(RANDOM);
  expect(api.processNavigationRequest('start')).toBe(true);
  const saved = api.serializeSequencingState();
  const state = JSON.parse(saved) as { sequencing: { activityStates: Record<string, { selectionRandomizationState: { selectedChildIds: string[] } }> } };
  return { saved, selected: state.sequencing.activityStates.TEST.selectionRandomizationState.selectedChildIds };
}

/** The saved state with TEST's selection replaced (what a browser could send). */
function withSelection(saved: string, selectedChildIds: string[]): string {
  const state = JSON.parse(saved) as { sequencing: { activityStates: Record<string, { selectionRandomizationState: Record<string, unknown> }> } };
  state.sequencing.activityStates.TEST.selectionRandomizationState.selectedChildIds = selectedChildIds;
  return JSON.stringify(state);
}

describe("the server's rollup over the children the learner's engine selected (random test)", () => {
  it('rolls the measure up over the two delivered questions, not all four', () => {
    const { saved, selected } = learnerStart();
    expect(selected).toHaveLength(2);
    const scos = [answered(selected[0], true), answered(selected[1], false)];
    expect(rollUpFromScoData(RANDOM, scos, undefined, saved).root.measure).toBe(0.5);
    // Without the selection all four count (two never taken): what the server did before.
    expect(rollUpFromScoData(RANDOM, scos).root.measure).toBe(0.25);
  });

  it('ignores a selection that leaves out a question the learner answered', () => {
    const { saved, selected } = learnerStart();
    const unused = QUESTIONS.filter((q) => !selected.includes(q));
    const scos = [answered(selected[0], true), answered(selected[1], false)];
    // Drop the wrong answer for a question never delivered: the selection does not hold, all four count.
    expect(rollUpFromScoData(RANDOM, scos, undefined, withSelection(saved, [selected[0], unused[0]])).root.measure).toBe(0.25);
  });

  it('ignores a selection of another size than selectCount, or of children the cluster does not have', () => {
    const { saved, selected } = learnerStart();
    const scos = [answered(selected[0], true)];
    expect(rollUpFromScoData(RANDOM, scos, undefined, withSelection(saved, [selected[0]])).root.measure).toBe(0.25);
    expect(rollUpFromScoData(RANDOM, scos, undefined, withSelection(saved, [selected[0], 'NOT-A-CHILD'])).root.measure).toBe(0.25);
    expect(rollUpFromScoData(RANDOM, scos, undefined, withSelection(saved, [selected[0], selected[0]])).root.measure).toBe(0.25);
    expect(rollUpFromScoData(RANDOM, scos, undefined, '{not json').root.measure).toBe(0.25);
  });

  it('knows whether a course selects or randomizes children at all (else the server does not read the saved state)', () => {
    expect(selectsChildren(RANDOM)).toBe(true);
    const bench = join(__dirname, '../../fixtures/packages/seq-bench-course');
    const plain = compileSequencing(parseManifest(readFileSync(join(bench, 'imsmanifest.xml')), fileList('pretest.html', 'lesson1.html', 'lesson2.html', 'exam.html')).manifest).sequencing;
    expect(selectsChildren(plain)).toBe(false);
  });
});
