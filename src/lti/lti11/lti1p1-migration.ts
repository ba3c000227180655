import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { Lti11CredentialsService } from '../../lti11/lti11-credentials.service';
import { LearnerKey, LinkKey, MigrationRepository } from '../../lti11/migration.repository';
import { consumerKeySign, safeEqual } from '../../lti11/oauth1';
import type { Platform } from '../../platforms/platform.entity';
import { CLAIM } from '../protocol/claims';
import type { Claims } from '../protocol/id-token.checks';
import type { LtiLaunchContext } from '../protocol/launch-context';
import { LtiError } from '../protocol/lti-error';

/** A checked `lti1p1` claim: where the learner's and link's LTI 1.1 records are. */
export interface LegacyIdentity {
  customerId: string;
  learner: LearnerKey;
  link: LinkKey;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The LTI 1.1 → 1.3 migration (LTI 1.3 Core §5.4.1, the `lti1p1` claim; src/lti11/README.md): when an
 * LMS that launched this tool with a customer's 1.1 key moves to 1.3, its launches carry the 1.1
 * consumer key signed with the 1.1 secret. A claim whose key is one of the platform's customer's keys
 * must verify (else the launch is refused); then the learner and link that 1.1 launches created become
 * the 1.3 launch's, so progress, grades and seats carry over. A claim naming a key this customer does
 * not have is ignored (there is nothing of ours to map).
 */
@Injectable()
export class Lti1p1Migration {
  private readonly logger = new Logger(Lti1p1Migration.name);

  constructor(
    private readonly credentials: Lti11CredentialsService,
    private readonly repo: MigrationRepository,
  ) {}

  /** The 1.1 identity behind a resource link launch, checked; null when the launch has none of ours. */
  async legacyIdentity(platform: Platform, payload: Claims, ctx: LtiLaunchContext): Promise<LegacyIdentity | null> {
    const claim = payload[CLAIM.lti1p1] as Record<string, unknown> | undefined;
    const key = text(claim?.oauth_consumer_key);
    if (!claim || !key || platform.customerId === null) {
      return null;
    }
    const consumer = await this.credentials.byKey(key);
    if (!consumer || consumer.credential.customerId !== platform.customerId) {
      this.logger.warn(`lti1p1 claim of platform ${platform.id} names the consumer key "${key.slice(0, 100)}", not one of its customer's: ignored`);
      return null;
    }
    const expected = consumerKeySign(
      { consumerKey: key, deploymentId: ctx.deploymentId, issuer: String(payload.iss), clientId: platform.clientId, exp: payload.exp as number, nonce: String(payload.nonce) },
      consumer.secret,
    );
    const sign = text(claim.oauth_consumer_key_sign);
    if (!sign || !safeEqual(sign, expected)) {
      throw new LtiError(
        'lti_migration_signature_invalid',
        'This launch says it continues an LTI 1.1 connection, but its oauth_consumer_key_sign does not match that key’s secret; the LMS admin should check the LTI 1.1 secret entered for the migration.',
        HttpStatus.UNAUTHORIZED,
      );
    }
    const userId = text(claim.user_id) ?? text(payload[CLAIM.lti11LegacyUserId]) ?? text(claim.lti11_legacy_user_id) ?? ctx.sub;
    const legacyLink = text(claim.resource_link_id) ?? ctx.resourceLinkId;
    const platformId = consumer.credential.platformId;
    return { customerId: platform.customerId, learner: { platformId, sub: userId }, link: { platformId, deploymentId: key, resourceLinkId: legacyLink } };
  }

  /** Who holds the seat: the 1.1 learner while their records are still under the 1.1 key, else the 1.3 one. */
  async seatHolder(legacy: LegacyIdentity | null, ctx: LtiLaunchContext): Promise<LearnerKey> {
    return legacy && (await this.repo.learnerExists(legacy.learner)) ? legacy.learner : { platformId: ctx.platformId, sub: ctx.sub };
  }

  /** Moves the 1.1 learner and link to the 1.3 launch's keys (after the licence admitted the launch). */
  async adopt(legacy: LegacyIdentity, ctx: LtiLaunchContext): Promise<void> {
    const moved = await this.repo.adopt(legacy.customerId, legacy, {
      learner: { platformId: ctx.platformId, sub: ctx.sub },
      link: { platformId: ctx.platformId, deploymentId: ctx.deploymentId, resourceLinkId: ctx.resourceLinkId },
    });
    if (moved.learner || moved.link) {
      this.logger.log(`lti1p1 migration: ${moved.learner ? `learner ${legacy.learner.sub}` : ''}${moved.learner && moved.link ? ' and ' : ''}${moved.link ? `link ${legacy.link.resourceLinkId}` : ''} of key ${legacy.link.deploymentId} now on platform ${ctx.platformId}`);
    }
  }
}
