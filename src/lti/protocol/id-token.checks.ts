import { HttpStatus } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader, JWTPayload, ProtectedHeaderParameters } from 'jose';
import { timingSafeEqual } from 'node:crypto';
import { CLAIM, LTI_VERSION, MESSAGE_TYPE } from './claims';
import { sameIssuer } from '../../platforms/issuer';
import { LtiError, unknownDeployment } from './lti-error';

/** Clock leeway for exp/iat/nbf (docs/lti-launch-checks.md, checks 9–10: ≤ 60–120 s). */
export const LEEWAY_S = 60;
/** Oldest `iat` accepted (step 10: suggested 5 min). */
export const MAX_AGE_S = 300;

export type Claims = JWTPayload & Record<string, unknown>;

/** Steps 2–4: a compact JWS, `alg` exactly RS256 (never none, HS256 or PS256), `kid` present (Sec §5.1.3, §6.3). */
export function checkTokenShape(token: unknown): { header: ProtectedHeaderParameters; payload: Claims } {
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    throw new LtiError('lti_token_malformed', 'The launch did not carry a well-formed id_token.', HttpStatus.BAD_REQUEST);
  }
  let header: ProtectedHeaderParameters;
  let payload: Claims;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt<Claims>(token);
  } catch {
    throw new LtiError('lti_token_malformed', 'The launch did not carry a well-formed id_token.', HttpStatus.BAD_REQUEST);
  }
  if (header.alg !== 'RS256') {
    throw new LtiError('lti_alg_not_allowed', `The launch token is signed with "${String(header.alg)}"; this tool accepts RS256 only.`);
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new LtiError('lti_kid_missing', 'The launch token names no key (kid); the platform must send one (Security Framework §6.3).');
  }
  return { header, payload };
}

/**
 * Steps 5–7: `iss` byte-equal to the login's (what the LMS sent) and the same issuer as the
 * registration's (canonical form, src/platforms/issuer.ts); `aud` only our client id; `azp`.
 */
export function checkAudience(payload: Claims, expected: { issuer: string; loginIssuer: string; clientId: string }): void {
  if (typeof payload.iss !== 'string' || payload.iss !== expected.loginIssuer || !sameIssuer(payload.iss, expected.issuer)) {
    throw new LtiError('lti_iss_mismatch', 'The launch token was issued by a different LMS than the one that started the login.');
  }
  const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!aud.includes(expected.clientId) || aud.some((a) => a !== expected.clientId)) {
    throw new LtiError('lti_aud_mismatch', 'The launch token is not addressed to this tool’s client id alone.');
  }
  if ((aud.length > 1 && payload.azp === undefined) || (payload.azp !== undefined && payload.azp !== expected.clientId)) {
    throw new LtiError('lti_azp_mismatch', 'The authorized party (azp) of the launch token is not this tool’s client id.');
  }
}

/** Steps 9–10: `exp` not passed, `iat` neither in the future nor too old, `nbf` honoured (with leeway). */
export function checkTimes(payload: Claims, nowS: number): void {
  if (typeof payload.exp !== 'number' || nowS >= payload.exp + LEEWAY_S) {
    throw new LtiError('lti_token_expired', 'The launch token has expired; start the activity again from the LMS.');
  }
  if (typeof payload.iat !== 'number' || payload.iat > nowS + LEEWAY_S || nowS - payload.iat > MAX_AGE_S + LEEWAY_S) {
    throw new LtiError('lti_token_iat_invalid', 'The launch token’s issue time is missing, in the future or too old; check the LMS server clock.');
  }
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > nowS + LEEWAY_S)) {
    throw new LtiError('lti_token_iat_invalid', 'The launch token is not valid yet (nbf); check the LMS server clock.');
  }
}

/** Step 11 (first half): the nonce equals, in constant time, the one sent at login. */
export function checkNonce(payload: Claims, expected: string): void {
  const nonce = payload.nonce;
  if (typeof nonce !== 'string' || !safeEqual(nonce, expected)) {
    throw new LtiError('lti_nonce_invalid', 'The launch token’s nonce is not the one this tool sent at login.');
  }
}

export interface MessageExpectations {
  loginDeploymentId: string | null;
  loginTargetLinkUri: string;
  knownDeployments: string[];
  pointsAtTool(uri: string): boolean;
}

/** Checks 12–18 of docs/lti-launch-checks.md, in order (Core §5.3, §5.4, DL §4.4); unknown claims are ignored. */
export function checkMessageClaims(p: Claims, e: MessageExpectations): void {
  const version = p[CLAIM.version];
  if (version === undefined) {
    throw new LtiError('lti_version_missing', 'The launch has no LTI version claim.');
  }
  if (version !== LTI_VERSION) {
    throw new LtiError('lti_version_wrong', `The launch is LTI version ${JSON.stringify(version).slice(0, 100)}; this tool speaks 1.3.0.`);
  }
  const type = p[CLAIM.messageType];
  if (type !== MESSAGE_TYPE.resourceLink && type !== MESSAGE_TYPE.deepLinkingRequest) {
    throw new LtiError('lti_message_type_unsupported', `The message type ${JSON.stringify(type ?? '').slice(0, 100)} is not supported; this tool handles resource link and deep linking launches.`, HttpStatus.BAD_REQUEST);
  }
  const dep = p[CLAIM.deploymentId];
  if (typeof dep !== 'string' || dep === '' || dep.length > 255 || !/^[\x20-\x7e]+$/.test(dep)) {
    throw new LtiError('lti_deployment_missing', 'The launch has no valid deployment_id claim.');
  }
  if (e.loginDeploymentId !== null && dep !== e.loginDeploymentId) {
    throw new LtiError('lti_deployment_mismatch', 'The launch deployment differs from the one named at login.');
  }
  if (!e.knownDeployments.includes(dep)) {
    throw unknownDeployment(dep);
  }
  if (typeof p.sub !== 'string' || p.sub === '' || p.sub.length > 255) {
    throw new LtiError('lti_sub_missing', 'The launch names no user (sub); this tool needs one to keep progress and grades.');
  }
  if (!Array.isArray(p[CLAIM.roles])) {
    throw new LtiError('lti_roles_missing', 'The launch has no roles claim (an empty list is fine).');
  }
  if (type === MESSAGE_TYPE.resourceLink) {
    const link = p[CLAIM.resourceLink] as { id?: unknown } | undefined;
    if (!link || typeof link.id !== 'string' || link.id === '' || link.id.length > 255) {
      throw new LtiError('lti_resource_link_missing', 'The launch has no resource link id.');
    }
  }
  const target = p[CLAIM.targetLinkUri];
  if (type === MESSAGE_TYPE.resourceLink || target !== undefined) {
    if (typeof target !== 'string' || normaliseUrl(target) !== normaliseUrl(e.loginTargetLinkUri) || !e.pointsAtTool(target)) {
      throw new LtiError('lti_target_link_uri_mismatch', 'The signed target link of the launch differs from the one sent at login.');
    }
  }
}

/** URL normalisation for the target link comparison (scheme/host case, default port, empty path). */
export function normaliseUrl(uri: string): string {
  try {
    return new URL(uri).toString();
  } catch {
    return uri;
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
