import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { NotFoundError } from '../common/errors';
import { Transactions } from '../database/transactions';
import { CustomersService } from '../customers/customers.service';
import { PlatformsService } from '../platforms/platforms.service';
import { SecretsService } from '../secrets/secrets.service';
import { CreateLti11CredentialBody } from './lti11.dto';
import { Lti11Credential } from './lti11-credential.entity';
import { Lti11Repository } from './lti11.repository';
import { SecretBox } from './secret-box';

export interface Lti11CredentialDto {
  id: string;
  customerId: string;
  /** The platform row its launches create learners and links under (reports, instructor view). */
  platformId: string;
  consumerKey: string;
  label: string | null;
  status: 'active' | 'revoked';
  revokedAt: string | null;
  /** The last accepted launch with the key, to the minute; null: never used. */
  lastUsedAt: string | null;
  createdAt: string;
}

/** A consumer key found for a launch or an outcome, with its secret opened. */
export interface Lti11Consumer {
  credential: Lti11Credential;
  secret: string;
}

/**
 * A customer's LTI 1.1 consumer keys (src/lti11/README.md): created with a random secret shown once,
 * listed, revoked. The secret is sealed with the server secret `lti11-credentials` (OAuth 1.0a needs it
 * in clear to check a signature, so a hash would not do). Each key gets its own platform row in the same
 * transaction.
 */
@Injectable()
export class Lti11CredentialsService {
  private readonly logger = new Logger(Lti11CredentialsService.name);
  private box: SecretBox | null = null;

  constructor(
    private readonly repo: Lti11Repository,
    private readonly secrets: SecretsService,
    private readonly platforms: PlatformsService,
    private readonly customers: CustomersService,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
  ) {}

  /** Creates a key and secret for the customer; the secret is in this answer only. */
  async create(customerId: string, input: CreateLti11CredentialBody): Promise<Lti11CredentialDto & { secret: string }> {
    await this.customers.get(customerId); // customer_not_found (404)
    const box = await this.secretBox();
    const consumerKey = `bridge-${randomBytes(9).toString('base64url')}`;
    const secret = randomBytes(24).toString('base64url');
    const label = input.label ?? null;
    const row = await this.transactions.run(async (m) => {
      await this.customers.requireExisting(customerId, m);
      const platformId = await this.platforms.insertLti11Platform(consumerKey, `LTI 1.1: ${label ?? consumerKey}`, customerId, m);
      return this.repo.insertCredential({ customerId, platformId, consumerKey, secretSealed: box.seal(secret), label }, m);
    });
    this.platforms.changed();
    this.logger.log(`LTI 1.1 key ${consumerKey} created for customer ${customerId}`);
    return { ...toDto(row), secret };
  }

  async list(customerId: string): Promise<Lti11CredentialDto[]> {
    await this.customers.get(customerId); // customer_not_found
    return (await this.repo.listCredentials(customerId)).map(toDto);
  }

  /** Revokes a key (again is harmless): its launches are refused from now on; its learners' records stay. */
  async revoke(customerId: string, id: string): Promise<Lti11CredentialDto> {
    if (!(await this.repo.findCredential(customerId, id))) {
      throw new NotFoundError('LTI 1.1 key', id);
    }
    await this.repo.revokeCredential(id, new Date(this.clock.now()));
    this.logger.log(`LTI 1.1 key ${id} of customer ${customerId} revoked`);
    return toDto((await this.repo.findCredential(customerId, id)) as Lti11Credential);
  }

  /** The key and its secret, revoked or not (the caller decides what a revoked key may still do); null when unknown. */
  async byKey(consumerKey: string): Promise<Lti11Consumer | null> {
    const credential = await this.repo.findByKey(consumerKey);
    return credential ? { credential, secret: (await this.secretBox()).open(credential.secretSealed) } : null;
  }

  /** The key of an LTI 1.1 platform row (outcomes are signed with its secret); null when the platform is not one. */
  async byPlatform(platformId: string): Promise<Lti11Consumer | null> {
    const credential = await this.repo.findByPlatform(platformId);
    return credential ? { credential, secret: (await this.secretBox()).open(credential.secretSealed) } : null;
  }

  private async secretBox(): Promise<SecretBox> {
    this.box ??= new SecretBox(await this.secrets.get('lti11-credentials', 32));
    return this.box;
  }
}

function toDto(c: Lti11Credential): Lti11CredentialDto {
  return {
    id: c.id,
    customerId: c.customerId,
    platformId: c.platformId,
    consumerKey: c.consumerKey,
    label: c.label,
    status: c.revokedAt ? 'revoked' : 'active',
    revokedAt: c.revokedAt ? c.revokedAt.toISOString() : null,
    lastUsedAt: c.lastUsedAt ? c.lastUsedAt.toISOString() : null,
    createdAt: c.createdAt.toISOString(),
  };
}
