import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { ManualClock } from '../../../test/support/manual-clock';
import { PlatformKeysService } from './platform-keys.service';

/**
 * Platform key sets kept in memory (docs/deployment.md, "What instances share"): one per JWKS URL,
 * its keys fetched again after 10 minutes; a set unused for 10 minutes is dropped, so a long-running
 * server does not keep one for every JWKS URL it ever met. Against a JWKS served over HTTP, on a
 * clock the test moves (the keys' own 10 minutes are jose's, on the real clock).
 */
describe(PlatformKeysService.name, () => {
  let server: http.Server;
  let base = '';
  let token = '';
  const fetches: string[] = [];
  const clock = new ManualClock();
  const keys = new PlatformKeysService(clock);
  /** The JWKS URLs whose sets are kept, oldest use first. */
  const kept = () => [...keys['sets'].keys()].map((url) => new URL(url).searchParams.get('lms'));
  const jwks = (lms: string) => `${base}/jwks?lms=${lms}`;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    token = await new CompactSign(new TextEncoder().encode('{"sub":"x"}')).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
    server = http.createServer((req, res) => {
      fetches.push(new URL(req.url ?? '/', 'http://x').searchParams.get('lms') ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('should verify with each URL its own set, and drop the sets unused for 10 minutes while keeping one in use', async () => {
    await keys.verifySignature(token, jwks('a'));
    await keys.verifySignature(token, jwks('b'));
    clock.advance(5 * 60_000);
    await keys.verifySignature(token, jwks('a')); // a in use: kept, its keys not fetched again
    await keys.verifySignature(token, jwks('c'));
    expect(fetches).toEqual(['a', 'b', 'c']);
    expect(kept()).toEqual(['b', 'a', 'c']);

    clock.advance(5 * 60_000); // b unused for 10 minutes, a for 5
    await keys.verifySignature(token, jwks('d'));
    expect(kept()).toEqual(['a', 'c', 'd']);

    clock.advance(10 * 60_000);
    await keys.verifySignature(token, jwks('b')); // dropped: fetched again, and verifies as before
    expect(kept()).toEqual(['b']);
    expect(fetches).toEqual(['a', 'b', 'c', 'd', 'b']);
    await expect(keys.verifySignature(`${token.slice(0, -4)}AAAA`, jwks('b'))).rejects.toMatchObject({ code: 'lti_signature_invalid' });
  });
});
