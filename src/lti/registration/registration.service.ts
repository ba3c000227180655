import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isHttpUrl, validated } from '../../common/validation';
import { AppConfig } from '../../config/app-config';
import { CreatePlatformBody } from '../../platforms/platform.dto';
import { PlatformsService } from '../../platforms/platforms.service';
import { DR, MESSAGE_TYPE, TOOL_SCOPES } from '../protocol/claims';
import { LtiError } from '../protocol/lti-error';
import { TOOL_ICON } from '../../console/console-assets';
import { registrationDonePage } from './registration-page';
import type { ToolPage } from '../protocol/tool-page';
import { deepLinkingAccepted, platformDisplayName, serviceOutcomes } from './registration-outcome';
import { RegistrationLinksService } from '../../customers/registration-links.service';
import { CustomersService } from '../../customers/customers.service';
import { registrationLinkRefused } from '../customers/customer-refusals';

const FETCH_TIMEOUT_MS = 10_000;

interface OpenIdConfiguration {
  issuer?: unknown;
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  jwks_uri?: unknown;
  registration_endpoint?: unknown;
  authorization_server?: unknown;
  token_endpoint_auth_methods_supported?: unknown;
  [DR.platformConfiguration]?: { product_family_code?: unknown; messages_supported?: unknown };
}

/**
 * LTI Dynamic Registration 1.0 (DR §3, docs/lti-launch-checks.md), failing safe where ltijs does not: the
 * configuration's issuer must match its URL, duplicates are refused before anything is posted, the
 * returned deployment is stored, and granted scopes are compared with the requested ones.
 */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger(RegistrationService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly platforms: PlatformsService,
    private readonly links: RegistrationLinksService,
    private readonly customers: CustomersService,
  ) {}

  /**
   * @param linkToken the token of a customer's registration link (`/lti/register/<token>`): checked
   *   before the LMS is contacted, and one use counted in the transaction that stores the platform,
   *   which is bound to the link's customer. A link that cannot be used registers nothing.
   */
  async register(openidConfiguration: unknown, registrationToken: unknown, linkToken?: string): Promise<ToolPage> {
    if (linkToken !== undefined) {
      const { status } = await this.links.check(linkToken);
      if (status !== 'usable') {
        throw registrationLinkRefused(status);
      }
    }
    if (typeof openidConfiguration !== 'string' || !isHttpUrl(openidConfiguration)) {
      throw new LtiError('lti_registration_invalid', 'Open this page from the LMS’s Dynamic Registration screen (openid_configuration is missing).', HttpStatus.BAD_REQUEST);
    }
    const token = typeof registrationToken === 'string' && registrationToken !== '' ? registrationToken : undefined;
    const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const cfg = (await this.fetchJson(openidConfiguration, { headers: { Accept: 'application/json', ...auth } })) as OpenIdConfiguration;
    const issuer = typeof cfg.issuer === 'string' ? cfg.issuer : '';
    // DR §3.5.1: the configuration URL must be under the issuer (OIDC Discovery §4.3 spirit).
    if (!issuer || !issuerMatches(issuer, openidConfiguration)) {
      throw new LtiError('lti_registration_issuer_mismatch', `The LMS configuration names issuer "${issuer}", which does not match the address it was read from.`, HttpStatus.BAD_REQUEST);
    }
    for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'registration_endpoint'] as const) {
      if (typeof cfg[key] !== 'string' || !isHttpUrl(cfg[key])) {
        throw new LtiError('lti_registration_invalid', `The LMS configuration has no valid ${key}.`, HttpStatus.BAD_REQUEST);
      }
    }
    const methods = cfg.token_endpoint_auth_methods_supported;
    if (Array.isArray(methods) && !methods.includes('private_key_jwt')) {
      throw new LtiError('lti_registration_invalid', 'The LMS does not support private_key_jwt client authentication, which LTI 1.3 services need.', HttpStatus.BAD_REQUEST);
    }
    const tokenEndpoint = cfg.token_endpoint as string;
    const existing = (await this.platforms.findByIssuer(issuer)).filter((p) => p.tokenEndpoint === tokenEndpoint);
    if (existing.length) {
      throw new LtiError(
        'lti_registration_duplicate',
        `This LMS (issuer "${issuer}") is already registered (platform ${existing[0].id}, client id "${existing[0].clientId}"); delete that registration first to register again.`,
        HttpStatus.CONFLICT,
      );
    }
    const base = this.config.publicUrl;
    const requested = TOOL_SCOPES;
    const body = {
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: `${base}/lti/login`,
      redirect_uris: [`${base}/lti/launch`],
      client_name: 'SCORM LTI bridge',
      // The icon the LMS shows beside the tool (Moodle: the activity chooser and course page).
      logo_uri: `${base}${TOOL_ICON.png.path}`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      token_endpoint_auth_method: 'private_key_jwt',
      scope: requested.join(' '),
      [DR.toolConfiguration]: {
        domain: new URL(base).host,
        target_link_uri: `${base}/lti/launch`,
        description: 'SCORM courses delivered as LTI 1.3 links, with grades sent back.',
        claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
        messages: [
          { type: MESSAGE_TYPE.deepLinkingRequest, target_link_uri: `${base}/lti/deep-link`, label: 'Add a SCORM course' },
          { type: MESSAGE_TYPE.resourceLink, target_link_uri: `${base}/lti/launch` },
        ],
      },
    };
    const answer = (await this.fetchJson(cfg.registration_endpoint as string, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...auth },
      body: JSON.stringify(body),
    })) as Record<string, unknown>;
    const clientId = answer.client_id;
    if (typeof clientId !== 'string' || clientId === '') {
      throw new LtiError('lti_registration_failed', 'The LMS accepted the registration but returned no client id.', HttpStatus.BAD_GATEWAY);
    }
    const toolCfg = answer[DR.toolConfiguration] as { deployment_id?: unknown; messages?: unknown } | undefined;
    const deploymentId = typeof toolCfg?.deployment_id === 'string' && toolCfg.deployment_id !== '' ? toolCfg.deployment_id : null;
    const grantedRaw = typeof answer.scope === 'string' ? answer.scope : requested.join(' ');
    const granted = grantedRaw.split(/\s+/).filter(Boolean);
    const family = cfg[DR.platformConfiguration]?.product_family_code;
    const name = platformDisplayName(family, issuer);
    const input = await validated(CreatePlatformBody, {
      name,
      issuer,
      clientId,
      authorizationEndpoint: cfg.authorization_endpoint,
      tokenEndpoint,
      tokenAudience: typeof cfg.authorization_server === 'string' ? cfg.authorization_server : null,
      jwksUri: cfg.jwks_uri,
      deploymentIds: deploymentId ? [deploymentId] : [],
    });
    const bindCustomer =
      linkToken === undefined
        ? undefined
        : async (m: EntityManager) => {
            const { link, status } = await this.links.use(linkToken, m);
            if (!link || status !== 'usable') {
              throw registrationLinkRefused(status === 'usable' ? 'used' : status);
            }
            return link.customerId;
          };
    const platform = await this.platforms.create(input, 'dynamic', bindCustomer);
    await this.platforms.setGrantedScopes(platform.id, granted.join(' '));
    const missing = requested.filter((s) => !granted.includes(s));
    this.logger.log(`dynamic registration issuer=${issuer} clientId=${clientId} deployment=${deploymentId ?? '-'} customer=${platform.customerId ?? '-'} missingScopes=${missing.length}`);
    const customerName = platform.customerId === null ? undefined : (await this.customers.get(platform.customerId)).name;
    return registrationDonePage({
      platformName: name,
      issuer,
      clientId,
      deploymentId,
      services: serviceOutcomes(granted, deepLinkingAccepted(toolCfg?.messages, cfg[DR.platformConfiguration]?.messages_supported)),
      customerName,
      productFamily: typeof family === 'string' ? family : undefined,
    });
  }

  private async fetchJson(url: string, init: RequestInit): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (e) {
      throw new LtiError('lti_registration_unreachable', `The LMS at ${new URL(url).host} could not be reached (${(e as Error).message}).`, HttpStatus.BAD_GATEWAY);
    }
    const text = await res.text();
    if (!res.ok) {
      throw new LtiError('lti_registration_failed', `The LMS answered ${res.status} to ${new URL(url).pathname}: ${text.slice(0, 200)}`, HttpStatus.BAD_GATEWAY);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new LtiError('lti_registration_failed', `The LMS answered ${new URL(url).pathname} with something that is not JSON.`, HttpStatus.BAD_GATEWAY);
    }
  }
}

/** The configuration URL must be the issuer itself or lie under its path (same origin). */
function issuerMatches(issuer: string, configUrl: string): boolean {
  try {
    const i = new URL(issuer);
    const c = new URL(configUrl);
    const prefix = i.pathname.endsWith('/') ? i.pathname : `${i.pathname}/`;
    return i.origin === c.origin && (c.pathname === i.pathname || c.pathname.startsWith(prefix) || i.pathname === '/');
  } catch {
    return false;
  }
}
