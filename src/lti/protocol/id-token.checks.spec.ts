import { checkAudience, checkMessageClaims, checkNonce, checkTimes, checkTokenShape, LEEWAY_S, MAX_AGE_S, normaliseUrl } from './id-token.checks';
import { CLAIM } from './claims';
import { LtiError } from './lti-error';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof LtiError ? e.code : `not-lti:${String(e)}`;
  }
}

describe('id-token checks', () => {
  describe(checkTokenShape.name, () => {
    it('should accept RS256 with a kid', () => {
      expect(codeOf(() => checkTokenShape(`${b64({ alg: 'RS256', kid: 'k' })}.${b64({ a: 1 })}.sig`))).toBeNull();
    });
    it.each([
      ['two parts', 'a.b'],
      ['not a string', 42],
      ['garbage header', 'x.y.z'],
    ])('should call %s malformed', (_n, token) => {
      expect(codeOf(() => checkTokenShape(token))).toBe('lti_token_malformed');
    });
    it.each(['none', 'HS256', 'PS256', 'RS512', 'ES256'])('should refuse alg %s', (alg) => {
      expect(codeOf(() => checkTokenShape(`${b64({ alg, kid: 'k' })}.${b64({})}.s`))).toBe('lti_alg_not_allowed');
    });
    it('should refuse a missing or empty kid', () => {
      expect(codeOf(() => checkTokenShape(`${b64({ alg: 'RS256' })}.${b64({})}.s`))).toBe('lti_kid_missing');
      expect(codeOf(() => checkTokenShape(`${b64({ alg: 'RS256', kid: '' })}.${b64({})}.s`))).toBe('lti_kid_missing');
    });
  });

  describe(checkAudience.name, () => {
    const exp = { issuer: 'https://lms', loginIssuer: 'https://lms', clientId: 'c1' };
    it('should accept aud as a string or a one-element array', () => {
      expect(codeOf(() => checkAudience({ iss: 'https://lms', aud: 'c1' }, exp))).toBeNull();
      expect(codeOf(() => checkAudience({ iss: 'https://lms', aud: ['c1'] }, exp))).toBeNull();
    });
    it("should compare iss byte for byte with the login's", () => {
      expect(codeOf(() => checkAudience({ iss: 'https://lms/', aud: 'c1' }, exp))).toBe('lti_iss_mismatch');
      expect(codeOf(() => checkAudience({ iss: 'https://lms', aud: 'c1' }, { ...exp, loginIssuer: 'https://other' }))).toBe('lti_iss_mismatch');
    });
    it("should match the registration's issuer in canonical form (trailing slash, host case) and nothing else", () => {
      const slash = { ...exp, loginIssuer: 'https://LMS/' };
      expect(codeOf(() => checkAudience({ iss: 'https://LMS/', aud: 'c1' }, slash))).toBeNull();
      expect(codeOf(() => checkAudience({ iss: 'https://LMS/', aud: 'c1' }, { ...slash, issuer: 'https://lms/x' }))).toBe('lti_iss_mismatch');
      expect(codeOf(() => checkAudience({ iss: 'http://lms', aud: 'c1' }, { ...exp, loginIssuer: 'http://lms' }))).toBe('lti_iss_mismatch');
    });
    it('should refuse a missing azp with several audiences even if all were trusted', () => {
      expect(codeOf(() => checkAudience({ iss: 'https://lms', aud: ['c1', 'c1'] }, exp))).toBe('lti_azp_mismatch');
    });
    it('should refuse an untrusted extra audience', () => {
      expect(codeOf(() => checkAudience({ iss: 'https://lms', aud: ['c1', 'c2'], azp: 'c1' }, exp))).toBe('lti_aud_mismatch');
    });
  });

  describe(checkTimes.name, () => {
    const now = 1_800_000_000;
    it('should allow the leeway on exp but not beyond', () => {
      expect(codeOf(() => checkTimes({ exp: now - LEEWAY_S + 1, iat: now - 10 }, now))).toBeNull();
      expect(codeOf(() => checkTimes({ exp: now - LEEWAY_S, iat: now - 10 }, now))).toBe('lti_token_expired');
      expect(codeOf(() => checkTimes({ iat: now }, now))).toBe('lti_token_expired');
    });
    it('should refuse a missing, future or too old iat, and a future nbf', () => {
      expect(codeOf(() => checkTimes({ exp: now + 60 }, now))).toBe('lti_token_iat_invalid');
      expect(codeOf(() => checkTimes({ exp: now + 600, iat: now + LEEWAY_S + 1 }, now))).toBe('lti_token_iat_invalid');
      expect(codeOf(() => checkTimes({ exp: now + 60, iat: now - MAX_AGE_S - LEEWAY_S - 1 }, now))).toBe('lti_token_iat_invalid');
      expect(codeOf(() => checkTimes({ exp: now + 600, iat: now, nbf: now + 300 }, now))).toBe('lti_token_iat_invalid');
    });
  });

  describe(checkNonce.name, () => {
    it('should need exactly the login nonce', () => {
      expect(codeOf(() => checkNonce({ nonce: 'abc' }, 'abc'))).toBeNull();
      expect(codeOf(() => checkNonce({ nonce: 'abd' }, 'abc'))).toBe('lti_nonce_invalid');
      expect(codeOf(() => checkNonce({}, 'abc'))).toBe('lti_nonce_invalid');
    });
  });

  describe(checkMessageClaims.name, () => {
    const target = 'https://tool.example/lti/courses/1';
    const good = {
      sub: 'u1',
      [CLAIM.version]: '1.3.0',
      [CLAIM.messageType]: 'LtiResourceLinkRequest',
      [CLAIM.deploymentId]: 'd1',
      [CLAIM.roles]: [],
      [CLAIM.resourceLink]: { id: 'r1' },
      [CLAIM.targetLinkUri]: target,
    };
    const e = { loginDeploymentId: null, loginTargetLinkUri: target, knownDeployments: ['d1'], pointsAtTool: (u: string) => new URL(u).origin === 'https://tool.example' };
    it('should accept a complete resource link launch', () => {
      expect(codeOf(() => checkMessageClaims(good, e))).toBeNull();
    });
    it('should report the first failing step when several claims are bad', () => {
      expect(codeOf(() => checkMessageClaims({ ...good, [CLAIM.version]: '1.1', sub: '' }, e))).toBe('lti_version_wrong');
      expect(codeOf(() => checkMessageClaims({ ...good, sub: '', [CLAIM.roles]: undefined }, e))).toBe('lti_sub_missing');
    });
    it('should refuse a deployment id over 255 characters or non-ASCII', () => {
      expect(codeOf(() => checkMessageClaims({ ...good, [CLAIM.deploymentId]: 'x'.repeat(256) }, e))).toBe('lti_deployment_missing');
      expect(codeOf(() => checkMessageClaims({ ...good, [CLAIM.deploymentId]: 'dé' }, e))).toBe('lti_deployment_missing');
    });
    it('should not need a resource link on a deep linking request', () => {
      const dl = { ...good, [CLAIM.messageType]: 'LtiDeepLinkingRequest', [CLAIM.resourceLink]: undefined, [CLAIM.targetLinkUri]: undefined };
      expect(codeOf(() => checkMessageClaims(dl, e))).toBeNull();
    });
    it('should compare target links after URL normalisation', () => {
      expect(normaliseUrl('HTTPS://Tool.Example:443/lti/courses/1')).toBe(target);
      expect(codeOf(() => checkMessageClaims({ ...good, [CLAIM.targetLinkUri]: 'HTTPS://Tool.Example:443/lti/courses/1' }, e))).toBeNull();
    });
  });
});
