import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { stringifySetCookie } from 'cookie';
import { createHash, randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { Platform } from '../../platforms/platform.entity';
import { PlatformsService } from '../../platforms/platforms.service';
import type { LoginState } from './login-state.entity';
import { LoginStatesRepository } from './login-states.repository';
import { LtiError, unknownDeployment } from '../protocol/lti-error';


/** A login state lives this long (docs/lti-launch-checks.md: 5–10 min). */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** Expired states are purged at most this often. */
const PURGE_EVERY_MS = 60_000;
export const STATE_COOKIE_PREFIX = 'lti1p3_';

export type LoginParams = Record<string, unknown>;

export type LoginResult =
  | { kind: 'redirect'; url: string; cookie: string }
  | { kind: 'storage'; url: string; cookie: string; state: string; binding: string; storageTarget: string; platformOrigin: string };

/**
 * OIDC third-party initiated login (Sec §5.1.1.1–2, Core §4.1, docs/lti-launch-checks.md): picks the
 * registration, stores state + nonce server-side (single use, 10 min), binds them to the browser
 * (cookie, and platform storage when offered) and sends the browser to the platform.
 */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);
  private lastPurge = 0;

  constructor(
    private readonly states: LoginStatesRepository,
    private readonly config: AppConfig,
    private readonly platforms: PlatformsService,
    private readonly clock: Clock,
  ) {}

  async login(params: LoginParams): Promise<LoginResult> {
    const p = (name: string): string | undefined => {
      const v = params[name];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const iss = p('iss');
    const loginHint = p('login_hint');
    const targetLinkUri = p('target_link_uri');
    if (!iss || !loginHint || !targetLinkUri) {
      const missing = [!iss && 'iss', !loginHint && 'login_hint', !targetLinkUri && 'target_link_uri'].filter(Boolean).join(', ');
      throw new LtiError('lti_login_params_missing', `The LMS started the login without ${missing}; check the tool's login URL in the LMS.`, HttpStatus.BAD_REQUEST);
    }
    const platform = await this.pickRegistration(iss, p('client_id'));
    const loginDeploymentId = p('lti_deployment_id') ?? p('deployment_id') ?? null;
    if (loginDeploymentId !== null && !(await this.platforms.hasDeployment(platform.id, loginDeploymentId))) {
      throw unknownDeployment(loginDeploymentId);
    }
    if (!this.pointsAtTool(targetLinkUri)) {
      throw new LtiError('lti_target_link_uri_invalid', 'The launch target is not an address of this tool; check the tool URL configured in the LMS.', HttpStatus.BAD_REQUEST);
    }
    const now = this.clock.now();
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(32).toString('base64url');
    const binding = randomBytes(32).toString('base64url');
    const storageTarget = p('lti_storage_target') ?? null;
    const row: LoginState = {
      state,
      nonce,
      platformId: platform.id,
      // as the LMS sent it: the token's iss must equal it byte for byte (the registration's may differ by a trailing slash)
      issuer: iss,
      clientId: platform.clientId,
      loginDeploymentId,
      targetLinkUri,
      loginHint,
      messageHint: p('lti_message_hint') ?? null,
      bindingHash: sha256(binding),
      storageTarget,
      createdAtMs: now,
      expiresAtMs: now + STATE_TTL_MS,
      consumedAtMs: null,
    };
    await this.states.insert(row);
    this.purgeSometimes(now);

    const auth = new URL(platform.authorizationEndpoint);
    const q = auth.searchParams;
    q.set('scope', 'openid');
    q.set('response_type', 'id_token');
    q.set('response_mode', 'form_post');
    q.set('prompt', 'none');
    q.set('client_id', platform.clientId);
    q.set('redirect_uri', this.redirectUri());
    q.set('login_hint', loginHint);
    q.set('state', state);
    q.set('nonce', nonce);
    if (row.messageHint !== null) {
      q.set('lti_message_hint', row.messageHint);
    }
    const cookie = stateCookie(state, binding, STATE_TTL_MS / 1000);
    if (storageTarget) {
      return { kind: 'storage', url: auth.toString(), cookie, state, binding, storageTarget, platformOrigin: auth.origin };
    }
    return { kind: 'redirect', url: auth.toString(), cookie };
  }

  /** The origin of PUBLIC_URL (parsed once). */
  get toolOrigin(): string {
    return (this.origin ??= new URL(this.config.publicUrl).origin);
  }

  private origin?: string;

  redirectUri(): string {
    return `${this.config.publicUrl}/lti/launch`;
  }

  /** Same origin as PUBLIC_URL: the login parameter is unsigned, so it must not send us elsewhere. */
  pointsAtTool(uri: string): boolean {
    try {
      return new URL(uri).origin === this.toolOrigin;
    } catch {
      return false;
    }
  }

  /** The registration for (iss, client_id); one issuer may have many (hosted Canvas). */
  private async pickRegistration(iss: string, clientId: string | undefined): Promise<Platform> {
    const candidates = await this.platforms.findByIssuer(iss);
    if (candidates.length === 0) {
      throw new LtiError('lti_unknown_issuer', `No LMS with issuer "${iss}" is registered with this tool; an admin must register it first.`, HttpStatus.BAD_REQUEST);
    }
    if (clientId !== undefined) {
      const match = candidates.find((c) => c.clientId === clientId);
      if (!match) {
        throw new LtiError('lti_unknown_client', `The LMS "${iss}" has no registration with client id "${clientId}" on this tool.`, HttpStatus.BAD_REQUEST);
      }
      return match;
    }
    if (candidates.length > 1) {
      throw new LtiError('lti_registration_ambiguous', `Several registrations share the issuer "${iss}" and the LMS did not send a client_id; the LMS must send client_id at login.`, HttpStatus.BAD_REQUEST);
    }
    return candidates[0];
  }

  private purgeSometimes(now: number): void {
    if (now - this.lastPurge < PURGE_EVERY_MS) {
      return;
    }
    this.lastPurge = now;
    this.states
      .deleteExpiredBefore(now - STATE_TTL_MS)
      .catch((e: Error) => this.logger.warn(`purging expired login states failed: ${e.message}`));
  }
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The browser binding cookie: one per login (several launches may run in parallel frames), sent on
 * the platform's cross-site form POST (`SameSite=None; Secure`), partitioned per top-level site
 * (CHIPS) so browsers that block third-party cookies may still keep it.
 */
export function stateCookie(state: string, binding: string, maxAgeSeconds: number): string {
  return stringifySetCookie(`${STATE_COOKIE_PREFIX}${state}`, binding, { path: '/lti', maxAge: maxAgeSeconds, httpOnly: true, secure: true, sameSite: 'none', partitioned: true });
}

