import type { ScoSummary } from '../scorm/manifest.types';
import { pickStartItem } from './sco-launch.service';
import type { ScoState } from './sco-state.entity';

/** Which SCO a launch opens, on plain records (the player page uses it for startItemId). */
describe('pickStartItem', () => {
  const sco = (itemId: string, isVisible = true) => ({ itemId, isVisible, scormType: 'sco' }) as ScoSummary;
  const state = (itemId: string, fields: Partial<ScoState> = {}) =>
    ({ itemId, exit: '', completionStatus: 'incomplete', updatedAt: new Date(1000), ...fields }) as ScoState;
  const scos = [sco('s1'), sco('s2'), sco('s3')];

  it('should open the first SCO on a first launch', () => {
    expect(pickStartItem(scos, [])).toBe('s1');
  });

  it('should open the SCO left suspended most recently, over a not-completed one', () => {
    const states = [
      state('s1', { exit: 'suspend', updatedAt: new Date(1000) }),
      state('s3', { exit: 'suspend', updatedAt: new Date(3000) }),
      state('s2', { exit: 'suspend', updatedAt: new Date(2000) }),
    ];
    expect(pickStartItem(scos, states)).toBe('s3');
  });

  it('should pass over a suspended state of an item that is no longer a SCO of the course', () => {
    expect(pickStartItem(scos, [state('gone', { exit: 'suspend' }), state('s1', { completionStatus: 'completed' })])).toBe('s2');
  });

  it('should open the first visible SCO not completed, else the first visible, else the first', () => {
    expect(pickStartItem(scos, [state('s1', { completionStatus: 'completed' })])).toBe('s2');
    expect(pickStartItem([sco('h', false), sco('s1'), sco('s2')], [state('s1', { completionStatus: 'completed' }), state('s2', { completionStatus: 'completed' })])).toBe('s1');
    expect(pickStartItem([sco('h1', false), sco('h2', false)], [])).toBe('h1');
  });
});
