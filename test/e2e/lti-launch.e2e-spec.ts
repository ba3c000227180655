import { PlatformEmulator, LaunchResult, startLtiTestbed, LtiTestbed, LaunchOptions } from '../support/platform-emulator';
import { ManualClock } from '../support/manual-clock';
import { adminApi } from '../support/admin-api';
import { STATE_TTL_MS } from '../../src/lti/login/login.service';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

/** The stable error code shown on the tool's HTML error page. */
function code(res: { text: string }): string | null {
  return /data-error-code>([^<]+)</.exec(res.text)?.[1] ?? null;
}

/** A launch the tool accepted and handed to the player (whatever page or redirect the player answers). */
function expectLaunched(res: { status: number; text: string }): void {
  expect({ status: res.status < 400 ? 'ok' : res.status, code: code(res) }).toEqual({ status: 'ok', code: null });
}

function expectRefused(res: LaunchResult, status: number, errorCode: string): void {
  expect({ status: res.status, code: code(res) }).toEqual({ status, code: errorCode });
}

describe('LTI 1.3 launch (emulator, real HTTP)', () => {
  let tb: LtiTestbed;
  let emu: PlatformEmulator;
  const launch = (o: Partial<LaunchOptions> = {}) => emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, ...o });

  beforeAll(async () => {
    tb = await startLtiTestbed();
    emu = tb.emu;
  });

  afterAll(async () => {
    await tb.close();
  });

  describe('login', () => {
    it('should redirect to the authorization endpoint with every required parameter and a bound state cookie', async () => {
      const res = await launch();
      expect(res.login.status).toBe(302);
      const loc = new URL(res.login.headers.get('location') as string);
      expect(`${loc.origin}${loc.pathname}`).toBe(emu.authorizationEndpoint);
      const q = Object.fromEntries(loc.searchParams);
      expect(q).toMatchObject({
        scope: 'openid',
        response_type: 'id_token',
        response_mode: 'form_post',
        prompt: 'none',
        client_id: emu.clientId,
        redirect_uri: `${tb.app.appUrl}/lti/launch`,
      });
      expect(q.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(q.login_hint).toMatch(/^user-/);
      expect(q.lti_message_hint).toBeTruthy();
      const cookie = res.login.setCookies.find((c) => c.startsWith(`lti1p3_${q.state}=`)) ?? '';
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=None/);
      expect(cookie).toMatch(/; Partitioned/);
      expect(cookie).toMatch(/; HttpOnly/);
      expectLaunched(res);
    });

    it('should accept a POST login too', async () => {
      const res = await launch({ loginMethod: 'POST' });
      expect(res.login.status).toBe(302);
      expectLaunched(res);
    });

    it('should refuse an unknown issuer', async () => {
      const res = await launch({ loginParams: { iss: 'https://unknown.example' } });
      expectRefused(res, 400, 'lti_unknown_issuer');
    });

    it('should refuse a login without login_hint', async () => {
      const res = await launch({ loginParams: { login_hint: undefined } });
      expectRefused(res, 400, 'lti_login_params_missing');
    });

    it('should refuse a target_link_uri that does not point at this tool (open redirect)', async () => {
      const res = await launch({ targetLinkUri: 'https://evil.example/lti/courses/x' });
      expectRefused(res, 400, 'lti_target_link_uri_invalid');
    });

    it('should answer a refusal as a page to a browser and as the JSON envelope to a client asking for JSON', async () => {
      const url = `${tb.app.appUrl}/lti/login?iss=${encodeURIComponent('https://unknown.example')}&login_hint=u&target_link_uri=${encodeURIComponent(`${tb.app.appUrl}/lti/launch`)}`;
      const page = await fetch(url, { headers: { Accept: 'text/html' } });
      expect({ status: page.status, type: page.headers.get('content-type'), cache: page.headers.get('cache-control') }).toEqual({ status: 400, type: 'text/html; charset=utf-8', cache: 'no-store' });
      expect(code({ text: await page.text() })).toBe('lti_unknown_issuer');
      const json = await fetch(url, { headers: { Accept: 'application/json' } });
      expect(json.status).toBe(400);
      expect(await json.json()).toEqual({ error: 'lti_unknown_issuer', message: expect.stringMatching(/\.$/) });
    });

    it('should refuse an unknown client_id', async () => {
      const res = await launch({ loginParams: { client_id: 'nope' } });
      expectRefused(res, 400, 'lti_unknown_client');
    });

    it('should refuse an unknown lti_deployment_id at login', async () => {
      const res = await launch({ loginDeploymentId: 'other-deployment' });
      expectRefused(res, 403, 'lti_deployment_unknown');
    });

    it('should pick the registration by client_id when one issuer has several, and refuse when it is missing', async () => {
      emu.addClient('second-client', 'second-deployment', `${tb.app.appUrl}/lti/launch`);
      const reg = await fetch(`${tb.app.appUrl}/api/platforms`, {
        method: 'POST',
        headers: { ...tb.app.auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(emu.registrationBody({ name: 'Second', clientId: 'second-client', deploymentIds: ['second-deployment'] })),
      });
      expect(reg.status).toBe(201);
      const id = ((await reg.json()) as { id: string }).id;
      try {
        const ok = await launch({ clientId: 'second-client' });
        expectLaunched(ok);
        expect(ok.claims?.aud).toBe('second-client');
        const ambiguous = await launch({ sendClientId: false });
        expectRefused(ambiguous, 400, 'lti_registration_ambiguous');
      } finally {
        await fetch(`${tb.app.appUrl}/api/platforms/${id}`, { method: 'DELETE', headers: tb.app.auth });
      }
    });

    it('should rate-limit logins per client address (X-Forwarded-For is trusted from loopback)', async () => {
      const url = `${tb.app.appUrl}/lti/login?${new URLSearchParams({ iss: 'https://unknown.example', login_hint: 'x', target_link_uri: `${tb.app.appUrl}/lti/launch` })}`;
      const statuses: number[] = [];
      const started = Date.now();
      // At least 500 requests, in rounds of 50, and more rounds (up to 2,000 requests) while none has
      // been refused yet: on a busy machine with the limit shared through PostgreSQL, 500 requests can
      // take long enough for the refill to have let them all through.
      while (statuses.length < 500 || (!statuses.includes(429) && statuses.length < 2000)) {
        const round = await Promise.all(Array.from({ length: 50 }, () => fetch(url, { headers: { 'X-Forwarded-For': '203.0.113.9' }, redirect: 'manual' })));
        statuses.push(...round.map((r) => r.status));
      }
      const seconds = (Date.now() - started) / 1000;
      // A burst of 300 passes (to the next check, unknown issuer: 400), then 20 more a second however
      // long the requests took; every other one is 429.
      const passed = statuses.filter((s) => s === 400).length;
      expect(passed).toBeGreaterThanOrEqual(300);
      expect(passed).toBeLessThanOrEqual(300 + Math.ceil(20 * seconds) + 1);
      expect(statuses.filter((s) => s === 429).length).toBe(statuses.length - passed);
      expect(statuses.length - passed).toBeGreaterThan(0);
      const other = await fetch(url, { headers: { 'X-Forwarded-For': '203.0.113.10' }, redirect: 'manual' });
      expect(other.status).toBe(400);
    });

    it('should answer a plain GET of a target link URI with a harmless page', async () => {
      const res = await fetch(`${tb.app.appUrl}/lti/courses/${tb.courseId}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Open the activity from your course in the LMS');
    });
  });

  describe('launch checks (docs/lti-launch-checks.md, in order)', () => {
    it('1: should refuse a launch without the state cookie (no platform storage) and offer a new window', async () => {
      const res = await launch({ cookies: false });
      expectRefused(res, 401, 'lti_state_invalid');
      expect(res.text).toContain('Open in a new window');
      expect(res.text).toContain('/lti/login?');
    });

    it('1: should refuse an unknown state', async () => {
      expectRefused(await launch({ state: 'made-up-state' }), 401, 'lti_state_invalid');
    });

    it('1: should refuse a second post of the same launch (replay)', async () => {
      const first = await launch();
      expectLaunched(first);
      const again = await (first.replay as () => Promise<LaunchResult>)();
      expect(again.status).toBe(401);
      expect(code(again)).toBe('lti_state_invalid');
    });

    it('1/11: should let exactly one of two parallel posts of one launch win', async () => {
      const post = await holdLaunch(emu, tb.app.appUrl, tb.courseId);
      const results = await Promise.all([post(), post()]);
      expect(results.map((r) => (r.status < 400 ? 'ok' : r.status)).sort()).toEqual([401, 'ok']);
      const loser = results.find((r) => r.status === 401) as { text: string };
      expect(['lti_nonce_replayed', 'lti_state_invalid']).toContain(code(loser));
    });

    it('2: should refuse a malformed id_token', async () => {
      expectRefused(await launch({ tamper: () => 'not-a-jwt' }), 400, 'lti_token_malformed');
    });

    it('3: should refuse alg none', async () => {
      expectRefused(await launch({ sign: { alg: 'none' } }), 401, 'lti_alg_not_allowed');
    });

    it('3: should refuse HS256 signed with the platform public key (alg confusion)', async () => {
      expectRefused(await launch({ sign: { alg: 'HS256' } }), 401, 'lti_alg_not_allowed');
    });

    it('3: should refuse RS384', async () => {
      expectRefused(await launch({ sign: { alg: 'RS384' } }), 401, 'lti_alg_not_allowed');
    });

    it('4: should refuse a token without kid (cert "No KID Sent in JWT header")', async () => {
      expectRefused(await launch({ sign: { kid: null } }), 401, 'lti_kid_missing');
    });

    it('5: should refuse a token from another issuer', async () => {
      expectRefused(await launch({ finalClaims: { iss: 'https://other-lms.example' } }), 401, 'lti_iss_mismatch');
    });

    it('6: should refuse a token for another audience', async () => {
      expectRefused(await launch({ finalClaims: { aud: 'someone-else' } }), 401, 'lti_aud_mismatch');
    });

    it('6: should refuse an aud array with an untrusted extra audience', async () => {
      expectRefused(await launch({ finalClaims: { aud: [emu.clientId, 'someone-else'], azp: emu.clientId } }), 401, 'lti_aud_mismatch');
    });

    it('7: should refuse an azp that is not our client id', async () => {
      expectRefused(await launch({ finalClaims: { azp: 'someone-else' } }), 401, 'lti_azp_mismatch');
    });

    it('7: should accept an azp equal to our client id', async () => {
      expectLaunched(await launch({ finalClaims: { azp: emu.clientId } }));
    });

    it('8: should refuse an unknown kid (cert "Incorrect KID in JWT header")', async () => {
      expectRefused(await launch({ sign: { kid: 'no-such-kid' } }), 401, 'lti_kid_unknown');
    });

    it('8: should refuse a signature made with another key under a known kid', async () => {
      expectRefused(await launch({ sign: { key: await PlatformEmulator.strangerKey() } }), 401, 'lti_signature_invalid');
    });

    it('8: should refuse a token whose payload was altered after signing', async () => {
      const tamper = (t: string) => {
        const [h, p, s] = t.split('.');
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
        claims.sub = 'someone-else';
        return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      };
      expectRefused(await launch({ tamper }), 401, 'lti_signature_invalid');
    });

    it('9: should refuse an expired token (cert: exp in 1970)', async () => {
      expectRefused(await launch({ finalClaims: { exp: 22222 } }), 401, 'lti_token_expired');
    });

    it('10: should refuse an iat in the future', async () => {
      expectRefused(await launch({ finalClaims: { iat: Math.floor(Date.now() / 1000) + 3600, exp: Math.floor(Date.now() / 1000) + 7200 } }), 401, 'lti_token_iat_invalid');
    });

    it('10: should refuse a token issued too long ago', async () => {
      expectRefused(await launch({ finalClaims: { iat: Math.floor(Date.now() / 1000) - 3600 } }), 401, 'lti_token_iat_invalid');
    });

    it('11: should refuse a nonce other than the one sent at login', async () => {
      expectRefused(await launch({ finalClaims: { nonce: 'another-nonce' } }), 401, 'lti_nonce_invalid');
    });

    it('12: should refuse a missing version (cert "No LTI Version")', async () => {
      expectRefused(await launch({ claims: { [`${LTI}version`]: undefined } }), 401, 'lti_version_missing');
    });

    it('12: should refuse version "11.3" (cert "Wrong LTI Version")', async () => {
      expectRefused(await launch({ claims: { [`${LTI}version`]: '11.3' } }), 401, 'lti_version_wrong');
    });

    it('13: should refuse a missing message type', async () => {
      expectRefused(await launch({ claims: { [`${LTI}message_type`]: undefined } }), 400, 'lti_message_type_unsupported');
    });

    it('13: should refuse an unsupported message type', async () => {
      expectRefused(await launch({ claims: { [`${LTI}message_type`]: 'LtiSomethingElse' } }), 400, 'lti_message_type_unsupported');
    });

    it('14: should refuse a missing deployment_id', async () => {
      expectRefused(await launch({ claims: { [`${LTI}deployment_id`]: undefined } }), 401, 'lti_deployment_missing');
    });

    it('14: should refuse an unknown deployment_id', async () => {
      expectRefused(await launch({ deploymentId: 'unknown-deployment' }), 403, 'lti_deployment_unknown');
    });

    it('14: should refuse a deployment_id other than the one named at login', async () => {
      // The login names the known deployment; the token carries a different one.
      expectRefused(await launch({ loginDeploymentId: emu.deploymentId, deploymentId: 'unknown-deployment' }), 401, 'lti_deployment_mismatch');
    });

    it('15: should refuse sub "" (cert "user Claim Missing")', async () => {
      expectRefused(await launch({ claims: { sub: '' } }), 401, 'lti_sub_missing');
    });

    it('15: should refuse a missing sub', async () => {
      expectRefused(await launch({ claims: { sub: undefined } }), 401, 'lti_sub_missing');
    });

    it('16: should refuse a missing roles claim', async () => {
      expectRefused(await launch({ claims: { [`${LTI}roles`]: undefined } }), 401, 'lti_roles_missing');
    });

    it.each([
      ['No Role', ['']],
      ['empty list', []],
      ['Short Role', ['Learner']],
      ['Unknown Role', ['http://purl.imsglobal.org/vocab/lis/v2/unknown#Whatever']],
      ['TestUser', ['http://purl.imsglobal.org/vocab/lti/system/person#TestUser']],
    ])('16: should accept roles shape "%s"', async (_name, roles) => {
      const res = await launch({ claims: { [`${LTI}roles`]: roles } });
      expectLaunched(res);
    });

    it('17: should refuse a missing resource link id', async () => {
      expectRefused(await launch({ claims: { [`${LTI}resource_link`]: { title: 'x' } } }), 401, 'lti_resource_link_missing');
    });

    it('18: should refuse a signed target_link_uri that differs from the login one', async () => {
      expectRefused(await launch({ finalClaims: { [`${LTI}target_link_uri`]: `${tb.app.appUrl}/lti/courses/other` } }), 401, 'lti_target_link_uri_mismatch');
    });

    it('19: should ignore unknown claims and launch without a context claim', async () => {
      expectLaunched(await launch({ claims: { [`${LTI}context`]: undefined, 'https://example.com/unknown': { x: 1 } } }));
    });

    it('should refuse an OIDC error posted back instead of a token', async () => {
      const res = await fetch(`${tb.app.appUrl}/lti/launch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ error: 'login_required', error_description: 'no session' }),
      });
      expect(res.status).toBe(400);
      expect(code({ text: await res.text() })).toBe('lti_platform_error');
    });
  });

  describe('course resolution', () => {
    it('should launch by the course_id custom parameter when the target link is the generic launch URL', async () => {
      const res = await launch({ courseId: undefined, targetLinkUri: `${tb.app.appUrl}/lti/launch`, claims: { [`${LTI}custom`]: { course_id: tb.courseId } } });
      expectLaunched(res);
    });

    it('should make one learner, one link and one attempt each of simultaneous first launches on a new link (a class, and one learner in two tabs)', async () => {
      const link = { [`${LTI}resource_link`]: { id: 'link-opened-by-a-class' } };
      const subs = ['class-1', 'class-2', 'class-3', 'class-4', 'class-5', 'class-1'];
      const results = await Promise.all(subs.map((sub) => launch({ claims: { sub, ...link } })));
      results.forEach(expectLaunched);
      const rows = (await adminApi(() => tb.app)('GET', `/api/attempts?courseId=${tb.courseId}`)).body as Array<{ learner: { sub: string }; resourceLinkId: string }>;
      const mine = rows.filter((r) => r.learner.sub.startsWith('class-'));
      expect(mine.map((r) => r.learner.sub).sort()).toEqual(['class-1', 'class-2', 'class-3', 'class-4', 'class-5']);
      expect(new Set(mine.map((r) => r.resourceLinkId)).size).toBe(1);
    });

    it('should show a not-found page for a deleted course', async () => {
      const res = await launch({ courseId: '00000000-0000-0000-0000-000000000000' });
      expectRefused(res, 404, 'lti_course_not_found');
    });
  });

  describe('platform key rotation', () => {
    it('should answer 502 lti_jwks_unavailable when the platform JWKS cannot be fetched', async () => {
      await new Promise((r) => setTimeout(r, 1100)); // past the re-fetch cooldown
      emu.failNext(1, 500, '/jwks');
      const res = await launch({ sign: { kid: 'kid-after-rotation' } });
      expectRefused(res, 502, 'lti_jwks_unavailable');
    });

    it('should re-fetch the platform JWKS once when a token names a new kid', async () => {
      expectLaunched(await launch());
      await emu.rotateKeys({ dropOld: true });
      await new Promise((r) => setTimeout(r, 1100)); // the re-fetch cooldown (1 s)
      const before = emu.received.filter((r) => r.path === '/jwks').length;
      expectLaunched(await launch());
      expect(emu.received.filter((r) => r.path === '/jwks').length).toBe(before + 1);
      // Cached now: a further launch does not fetch again.
      expectLaunched(await launch());
      expect(emu.received.filter((r) => r.path === '/jwks').length).toBe(before + 1);
    });
  });
});

/** Runs login + authorization and returns a function that posts the final form (with the cookie). */
async function holdLaunch(emu: PlatformEmulator, toolUrl: string, courseId: string): Promise<() => Promise<{ status: number; text: string }>> {
  const login = await fetch(`${toolUrl}/lti/login?${new URLSearchParams({ iss: emu.issuer, login_hint: 'x', target_link_uri: `${toolUrl}/lti/courses/${courseId}`, client_id: emu.clientId })}`, { redirect: 'manual' });
  const cookie = login.headers.getSetCookie()[0].split(';')[0];
  const auth = new URL(login.headers.get('location') as string);
  const claims = emu.buildClaims({ toolUrl, courseId }, { clientId: emu.clientId, deploymentId: emu.deploymentId, redirectUris: [], scopes: [] }, auth.searchParams.get('nonce') as string, `${toolUrl}/lti/courses/${courseId}`);
  const idToken = await emu.signIdToken(claims);
  const state = auth.searchParams.get('state') as string;
  return async () => {
    const res = await fetch(`${toolUrl}/lti/launch`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie }, body: new URLSearchParams({ id_token: idToken, state }) });
    return { status: res.status, text: await res.text() };
  };
}

describe('LTI login state lifetime (on the tool clock)', () => {
  const clock = new ManualClock();
  let tb: LtiTestbed;

  beforeAll(async () => {
    tb = await startLtiTestbed({ clock });
  });

  afterAll(async () => {
    await tb.close();
  });

  /** A launch whose platform answers `ms` after the tool's login (its id_token issued then). */
  const launchAfter = (ms: number) => {
    const iat = Math.floor((clock.now() + ms) / 1000);
    return tb.emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, afterLogin: () => clock.advance(ms), finalClaims: { iat, exp: iat + 300 } });
  };

  it('1: should accept a launch a second before its login state expires, and refuse one at its expiry', async () => {
    expectLaunched(await launchAfter(STATE_TTL_MS - 1000));
    expectRefused(await launchAfter(STATE_TTL_MS), 401, 'lti_state_invalid');
  });
});
