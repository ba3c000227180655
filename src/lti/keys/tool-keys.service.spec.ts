import { DataSource } from 'typeorm';
import { decodeProtectedHeader, importJWK, jwtVerify, JWK } from 'jose';
import { ToolKey } from './tool-key.entity';
import { KEY_GRACE_MS, ToolKeysService } from './tool-keys.service';
import { ToolKeysRepository } from './tool-keys.repository';
import { ChangeNotices } from '../../database/change-notices';
import { loadConfig } from '../../config/app-config';
import { Lti1764400001000 } from '../../database/migrations/1764400001000-lti';
import { Platform } from '../../platforms/platform.entity';
import { Deployment } from '../../platforms/deployment.entity';
import { LoginState } from '../login/login-state.entity';

describe(ToolKeysService.name, () => {
  let db: DataSource;

  beforeEach(async () => {
    db = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [ToolKey, Platform, Deployment, LoginState], migrations: [Lti1764400001000], synchronize: false, logging: false });
    await db.initialize();
    await db.runMigrations();
  });

  afterEach(async () => {
    await db.destroy();
  });

  /** One instance's key service (SQLite: its change notices stay in this process). */
  const keysService = () => new ToolKeysService(new ToolKeysRepository(db), new ChangeNotices(db, loadConfig({})));

  it('should generate a key at first use that later instances on the same database reuse', async () => {
    const a = keysService();
    const kid = await a.currentKid();
    expect(await keysService().currentKid()).toBe(kid);
    expect(await db.getRepository(ToolKey).count()).toBe(1);
  });

  it('should make one key when two instances race at first start, so both sign with the key both publish', async () => {
    const [a, b] = [keysService(), keysService()];
    const [ka, kb] = await Promise.all([a.currentKid(), b.currentKid()]);
    expect(ka).toBe(kb);
    expect((await a.jwks()).keys.map((k) => k.kid)).toEqual([ka]);
    expect(await db.getRepository(ToolKey).count()).toBe(1);
  });

  it('should sign RS256 JWTs with kid, iat and exp that verify with the published key', async () => {
    const keys = keysService();
    const jwt = await keys.signJwt({ iss: 'c1', aud: 'https://lms' }, { expiresInSeconds: 60 });
    const header = decodeProtectedHeader(jwt);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: await keys.currentKid() });
    const jwk = (await keys.jwks()).keys.find((k) => k.kid === header.kid) as JWK;
    const { payload } = await jwtVerify(jwt, await importJWK(jwk, 'RS256'), { issuer: 'c1', audience: 'https://lms' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(60);
  });

  it('should keep retired keys published during the grace period and drop them after it', async () => {
    const keys = keysService();
    const first = await keys.currentKid();
    const { kid: second, previous } = await keys.rotate();
    expect(previous).toEqual([first]);
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([second, first]);
    // Age the retired key past the grace period: it leaves the set now, and the table on the next rotation.
    await db.getRepository(ToolKey).update({ kid: first }, { retiredAtMs: Date.now() - KEY_GRACE_MS - 1000 });
    expect((await keysService().jwks()).keys.map((k) => k.kid)).toEqual([second]);
    const { kid: third } = await keys.rotate();
    const rows = await db.getRepository(ToolKey).find();
    expect(rows.map((r) => r.kid).sort()).toEqual([second, third].sort());
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([third, second]);
  });

  it('should never publish private key material', async () => {
    const keys = keysService();
    await keys.rotate();
    for (const k of (await keys.jwks()).keys) {
      expect(Object.keys(k).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    }
  });
});
