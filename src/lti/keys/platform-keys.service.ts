import { Injectable, Logger } from '@nestjs/common';
import { compactVerify, createRemoteJWKSet, errors, JWSHeaderParameters, FlattenedJWSInput } from 'jose';
import { setBounded } from '../../common/bounded-map';
import { Clock } from '../../common/clock';
import { LtiError } from '../protocol/lti-error';

type KeyResolver = ReturnType<typeof createRemoteJWKSet>;

/** Re-fetch a platform's key set on an unknown `kid` at most this often (single-flight in jose). */
export const JWKS_REFETCH_COOLDOWN_MS = 1000;
/** A fetched key set is used this long before it is fetched again regardless (Sec §6.3 caching). */
const JWKS_MAX_AGE_MS = 10 * 60 * 1000;
/** Most key sets kept (one per JWKS URL); those unused for JWKS_MAX_AGE_MS are dropped anyway. */
const JWKS_SETS_MAX = 1000;

/**
 * Platform public keys (docs/lti-launch-checks.md, check 8; Sec §6.3–6.4). One cached jose remote key set per
 * JWKS URL: fetched on first use, kept for 10 minutes, and re-fetched once (single-flight, at most once
 * per JWKS_REFETCH_COOLDOWN_MS) when a token names a `kid` the cached set lacks, so platform key
 * rotation works without a restart and an attacker cannot make us fetch in a loop. A set unused for
 * 10 minutes is dropped (its next use would fetch the keys again anyway), and at most JWKS_SETS_MAX are
 * kept, the least recently used dropped first.
 */
@Injectable()
export class PlatformKeysService {
  private readonly logger = new Logger(PlatformKeysService.name);
  private readonly sets = new Map<string, { resolver: KeyResolver; usedAt: number }>();

  constructor(private readonly clock: Clock) {}

  /** Verifies the RS256 signature of a compact JWS against the platform's JWKS; throws LtiError. */
  async verifySignature(token: string, jwksUri: string): Promise<void> {
    const resolver = this.resolver(jwksUri);
    try {
      await compactVerify(token, (header: JWSHeaderParameters, input: FlattenedJWSInput) => resolver(header, input), { algorithms: ['RS256'] });
    } catch (e) {
      if (e instanceof errors.JWKSNoMatchingKey) {
        throw new LtiError('lti_kid_unknown', "The platform's key set has no key with the kid of this launch; ask the LMS admin to check the JWKS URL of the registration.");
      }
      if (e instanceof errors.JWSSignatureVerificationFailed) {
        throw new LtiError('lti_signature_invalid', 'The signature of the launch token is not valid for the platform key it names.');
      }
      if (e instanceof errors.JWKSMultipleMatchingKeys) {
        throw new LtiError('lti_kid_unknown', "The platform's key set has several keys with this kid; the launch cannot be verified.");
      }
      if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) {
        throw new LtiError('lti_alg_not_allowed', 'The launch token must be signed with RS256.');
      }
      this.logger.warn(`JWKS fetch or verify failed for ${jwksUri}: ${(e as Error).message}`);
      throw new LtiError('lti_jwks_unavailable', "The platform's public keys could not be fetched; try again shortly, or ask the LMS admin to check the JWKS URL.", 502);
    }
  }

  private resolver(jwksUri: string): KeyResolver {
    const now = this.clock.now();
    const resolver =
      this.sets.get(jwksUri)?.resolver ??
      createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: JWKS_REFETCH_COOLDOWN_MS, cacheMaxAge: JWKS_MAX_AGE_MS, timeoutDuration: 5000 });
    setBounded(this.sets, jwksUri, { resolver, usedAt: now }, JWKS_SETS_MAX, (set) => now - set.usedAt >= JWKS_MAX_AGE_MS);
    return resolver;
  }
}
