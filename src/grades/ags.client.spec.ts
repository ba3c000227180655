import { generateKeyPair, SignJWT } from 'jose';
import { AgsPlatform, startAgsPlatform } from '../../test/support/ags-platform';
import { ManualClock } from '../../test/support/manual-clock';
import { AgsClient } from './ags.client';
import { AgsCredentials, ClientAssertionSigner } from './ags.types';

const SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

/**
 * Access tokens kept in memory (docs/deployment.md, "What instances share"): reused until 60 s before
 * they expire, asked for again after, and not kept once expired, so a long-running server does not
 * hold a token for every deployment and scope set it ever used. Against a token endpoint over HTTP,
 * on a clock the test moves.
 */
describe('AgsClient access tokens', () => {
  let platform: AgsPlatform;
  let client: AgsClient;
  const clock = new ManualClock();
  const opts = { timeoutMs: 5000 };
  const creds = (deploymentId: string): AgsCredentials => ({ platformId: 'p1', clientId: 'tool', tokenEndpoint: platform.tokenEndpoint, deploymentId });
  /** The tokens the client keeps, by deployment. */
  const kept = () => [...client['tokens'].keys()].map((key) => key.split('|')[3]);

  beforeAll(async () => {
    platform = await startAgsPlatform({ tokenTtlSeconds: 3600 });
    const { privateKey } = await generateKeyPair('RS256');
    const signer: ClientAssertionSigner = {
      sign: (payload, expiresIn) =>
        new SignJWT(payload)
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuedAt()
          .setExpirationTime(`${expiresIn}s`)
          .sign(privateKey),
    };
    client = new AgsClient(signer, clock);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('should reuse a token until shortly before it expires, then ask again, and keep no expired token', async () => {
    const first = await client.accessToken(creds('d1'), [SCORE], opts);
    const second = await client.accessToken(creds('d2'), [SCORE], opts);
    clock.advance(3600_000 - 60_000 - 1);
    expect(await client.accessToken(creds('d1'), [SCORE], opts)).toBe(first);
    expect(await client.accessToken(creds('d2'), [SCORE], opts)).toBe(second);
    expect(platform.tokenRequests).toHaveLength(2);
    expect(kept()).toEqual(['d1', 'd2']);

    clock.advance(1); // both expired: a token for another deployment drops them
    await client.accessToken(creds('d3'), [SCORE], opts);
    expect(kept()).toEqual(['d3']);

    const again = await client.accessToken(creds('d1'), [SCORE], opts);
    expect(again).not.toBe(first);
    expect(platform.tokenRequests).toHaveLength(4);
    expect(kept()).toEqual(['d3', 'd1']);
  });
});
