import { MAX_SEQUENCING_STATE_CHARS } from '../player/bootstrap.types';
import { checkSequencingState } from './sequencing-state';
import { scorm2004Api } from './engine';

describe('checkSequencingState: what the runtime stores of the player engine state', () => {
  it("accepts the engine's own serializeSequencingState() text and answers it parsed", () => {
    const Api = scorm2004Api();
    const api = new Api({ autocommit: false, lmsCommitUrl: false, logLevel: 5, sequencing: { activityTree: { id: 'root', title: 'R', children: [{ id: 'a', title: 'A' }] }, logLevel: 'error' } });
    const text = api.serializeSequencingState();
    expect(checkSequencingState(text, '2004').version).toBe('1.0');
  });

  it.each([
    ['a number', 42, 'sequencing_state_invalid', 400],
    ['text that is not JSON', 'not json', 'sequencing_state_invalid', 400],
    ['a JSON array', '[1,2]', 'sequencing_state_invalid', 400],
    ['an object without the engine version', '{"sequencing":null}', 'sequencing_state_invalid', 400],
    ['a state over the limit', `{"version":"1.0","pad":"${'x'.repeat(MAX_SEQUENCING_STATE_CHARS)}"}`, 'sequencing_state_too_large', 413],
  ])('refuses %s', (_label, value, code, status) => {
    expect(() => checkSequencingState(value, '2004')).toThrow(expect.objectContaining({ code, status }));
  });

  it('refuses any state for a SCORM 1.2 course', () => {
    expect(() => checkSequencingState('{"version":"1.0"}', '1.2')).toThrow(expect.objectContaining({ code: 'sequencing_not_used', status: 400 }));
  });
});
