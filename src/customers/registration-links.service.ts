import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { AppError, NotFoundError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { CreateRegistrationLinkBody } from './customer.dto';
import { CustomersRepository } from './customers.repository';
import { RegistrationLink } from './registration-link.entity';

/** Why a link registers nothing, or `usable`. */
export type LinkStatus = 'usable' | 'used' | 'expired' | 'revoked';

export interface RegistrationLinkDto {
  id: string;
  customerId: string;
  status: LinkStatus;
  expiresAt: string | null;
  maxUses: number;
  uses: number;
  revokedAt: string | null;
  createdAt: string;
}

/** The path of a customer's registration URL; the token is a path segment (see {@link RegistrationLinksService.urlOf}). */
export const REGISTRATION_LINK_PATH = '/lti/register/';

/**
 * Registration links: a customer's own Dynamic Registration URL. The secret token is a path segment,
 * not a query parameter: Moodle and Canvas take the URL as pasted and add their own
 * `openid_configuration` and `registration_token` query parameters, and a path is what every LMS
 * keeps intact whatever it does with an existing query string. Only the token's SHA-256 is stored.
 */
@Injectable()
export class RegistrationLinksService {
  private readonly logger = new Logger(RegistrationLinksService.name);

  constructor(
    private readonly repo: CustomersRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Creates a link; its `url` is in this answer only (the token is not stored). */
  async create(customerId: string, input: CreateRegistrationLinkBody): Promise<RegistrationLinkDto & { url: string }> {
    if (!(await this.repo.findCustomer(customerId))) {
      throw new NotFoundError('customer', customerId);
    }
    let expiresAtMs: number | null = null;
    if (input.expiresAt) {
      expiresAtMs = Date.parse(input.expiresAt);
      if (expiresAtMs <= this.clock.now()) {
        throw new AppError('registration_link_invalid', `expiresAt (${input.expiresAt}) is in the past; give a later date-time, or leave it out for a link that does not expire.`, HttpStatus.BAD_REQUEST);
      }
    }
    const token = randomBytes(32).toString('base64url');
    const link = await this.repo.insertLink({ customerId, tokenHash: hashToken(token), expiresAtMs, maxUses: input.maxUses ?? 1 });
    this.logger.log(`registration link ${link.id} created for customer ${customerId} (maxUses=${link.maxUses}, expires=${expiresAtMs === null ? 'never' : new Date(expiresAtMs).toISOString()})`);
    return { ...this.toDto(link), url: this.urlOf(token) };
  }

  async list(customerId: string): Promise<RegistrationLinkDto[]> {
    if (!(await this.repo.findCustomer(customerId))) {
      throw new NotFoundError('customer', customerId);
    }
    return (await this.repo.listLinks(customerId)).map((l) => this.toDto(l));
  }

  /** Revokes a link (again is harmless); uses already made stay: the platforms they created stay bound. */
  async revoke(customerId: string, id: string): Promise<RegistrationLinkDto> {
    const link = await this.repo.findLink(customerId, id);
    if (!link) {
      throw new NotFoundError('registration link', id);
    }
    await this.repo.revokeLink(id, this.clock.now());
    return this.toDto((await this.repo.findLink(customerId, id)) as RegistrationLink);
  }

  /** The link a token names and whether it may register now (read before the LMS is contacted). */
  async check(token: string): Promise<{ link: RegistrationLink | null; status: LinkStatus | 'unknown' }> {
    const link = await this.repo.findLinkByTokenHash(hashToken(token));
    return { link, status: link ? linkStatus(link, this.clock.now()) : 'unknown' };
  }

  /**
   * Counts one use of the link in the transaction that creates the platform, re-reading it there: a
   * link used up, revoked or expired meanwhile answers its status and the caller rolls back.
   */
  async use(token: string, m: EntityManager): Promise<{ link: RegistrationLink | null; status: LinkStatus | 'unknown' }> {
    for (let tries = 0; tries < 5; tries++) {
      const link = await this.repo.findLinkByTokenHash(hashToken(token), m);
      const status = link ? linkStatus(link, this.clock.now()) : 'unknown';
      if (!link || status !== 'usable') {
        return { link, status };
      }
      if (await this.repo.countUse(link, m)) {
        return { link, status };
      }
      // another registration counted a use between the read and the update: read again
    }
    return { link: null, status: 'used' };
  }

  urlOf(token: string): string {
    return `${this.config.publicUrl}${REGISTRATION_LINK_PATH}${token}`;
  }

  private toDto(l: RegistrationLink): RegistrationLinkDto {
    return {
      id: l.id,
      customerId: l.customerId,
      status: linkStatus(l, this.clock.now()),
      expiresAt: l.expiresAtMs === null ? null : new Date(l.expiresAtMs).toISOString(),
      maxUses: l.maxUses,
      uses: l.uses,
      revokedAt: l.revokedAtMs === null ? null : new Date(l.revokedAtMs).toISOString(),
      createdAt: l.createdAt.toISOString(),
    };
  }
}

/** Revoked first (the owner's decision), then used up, then expired. */
export function linkStatus(l: Pick<RegistrationLink, 'revokedAtMs' | 'uses' | 'maxUses' | 'expiresAtMs'>, now: number): LinkStatus {
  if (l.revokedAtMs !== null) {
    return 'revoked';
  }
  if (l.uses >= l.maxUses) {
    return 'used';
  }
  if (l.expiresAtMs !== null && l.expiresAtMs <= now) {
    return 'expired';
  }
  return 'usable';
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
