import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { CoursesRepository } from '../../courses/courses.repository';
import { CustomersService } from '../../customers/customers.service';
import { LicenceAccessService } from '../../licences/licence-access.service';
import { Lti11CredentialsService } from '../../lti11/lti11-credentials.service';
import { Lti11Repository } from '../../lti11/lti11.repository';
import { OAuthParams, verifyHmacSha1 } from '../../lti11/oauth1';
import { PlatformsService } from '../../platforms/platforms.service';
import { launchRefused } from '../customers/customer-refusals';
import { licenceRefused } from '../customers/licence-refusals';
import { launchCourse } from '../launch/launch-course';
import { isPrivilegedRole } from '../protocol/claims';
import type { LtiLaunchContext } from '../protocol/launch-context';
import { LtiError } from '../protocol/lti-error';
import { customParams, mapLti11Roles, param } from './lti11-params';

/** How far an `oauth_timestamp` may be from the tool's clock, either way (seconds). */
export const TIMESTAMP_WINDOW_S = 300;
/** How often a process forgets nonces past the window. */
const NONCE_SWEEP_MS = 60_000;

/**
 * An LTI 1.1 basic launch (`POST /lti/1p1/launch`, `/lti/1p1/courses/:id`; docs/lti-launch-checks.md §6):
 * OAuth 1.0a HMAC-SHA1 with the customer's consumer key, the timestamp window, the nonce used once
 * (in the database, so every instance agrees), the LTI parameters, then the same customer and licence
 * rules as an LTI 1.3 launch. Answers the same launch context, so the learner, link and attempt are
 * found or created, and the browser handed on, exactly as for 1.3.
 */
@Injectable()
export class Lti11LaunchService {
  private readonly logger = new Logger(Lti11LaunchService.name);
  private lastSweep = 0;

  constructor(
    private readonly credentials: Lti11CredentialsService,
    private readonly repo: Lti11Repository,
    private readonly platforms: PlatformsService,
    private readonly customers: CustomersService,
    private readonly licences: LicenceAccessService,
    private readonly courses: CoursesRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * @param url the URL the LMS posted to, as it signed it (PUBLIC_URL + path and query)
   * @param courseFromPath the course id of `/lti/1p1/courses/:id`, if that route was used
   */
  async launch(url: string, params: OAuthParams, courseFromPath?: string): Promise<LtiLaunchContext> {
    // 1. The OAuth parameters (RFC 5849 §3.1).
    const consumerKey = param(params, 'oauth_consumer_key');
    const timestamp = param(params, 'oauth_timestamp');
    const nonce = param(params, 'oauth_nonce');
    if (!consumerKey || !param(params, 'oauth_signature') || !timestamp || !nonce || !param(params, 'oauth_signature_method')) {
      throw new LtiError('lti11_params_missing', 'This LTI 1.1 launch is not signed (oauth_consumer_key, oauth_signature, oauth_signature_method, oauth_timestamp or oauth_nonce is missing); check the tool’s settings in the LMS.', HttpStatus.BAD_REQUEST);
    }
    if (param(params, 'oauth_signature_method') !== 'HMAC-SHA1' || (params.oauth_version !== undefined && params.oauth_version !== '1.0')) {
      throw new LtiError('lti11_signature_method_unsupported', 'This LTI 1.1 launch is signed with a method other than OAuth 1.0 HMAC-SHA1, the only one LTI 1.1 uses.', HttpStatus.BAD_REQUEST);
    }
    // 2. The consumer key: known and not revoked.
    const consumer = await this.credentials.byKey(consumerKey);
    if (!consumer) {
      throw new LtiError('lti11_consumer_unknown', `The consumer key "${consumerKey.slice(0, 100)}" is not known to this tool; check the key in the LMS’s tool settings.`);
    }
    if (consumer.credential.revokedAt) {
      throw new LtiError('lti11_consumer_revoked', 'The consumer key of this LMS was revoked by the course provider; ask them for a new key.');
    }
    // 3. The signature, with the key's secret, over this URL and every form parameter.
    if (!verifyHmacSha1('POST', url, params, consumer.secret)) {
      throw new LtiError('lti11_signature_invalid', 'The signature of this LTI 1.1 launch does not match: the secret set in the LMS is not this key’s, or the launch URL differs from the one signed.');
    }
    // 4. The timestamp window, both ways.
    const nowS = Math.floor(this.clock.now() / 1000);
    const ts = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - ts) > TIMESTAMP_WINDOW_S) {
      throw new LtiError('lti11_timestamp_invalid', `This LTI 1.1 launch was signed at a time more than ${TIMESTAMP_WINDOW_S / 60} minutes from the tool’s clock; open the activity again from the LMS (and check the LMS server’s clock).`);
    }
    // 5. The nonce, once per key (a row in the database, kept past the window).
    await this.sweepNonces();
    if (!(await this.repo.useNonce(consumerKey, nonce.slice(0, 255), (ts + TIMESTAMP_WINDOW_S + 60) * 1000))) {
      throw new LtiError('lti11_nonce_replayed', 'This launch was already used; open the activity again from the LMS.');
    }
    // 6. The LTI parameters (LTI 1.1.1 §4).
    if (param(params, 'lti_message_type') !== 'basic-lti-launch-request') {
      throw new LtiError('lti11_message_type_unsupported', `The LTI message type "${String(param(params, 'lti_message_type') ?? '').slice(0, 100)}" is not supported; this tool takes basic-lti-launch-request.`, HttpStatus.BAD_REQUEST);
    }
    if (param(params, 'lti_version') !== 'LTI-1p0') {
      throw new LtiError('lti11_version_wrong', 'The launch does not carry lti_version LTI-1p0.', HttpStatus.BAD_REQUEST);
    }
    const resourceLinkId = param(params, 'resource_link_id');
    if (!resourceLinkId) {
      throw new LtiError('lti11_resource_link_missing', 'The launch has no resource_link_id.', HttpStatus.BAD_REQUEST);
    }
    const userId = param(params, 'user_id');
    if (!userId) {
      throw new LtiError('lti11_user_missing', 'The launch has no user_id: the LMS must share the user’s id with this tool (a privacy setting of the tool in the LMS).', HttpStatus.BAD_REQUEST);
    }
    const roles = mapLti11Roles(param(params, 'roles'));
    const isInstructor = isPrivilegedRole(roles);
    // 7. The customer and licence rules, as for LTI 1.3.
    const platform = await this.platforms.get(consumer.credential.platformId);
    const refusal = await this.customers.launchRefusal(platform.customerId);
    if (refusal) {
      throw launchRefused(refusal, platform.name, isInstructor);
    }
    const custom = customParams(params);
    const courseId = await launchCourse(this.courses, courseFromPath, custom);
    const licence = await this.licences.admit(consumer.credential.customerId, courseId, { platformId: platform.id, sub: userId });
    if (licence) {
      throw licenceRefused(licence, isInstructor);
    }
    await this.repo.markUsed(consumer.credential.id, new Date(this.clock.now()));
    const serviceUrl = param(params, 'lis_outcome_service_url');
    const sourcedId = param(params, 'lis_result_sourcedid');
    this.logger.log(`LTI 1.1 launch key=${consumerKey} link=${resourceLinkId} course=${courseId}${serviceUrl && sourcedId ? ' (outcomes)' : ''}`);
    return {
      platformId: platform.id,
      issuer: platform.issuer,
      clientId: consumerKey,
      deploymentId: consumerKey,
      sub: userId,
      name: param(params, 'lis_person_name_full'),
      givenName: param(params, 'lis_person_name_given'),
      familyName: param(params, 'lis_person_name_family'),
      email: param(params, 'lis_person_contact_email_primary'),
      roles,
      isInstructor,
      resourceLinkId,
      resourceLinkTitle: param(params, 'resource_link_title'),
      contextId: param(params, 'context_id'),
      contextTitle: param(params, 'context_title'),
      courseId,
      custom,
      outcome: serviceUrl && sourcedId && !isInstructor && /^https?:\/\//.test(serviceUrl) ? { serviceUrl, sourcedId } : undefined,
      returnUrl: param(params, 'launch_presentation_return_url'),
      locale: param(params, 'launch_presentation_locale'),
    };
  }

  /** Forgets nonces past the window, at most once a minute per process. */
  private async sweepNonces(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastSweep >= NONCE_SWEEP_MS) {
      this.lastSweep = now;
      await this.repo.deleteExpiredNonces(now);
    }
  }
}
