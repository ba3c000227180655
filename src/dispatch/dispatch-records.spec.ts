import { changedRecords, lmsRecords, scoErrorCode } from '../../player/src/dispatch-records';

/** Interactions, objectives and comments of a hosted SCO in the LMS API's data model (player/src/dispatch-records.ts). */
describe('dispatch records: interactions, objectives and comments for the LMS', () => {
  const cmi2004 = {
    interactions: {
      '0': { id: 'urn:q:1', type: 'long-fill-in', learner_response: '{lang=en}Some text', result: 'incorrect', timestamp: '2026-12-03T10:11:12', latency: 'PT1M5S', description: 'Essay', objectives: { '0': { id: 'o1' } }, correct_responses: {} },
      '1': { id: 'urn:q:2', type: 'matching', learner_response: 'a[.]1[,]b[.]2', result: 'correct' },
    },
    objectives: { '0': { id: 'o1', success_status: 'unknown', completion_status: 'completed', score: { scaled: '0.85', raw: '', min: '', max: '' } } },
    comments_from_learner: { '0': { comment: 'Good', location: 'p2', timestamp: '2026-12-03T10:00:00' } },
  };

  it('should write a 2004 SCO’s records for a 1.2 LMS: 1.2 names, vocabularies and formats, no description', () => {
    expect(lmsRecords('S@1', '2004', '1.2', cmi2004)).toEqual([
      { kind: 'interaction', key: 'S@1#i0', id: 'urn:q:1', values: [['type', 'fill-in'], ['student_response', 'Some text'], ['result', 'wrong'], ['time', '10:11:12'], ['latency', '00:01:05.00'], ['objectives.0.id', 'o1']] },
      { kind: 'interaction', key: 'S@1#i1', id: 'urn:q:2', values: [['type', 'matching'], ['student_response', 'a.1,b.2'], ['result', 'correct']] },
      { kind: 'objective', key: 'S@1#oo1', id: 'o1', values: [['status', 'completed'], ['score.raw', '85']] },
      { kind: 'comment', key: 'S@1#c0', id: '', values: [['', 'Good']] },
    ]);
  });

  it('should write a 1.2 SCO’s records for a 2004 LMS: status as completion and success, 2004 separators and durations', () => {
    const cmi12 = {
      interactions: { '0': { id: 'q1', type: 'choice', student_response: 'a,b', result: 'wrong', time: '09:30:00', latency: '00:00:07', objectives: {}, correct_responses: { '0': { pattern: 'b,c' } } } },
      objectives: { '0': { id: 'o1', status: 'failed', score: { raw: '40', min: '', max: '100' } } },
      comments: 'Hard',
    };
    const [interaction, objective, comment] = lmsRecords('S@1', '1.2', '2004', cmi12);
    expect(interaction.values).toEqual([
      ['type', 'choice'],
      ['learner_response', 'a[,]b'],
      ['result', 'incorrect'],
      ['timestamp', expect.stringMatching(/^\d{4}-\d{2}-\d{2}T09:30:00$/)],
      ['latency', 'PT0H0M7S'],
      ['correct_responses.0.pattern', 'b[,]c'],
    ]);
    expect(objective).toEqual({ kind: 'objective', key: 'S@1#oo1', id: 'o1', values: [['success_status', 'failed'], ['completion_status', 'completed'], ['score.raw', '40'], ['score.max', '100']] });
    expect(comment).toEqual({ kind: 'comment', key: 'S@1#c0', id: '', values: [['comment', 'Hard']] });
  });

  it('should send only what changed since the launch data or the last relay', () => {
    const sent = new Map<string, Map<string, string>>();
    const first = { interactions: { '0': { id: 'q1', type: 'choice', result: 'wrong' } } };
    expect(changedRecords(lmsRecords('S@1', '1.2', '1.2', first), sent)).toHaveLength(1);
    expect(changedRecords(lmsRecords('S@1', '1.2', '1.2', first), sent)).toEqual([]);
    const later = { interactions: { '0': { id: 'q1', type: 'choice', result: 'correct' }, '1': { id: 'q2' } } };
    expect(changedRecords(lmsRecords('S@1', '1.2', '1.2', later), sent)).toEqual([
      { kind: 'interaction', key: 'S@1#i0', id: 'q1', values: [['result', 'correct']] },
      { kind: 'interaction', key: 'S@1#i1', id: 'q2', values: [] },
    ]);
  });

  it('should give the SCO the LMS’s error code in its own version’s numbering', () => {
    expect(scoErrorCode('1.2', '1.2', '405')).toBe(405);
    expect(scoErrorCode('1.2', '2004', '405')).toBe(406);
    expect(scoErrorCode('2004', '1.2', '406')).toBe(405);
    expect(scoErrorCode('2004', '1.2', '408')).toBe(101);
    expect(scoErrorCode('1.2', '2004', '999')).toBe(391);
    expect(scoErrorCode('1.2', '1.2', 'not relayed')).toBeNull();
    expect(scoErrorCode('1.2', '1.2', '0')).toBeNull();
  });
});
