import request from 'supertest';
import { DataSource } from 'typeorm';
import { Attempt } from '../../src/attempts/attempt.entity';
import { hashCode } from '../../src/attempts/launch-code.service';
import { LaunchCode } from '../../src/attempts/launch-code.entity';
import { RuntimeTokenService } from '../../src/attempts/runtime-token.service';
import { createTestApp, TestApp } from '../support/app';
import { importFixture, launchContext, openPlayer, playerUrlFor } from '../support/player-entry';

/** The launch code's plain-SQL redeem (issue 3): expiry decided by the database, launch counted once per redeem. */
describe('Launch code redeem', () => {
  let t: TestApp;
  let course: string;

  beforeAll(async () => {
    t = await createTestApp();
    course = await importFixture(t, 'scorm12-single-sco');
  });

  afterAll(async () => {
    await t.close();
  });

  it('should refuse an expired code without marking it used', async () => {
    const url = await playerUrlFor(t, launchContext(course, { sub: 'expiring-learner' }));
    const code = new URL(url).pathname.split('/').pop()!;
    const repo = t.server.app.get(DataSource).getRepository(LaunchCode);
    await repo.update({ codeHash: hashCode(code) }, { expiresAt: new Date(Date.now() - 1000) });
    const res = await request(t.contentUrl).get(`/player/${code}`).set('Accept', 'text/html').expect(410);
    expect(res.text).toContain('launch_code_invalid');
    expect((await repo.findOneOrFail({ where: { codeHash: hashCode(code) } })).usedAt).toBeNull();
  });

  it('should count each launch on the attempt and put that count in the runtime token', async () => {
    const ctx = launchContext(course, { sub: 'counted-learner' });
    const tokens = t.server.app.get(RuntimeTokenService);
    const launches: number[] = [];
    let attemptId = '';
    for (let i = 0; i < 3; i++) {
      const { bootstrap: b } = await openPlayer(t, ctx);
      attemptId = b.attemptId;
      launches.push((await tokens.verify(b.token)).launch);
    }
    expect(launches).toEqual([1, 2, 3]);
    const attempt = await t.server.app.get(DataSource).getRepository(Attempt).findOneOrFail({ where: { id: attemptId } });
    expect(attempt.launchCount).toBe(3);
    expect(attempt.lastLaunchedAt).toBeInstanceOf(Date);
  });
});
