import request from 'supertest';
import { DataSource } from 'typeorm';
import { newCursor, SCO_SESSION_COMMITS, scoCommit, terminatesNext } from '../../bench/runtime-2004';
import { recordPath, RESULT_COMBINATIONS } from '../../bench/sequenced-course';
import { createTestApp, type TestApp } from '../support/app';
import { importFixture, launchContext, openPlayer } from '../support/player-entry';

/**
 * The runtime bench's SCORM 2004 mode (`BENCH_SCORM=2004`, docs/sequencing.md "Bench figures") drives
 * the server's sequencing path: the engine delivers every SCO of seq-bench-course to a learner who
 * fails the pre-test, and the bench's commits — its timed-phase round of the lessons, then its closing
 * commits — are all applied and give the root result the course's rollup says (the exam alone decides:
 * the learner's own exam score, for the lowest and the highest of the bench's result combinations),
 * with the engine state saved.
 */
describe('bench SCORM 2004 mode: the commits it sends take the server through its rollup (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each([RESULT_COMBINATIONS[0], RESULT_COMBINATIONS[RESULT_COMBINATIONS.length - 1]])('records the path the engine delivers and the bench commits finish the course with the exam as the root result (%j)', async (results) => {
    const courseId = await importFixture(t, 'seq-bench-course');
    const { bootstrap: b } = await openPlayer(t, launchContext(courseId));
    const steps = await recordPath(b, results);
    expect(steps.map((s) => s.itemId)).toEqual(['PRETEST', 'LESSON-1', 'LESSON-2', 'EXAM']);
    expect(steps.every((s) => JSON.parse(s.state!).version === '1.0')).toBe(true);
    expect(steps[3].objectiveIds).toEqual(['exam-passed', 'exam-section-1', 'exam-section-2']);

    const runtimePath = b.runtimeBase;
    const cursor = newCursor();
    let seq = 0;
    const send = async (terminate: boolean, closing = false) => {
      const { path, body } = scoCommit(runtimePath, steps, cursor, ++seq, `suspend-${seq}`, terminate, closing);
      const res = await request(t.contentUrl).post(path).set('Authorization', `Bearer ${b.token}`).set('Content-Type', 'application/json').send(body);
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { result: true, errorCode: 0, applied: true } });
      return path;
    };
    // Timed phase: the pre-test, both lessons, then round the lessons again (never the exam).
    const visited: string[] = [];
    for (let i = 0; i < 4 * SCO_SESSION_COMMITS; i++) {
      const terminate = terminatesNext(cursor);
      const path = await send(terminate);
      if (terminate) {
        visited.push(decodeURIComponent(path.split('/scos/')[1].replace('/commit', '')));
      }
    }
    expect(visited).toEqual(['PRETEST', 'LESSON-1', 'LESSON-2', 'LESSON-1']);
    const db = t.server.app.get(DataSource);
    const root = async () => {
      const [row] = await db.query(`SELECT ${q('rootCompletion')} AS c, ${q('rootSuccess')} AS s, ${q('rootMeasure')} AS m FROM attempts WHERE id = '${b.attemptId}'`);
      return { completion: row.c, success: row.s, measure: row.m === null ? null : Number(row.m) };
    };
    // The exam has not ended: the root's result is not known yet (the grade stays InProgress).
    const before = await root();
    expect(before.success).toBe('unknown');
    expect(before.completion).not.toBe('completed');
    // Closing: the running SCO's terminating commit, then each SCO left to the end of the path.
    const closing: string[] = [];
    while (cursor.step < steps.length) {
      closing.push(steps[cursor.step].itemId);
      await send(true, true);
    }
    expect(closing).toEqual(['LESSON-2', 'EXAM']);
    expect(await root()).toEqual({ completion: 'completed', success: 'passed', measure: results.exam });
    const [saved] = await db.query(`SELECT COUNT(*) AS n FROM attempt_sequencing WHERE ${q('attemptId')} = '${b.attemptId}'`);
    expect(Number(saved.n)).toBe(1);
  });

  function q(column: string): string {
    return t.server.app.get(DataSource).options.type === 'postgres' ? `"${column}"` : column;
  }
});
