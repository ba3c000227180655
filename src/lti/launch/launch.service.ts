import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { CoursesRepository } from '../../courses/courses.repository';
import { Platform } from '../../platforms/platform.entity';
import { PlatformsService } from '../../platforms/platforms.service';
import { CLAIM, isPrivilegedRole, MESSAGE_TYPE, normaliseRoles } from '../protocol/claims';
import { checkAudience, checkMessageClaims, checkNonce, checkTimes, checkTokenShape, Claims, safeEqual } from '../protocol/id-token.checks';
import type { LtiLaunchContext } from '../protocol/launch-context';
import type { LoginState } from '../login/login-state.entity';
import { LoginStatesRepository } from '../login/login-states.repository';
import { LoginService, sha256, STATE_COOKIE_PREFIX } from '../login/login.service';
import { LtiError } from '../protocol/lti-error';
import { newWindowHtml } from '../protocol/pages';
import { PlatformKeysService } from '../keys/platform-keys.service';
import { CustomersService } from '../../customers/customers.service';
import { launchRefused } from '../customers/customer-refusals';
import { licenceRefused } from '../customers/licence-refusals';
import { LicenceAccessService } from '../../licences/licence-access.service';
import { launchCourse } from './launch-course';
import { Lti1p1Migration } from '../lti11/lti1p1-migration';


export interface DeepLinkingSettings {
  deep_link_return_url: string;
  accept_types?: string[];
  accept_presentation_document_targets?: string[];
  accept_multiple?: boolean | string;
  accept_lineitem?: boolean | string;
  title?: string;
  text?: string;
  data?: string;
}

/** Where a Deep Linking request comes from, in the LMS's words (the picker's heading). */
export interface PickerPlace {
  /** The LMS course (`context.title`). */
  contextTitle: string | null;
  /** The LMS site (`tool_platform.name`). */
  siteName: string | null;
}

export type LaunchOutcome =
  | { kind: 'resource-link'; ctx: LtiLaunchContext }
  | { kind: 'deep-linking'; platform: Platform; deploymentId: string; sub: string; settings: DeepLinkingSettings; where: PickerPlace }
  | { kind: 'storage-check'; state: string; storageTarget: string; platformOrigin: string };

const COURSE_PATH = /^\/lti\/courses\/([^/?#]+)\/?$/;

/**
 * The id_token redirect URI (Sec §5.1.1.3–5.1.3, Core §5): runs docs/lti-launch-checks.md in its order and
 * stops at the first failure with that step's code. The login record is consumed on every path, so
 * a state is never usable twice; the consuming UPDATE is conditional, so of two parallel posts of one
 * token exactly one wins.
 */
@Injectable()
export class LaunchService {
  private readonly logger = new Logger(LaunchService.name);

  constructor(
    private readonly states: LoginStatesRepository,
    private readonly courses: CoursesRepository,
    private readonly config: AppConfig,
    private readonly platforms: PlatformsService,
    private readonly keys: PlatformKeysService,
    private readonly login: LoginService,
    private readonly clock: Clock,
    private readonly customers: CustomersService,
    private readonly licences: LicenceAccessService,
    private readonly migration: Lti1p1Migration,
  ) {}

  /**
   * @param origin the request's `Origin` header: a platform-storage value is only taken from our own
   *   check page (same origin), never from a cross-site form post.
   */
  async launch(body: Record<string, unknown>, cookies: Record<string, string | undefined>, origin?: string): Promise<LaunchOutcome> {
    if (typeof body.error === 'string') {
      const desc = typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 300)}` : '.';
      throw new LtiError('lti_platform_error', `The LMS refused the sign-in (${body.error.slice(0, 100)})${desc}`, HttpStatus.BAD_REQUEST);
    }
    // Step 1: state known, fresh, unused, and bound to this browser (Sec §5.1.1.4, §7.3.1).
    const state = typeof body.state === 'string' ? body.state : '';
    const row = state ? await this.states.find(state) : null;
    const now = this.clock.now();
    if (!row || row.consumedAtMs !== null || row.expiresAtMs <= now) {
      throw new LtiError('lti_state_invalid', 'This sign-in is unknown, expired or already used; start the activity again from the LMS.');
    }
    const cookie = cookies[`${STATE_COOKIE_PREFIX}${state}`];
    const storageValue = typeof body.lti_storage_binding === 'string' ? body.lti_storage_binding : undefined;
    if (cookie === undefined && storageValue === undefined && row.storageTarget) {
      return { kind: 'storage-check', state, storageTarget: row.storageTarget, platformOrigin: await this.platformOrigin(row.platformId) };
    }
    const fromOurPage = origin === this.login.toolOrigin;
    const proof = cookie ?? (row.storageTarget && fromOurPage ? storageValue : undefined) ?? '';
    if (!proof || !safeEqual(sha256(proof), row.bindingHash)) {
      await this.consume(state);
      throw new LtiError(
        'lti_state_invalid',
        'This sign-in could not be tied to your browser (its cookie was blocked or does not match).',
        HttpStatus.UNAUTHORIZED,
        proof ? undefined : newWindowHtml(this.relaunchUrl(row)),
      );
    }
    let platform: Platform;
    let payload: Claims;
    try {
      // Steps 2–4: shape, RS256 only, kid present.
      const token = body.id_token;
      ({ payload } = checkTokenShape(token));
      const found = (await this.platforms.findByIssuer(row.issuer)).find((x) => x.id === row.platformId);
      if (!found) {
        throw new LtiError('lti_iss_mismatch', 'The LMS registration of this sign-in was removed.');
      }
      platform = found;
      // Steps 5–7: iss, aud, azp, read from the unverified payload to match the registration.
      checkAudience(payload, { issuer: platform.issuer, loginIssuer: row.issuer, clientId: row.clientId });
      // Step 8: signature with the platform key named by kid (cached JWKS, one re-fetch on a miss).
      await this.keys.verifySignature(token as string, platform.jwksUri);
      // Steps 9–10: exp, iat, nbf.
      checkTimes(payload, Math.floor(this.clock.now() / 1000));
      // Step 11: nonce equal to the login's.
      checkNonce(payload, row.nonce);
    } catch (e) {
      await this.consume(state);
      throw e;
    }
    // Step 11 (second half): single use, atomically — the conditional UPDATE decides the winner.
    if (!(await this.consume(state))) {
      throw new LtiError('lti_nonce_replayed', 'This launch was already used; start the activity again from the LMS.');
    }
    // Steps 12–18.
    checkMessageClaims(payload, {
      loginDeploymentId: row.loginDeploymentId,
      loginTargetLinkUri: row.targetLinkUri,
      knownDeployments: await this.platforms.deploymentIds(platform.id),
      pointsAtTool: (uri) => this.login.pointsAtTool(uri),
    });
    const deploymentId = payload[CLAIM.deploymentId] as string;
    const roles = normaliseRoles(payload[CLAIM.roles] as unknown[]);
    const sub = payload.sub as string;
    // The customer rules (issue 9), for both message types: a lookup in memory, no query.
    const refusal = await this.customers.launchRefusal(platform.customerId);
    if (refusal) {
      throw launchRefused(refusal, platform.name, isPrivilegedRole(roles));
    }
    if (payload[CLAIM.messageType] === MESSAGE_TYPE.deepLinkingRequest) {
      if (!isPrivilegedRole(roles)) {
        throw new LtiError('lti_deep_linking_forbidden', 'Only instructors and administrators can add courses from this tool.', HttpStatus.FORBIDDEN);
      }
      const settings = payload[CLAIM.dlSettings] as DeepLinkingSettings | undefined;
      if (!settings || typeof settings.deep_link_return_url !== 'string' || !/^https?:\/\//.test(settings.deep_link_return_url)) {
        throw new LtiError('lti_deep_linking_settings_missing', 'The deep linking request has no valid deep_link_return_url.', HttpStatus.BAD_REQUEST);
      }
      this.logger.log(`deep linking launch platform=${platform.id} deployment=${deploymentId}`);
      const where = { contextTitle: claimText(payload[CLAIM.context], 'title'), siteName: claimText(payload[CLAIM.toolPlatform], 'name') };
      return { kind: 'deep-linking', platform, deploymentId, sub, settings, where };
    }
    const ctx = await this.buildContext(platform, payload, roles);
    // The licence rules (issue 9) for a platform of a customer: the terms from memory, the learner's
    // seats in one query; a first launch takes its seat here, before the attempt is created.
    // The LTI 1.1 → 1.3 migration claim (src/lti11/README.md): checked first (a bad signature refuses);
    // the seat is looked up under the 1.1 learner while their records are still there.
    const legacy = await this.migration.legacyIdentity(platform, payload, ctx);
    if (platform.customerId !== null) {
      const refusal = await this.licences.admit(platform.customerId, ctx.courseId, await this.migration.seatHolder(legacy, ctx));
      if (refusal) {
        throw licenceRefused(refusal, ctx.isInstructor);
      }
    }
    if (legacy) {
      await this.migration.adopt(legacy, ctx);
    }
    this.logger.log(`launch platform=${platform.id} deployment=${deploymentId} link=${ctx.resourceLinkId} course=${ctx.courseId}`);
    return { kind: 'resource-link', ctx };
  }

  /** Marks the login record used; true only for the one caller whose UPDATE changed the row. */
  private consume(state: string): Promise<boolean> {
    return this.states.consume(state, this.clock.now());
  }

  private async platformOrigin(platformId: string): Promise<string> {
    const p = await this.platforms.get(platformId);
    return new URL(p.authorizationEndpoint).origin;
  }

  /** The login again, opened top-level in a new window where first-party cookies work. */
  private relaunchUrl(row: LoginState): string {
    const u = new URL(`${this.config.publicUrl}/lti/login`);
    u.searchParams.set('iss', row.issuer);
    u.searchParams.set('client_id', row.clientId);
    u.searchParams.set('login_hint', row.loginHint);
    u.searchParams.set('target_link_uri', row.targetLinkUri);
    if (row.messageHint !== null) {
      u.searchParams.set('lti_message_hint', row.messageHint);
    }
    if (row.loginDeploymentId !== null) {
      u.searchParams.set('lti_deployment_id', row.loginDeploymentId);
    }
    return u.toString();
  }

  /** Course by target link URI `/lti/courses/:id` on this tool, else by the `course_id` custom parameter. */
  private async buildContext(platform: Platform, p: Claims, roles: string[]): Promise<LtiLaunchContext> {
    const custom: Record<string, string> = {};
    const rawCustom = p[CLAIM.custom];
    if (rawCustom && typeof rawCustom === 'object') {
      for (const [k, v] of Object.entries(rawCustom as Record<string, unknown>)) {
        if (typeof v === 'string') {
          custom[k] = v;
        }
      }
    }
    const target = new URL(p[CLAIM.targetLinkUri] as string);
    const id = await launchCourse(this.courses, COURSE_PATH.exec(target.pathname)?.[1], custom);
    const link = p[CLAIM.resourceLink] as { id: string; title?: unknown };
    const context = p[CLAIM.context] as { id?: unknown; title?: unknown } | undefined;
    const ags = p[CLAIM.ags] as { scope?: unknown; lineitem?: unknown; lineitems?: unknown } | undefined;
    const nrps = p[CLAIM.nrps] as { context_memberships_url?: unknown; service_versions?: unknown } | undefined;
    const presentation = p[CLAIM.launchPresentation] as { return_url?: unknown; locale?: unknown } | undefined;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return {
      platformId: platform.id,
      issuer: platform.issuer,
      clientId: platform.clientId,
      deploymentId: p[CLAIM.deploymentId] as string,
      sub: p.sub as string,
      name: str(p.name),
      givenName: str(p.given_name),
      familyName: str(p.family_name),
      email: str(p.email),
      roles,
      isInstructor: isPrivilegedRole(roles),
      resourceLinkId: link.id,
      resourceLinkTitle: str(link.title),
      contextId: str(context?.id),
      contextTitle: str(context?.title),
      courseId: id,
      ags:
        ags && typeof ags === 'object'
          ? {
              scope: Array.isArray(ags.scope) ? ags.scope.filter((s): s is string => typeof s === 'string') : [],
              lineitem: str(ags.lineitem),
              lineitems: str(ags.lineitems),
            }
          : undefined,
      nrps:
        nrps && typeof nrps.context_memberships_url === 'string'
          ? { contextMembershipsUrl: nrps.context_memberships_url, serviceVersions: Array.isArray(nrps.service_versions) ? (nrps.service_versions as string[]) : [] }
          : undefined,
      custom,
      returnUrl: str(presentation?.return_url),
      locale: str(presentation?.locale),
    };
  }
}

/** A non-empty string member of an object claim, else null. */
function claimText(claim: unknown, key: string): string | null {
  const v = typeof claim === 'object' && claim !== null ? (claim as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}
