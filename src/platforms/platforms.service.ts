import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppError, NotFoundError } from '../common/errors';
import { CreatePlatformBody, UpdatePlatformBody } from './platform.dto';
import { Platform } from './platform.entity';
import { Transactions } from '../database/transactions';
import { PlatformsRepository } from './platforms.repository';
import { RefreshingSnapshot } from '../common/refreshing-snapshot';
import { ChangeNotices } from '../database/change-notices';
import { CustomersService } from '../customers/customers.service';
import type { EntityManager } from 'typeorm';
import { issuerKey, sameIssuer } from './issuer';

export interface PlatformDto {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  tokenAudience: string | null;
  jwksUri: string;
  deploymentIds: string[];
  registeredBy: string;
  grantedScopes: string[];
  /** The customer this LMS belongs to, or null. */
  customerId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** `registeredBy` of the platform row of an LTI 1.1 consumer key. */
export const LTI11_REGISTRATION = 'lti11';

/**
 * Registrations are read on every login and launch and change rarely: a snapshot is kept this long.
 * Writes through this service drop it at once; another instance sees a change within this time.
 */
const SNAPSHOT_MS = 5000;

interface Snapshot {
  byId: Map<string, Platform>;
  byIssuer: Map<string, Platform[]>;
  deployments: Map<string, string[]>;
}

/**
 * LMS registrations and their deployments (docs/rest-api.md `/api/platforms`). The grades module reads a
 * registration through `get()` to request AGS tokens.
 */
@Injectable()
export class PlatformsService {
  private readonly logger = new Logger(PlatformsService.name);
  private readonly snapshot = new RefreshingSnapshot<Snapshot>(() => this.load(), SNAPSHOT_MS);

  constructor(
    private readonly repo: PlatformsRepository,
    private readonly transactions: Transactions,
    private readonly customers: CustomersService,
    private readonly changes: ChangeNotices,
  ) {
    changes.on('platforms', () => this.snapshot.invalidate());
  }

  /** A registration by id (read-only object: do not modify it). */
  async get(id: string): Promise<Platform> {
    const platform = (await this.snap()).byId.get(id);
    if (!platform) {
      throw new NotFoundError('platform', id);
    }
    return platform;
  }

  /** Every registration of an issuer (one per client id), compared in canonical form (src/platforms/issuer.ts). */
  async findByIssuer(issuer: string): Promise<Platform[]> {
    const byIssuer = (await this.snap()).byIssuer;
    return byIssuer.get(issuer) ?? byIssuer.get(issuerKey(issuer)) ?? [];
  }

  async hasDeployment(platformId: string, deploymentId: string): Promise<boolean> {
    return (await this.deploymentIds(platformId)).includes(deploymentId);
  }

  async deploymentIds(platformId: string): Promise<string[]> {
    return (await this.snap()).deployments.get(platformId) ?? [];
  }

  private snap(): Promise<Snapshot> {
    return this.snapshot.get();
  }

  private async load(): Promise<Snapshot> {
    const { platforms, deployments } = await this.repo.listPlatformsAndDeployments();
    const snap: Snapshot = { byId: new Map(), byIssuer: new Map(), deployments: new Map() };
    for (const p of platforms) {
      snap.byId.set(p.id, p);
      if (p.registeredBy === LTI11_REGISTRATION) {
        continue; // an LTI 1.1 consumer key: no OIDC login ever finds it by issuer
      }
      const key = issuerKey(p.issuer);
      snap.byIssuer.set(key, [...(snap.byIssuer.get(key) ?? []), p]);
    }
    for (const d of deployments) {
      snap.deployments.set(d.platformId, [...(snap.deployments.get(d.platformId) ?? []), d.deploymentId]);
    }
    return snap;
  }

  /** Drops the snapshot here and on every other instance. */
  private invalidate(): void {
    this.changes.publish('platforms');
  }

  /** The LTI 1.3 registrations (an LTI 1.1 consumer key's platform row is managed with its key, src/lti11). */
  async list(): Promise<PlatformDto[]> {
    const { platforms, deployments } = await this.repo.listPlatformsAndDeployments();
    return platforms.filter((p) => p.registeredBy !== LTI11_REGISTRATION).map((p) =>
      toDto(
        p,
        deployments.filter((d) => d.platformId === p.id).map((d) => d.deploymentId),
      ),
    );
  }

  async getDto(id: string): Promise<PlatformDto> {
    const p = await this.get(id);
    if (p.registeredBy === LTI11_REGISTRATION) {
      throw new NotFoundError('platform', id);
    }
    return toDto(p, await this.deploymentIds(id));
  }

  /**
   * `input` has passed `CreatePlatformBody`'s checks (the request pipe, or `validated()`).
   * `bindCustomer` (Dynamic Registration through a customer's link) runs in the same transaction and
   * names the customer; if it throws, nothing is registered.
   */
  async create(input: CreatePlatformBody, registeredBy: 'manual' | 'dynamic' = 'manual', bindCustomer?: (m: EntityManager) => Promise<string>): Promise<PlatformDto> {
    const id = await this.transactions.run(async (m) => {
      const existing = await this.registrationOf(input.issuer, input.clientId, m);
      if (existing) {
        throw duplicate(existing);
      }
      const customerId = bindCustomer ? await bindCustomer(m) : (input.customerId ?? null);
      if (customerId !== null && !bindCustomer) {
        await this.customers.requireExisting(customerId, m);
      }
      const platform = await this.repo.insertPlatform(
        {
          name: input.name,
          issuer: input.issuer,
          clientId: input.clientId,
          authorizationEndpoint: input.authorizationEndpoint,
          tokenEndpoint: input.tokenEndpoint,
          tokenAudience: input.tokenAudience ?? null,
          jwksUri: input.jwksUri,
          registeredBy,
          customerId,
        },
        m,
      );
      if (!platform) {
        throw duplicate({ issuer: input.issuer, clientId: input.clientId });
      }
      await this.repo.insertDeployments(platform.id, unique(input.deploymentIds ?? []), m);
      return platform.id;
    });
    this.invalidate();
    this.logger.log(`platform ${id} registered (${registeredBy}) issuer=${input.issuer} clientId=${input.clientId}`);
    return this.getDto(id);
  }

  async update(id: string, patch: UpdatePlatformBody): Promise<PlatformDto> {
    await this.transactions.run(async (m) => {
      const platform = await this.repo.findPlatform(id, m);
      if (!platform || platform.registeredBy === LTI11_REGISTRATION) {
        throw new NotFoundError('platform', id);
      }
      const { deploymentIds, ...fields } = patch;
      if (fields.customerId) {
        await this.customers.requireExisting(fields.customerId, m);
      }
      Object.assign(platform, fields);
      const clash = await this.registrationOf(platform.issuer, platform.clientId, m, id);
      if (clash) {
        throw duplicate(clash);
      }
      await this.repo.savePlatform(platform, m);
      if (deploymentIds) {
        await this.repo.deleteDeploymentsOf(id, m);
        await this.repo.insertDeployments(id, unique(deploymentIds), m);
      }
    });
    this.invalidate();
    return this.getDto(id);
  }

  /**
   * The registration of (issuer, client id) other than `exceptId`, comparing issuers in canonical
   * form: rows stored before the issuer rule may still have a trailing slash or upper-case host.
   */
  private async registrationOf(issuer: string, clientId: string, m: EntityManager, exceptId?: string): Promise<Platform | undefined> {
    return (await this.repo.findPlatformsByClient(clientId, m)).find((p) => p.id !== exceptId && sameIssuer(p.issuer, issuer));
  }

  async remove(id: string): Promise<void> {
    await this.transactions.run(async (m) => {
      if ((await this.repo.findPlatform(id, m))?.registeredBy === LTI11_REGISTRATION || !(await this.repo.deletePlatform(id, m))) {
        throw new NotFoundError('platform', id);
      }
      await this.repo.deleteDeploymentsOf(id, m);
    });
    this.invalidate();
  }

  /**
   * The platform row of an LTI 1.1 consumer key (src/lti11/README.md), in the caller's transaction: the
   * key's learners, links, seats, reports and instructor view hang on it as on an LTI 1.3 registration.
   * It has no OIDC or JWKS endpoints, is never found by issuer, and is not listed or changed through
   * `/api/platforms`. Call {@link changed} after the transaction.
   */
  async insertLti11Platform(consumerKey: string, name: string, customerId: string, m: EntityManager): Promise<string> {
    const platform = await this.repo.insertPlatform(
      { name, issuer: `urn:lti11:${consumerKey}`, clientId: consumerKey, authorizationEndpoint: '', tokenEndpoint: '', tokenAudience: null, jwksUri: '', registeredBy: LTI11_REGISTRATION, customerId },
      m,
    );
    if (!platform) {
      throw duplicate({ issuer: `urn:lti11:${consumerKey}`, clientId: consumerKey });
    }
    return platform.id;
  }

  /** Drops the snapshot after a change made in another module's transaction. */
  changed(): void {
    this.invalidate();
  }

  async setGrantedScopes(platformId: string, scopes: string): Promise<void> {
    await this.repo.setGrantedScopes(platformId, scopes);
    this.invalidate();
  }

  /** Adds a deployment if absent (Dynamic Registration returns one; Core §3.1.3). */
  async addDeployment(platformId: string, deploymentId: string): Promise<void> {
    await this.repo.insertDeploymentIfAbsent(platformId, deploymentId);
    this.invalidate();
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function duplicate(existing: { issuer: string; clientId: string; name?: string }): AppError {
  return new AppError(
    'platform_exists',
    `${existing.name ? `“${existing.name}”` : 'A platform'} with issuer "${existing.issuer}" and client id "${existing.clientId}" is already registered (the same issuer, give or take a trailing slash); edit it instead.`,
    HttpStatus.CONFLICT,
  );
}

function toDto(p: Platform, deploymentIds: string[]): PlatformDto {
  return {
    id: p.id,
    name: p.name,
    issuer: p.issuer,
    clientId: p.clientId,
    authorizationEndpoint: p.authorizationEndpoint,
    tokenEndpoint: p.tokenEndpoint,
    tokenAudience: p.tokenAudience,
    jwksUri: p.jwksUri,
    deploymentIds,
    registeredBy: p.registeredBy,
    grantedScopes: p.grantedScopes ? p.grantedScopes.split(/\s+/).filter(Boolean).sort() : [],
    customerId: p.customerId,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
