import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { Deployment } from './deployment.entity';
import { Platform } from './platform.entity';

/** The columns of a registration the API writes. */
export type PlatformFields = Pick<Platform, 'name' | 'issuer' | 'clientId' | 'authorizationEndpoint' | 'tokenEndpoint' | 'tokenAudience' | 'jwksUri' | 'registeredBy' | 'customerId'>;

/**
 * Every database access of the platforms module: registrations and their deployments. Methods that
 * take an EntityManager run in the caller's transaction (`Transactions.run`).
 */
@Injectable()
export class PlatformsRepository {
  constructor(private readonly db: DataSource) {}

  /** Every registration and every deployment, oldest first. */
  async listPlatformsAndDeployments(): Promise<{ platforms: Platform[]; deployments: Deployment[] }> {
    const platforms = await this.db.getRepository(Platform).find({ order: { createdAt: 'ASC' } });
    const deployments = await this.db.getRepository(Deployment).find({ order: { createdAt: 'ASC' } });
    return { platforms, deployments };
  }

  findPlatform(id: string, m: EntityManager): Promise<Platform | null> {
    return m.getRepository(Platform).findOne({ where: { id } });
  }

  /** Every registration with this client id (the caller compares issuers by their canonical form). */
  findPlatformsByClient(clientId: string, m: EntityManager): Promise<Platform[]> {
    return m.getRepository(Platform).find({ where: { clientId } });
  }

  /** Inserts a registration; null when the unique (issuer, client id) index refuses it. */
  async insertPlatform(fields: PlatformFields, m: EntityManager): Promise<Platform | null> {
    const platform = m.getRepository(Platform).create({ ...fields, grantedScopes: null });
    try {
      await m.getRepository(Platform).insert(platform);
    } catch (e) {
      if (e instanceof QueryFailedError) {
        return null;
      }
      throw e;
    }
    return platform;
  }

  /** Writes a registration read by {@link findPlatform} and changed by the caller. */
  async savePlatform(platform: Platform, m: EntityManager): Promise<void> {
    await m.getRepository(Platform).save(platform);
  }

  /** Deletes a registration; false when there was none. */
  async deletePlatform(id: string, m: EntityManager): Promise<boolean> {
    return !!(await m.getRepository(Platform).delete({ id })).affected;
  }

  async setGrantedScopes(platformId: string, scopes: string): Promise<void> {
    await this.db.getRepository(Platform).update({ id: platformId }, { grantedScopes: scopes });
  }

  async insertDeployments(platformId: string, deploymentIds: string[], m: EntityManager): Promise<void> {
    for (const deploymentId of deploymentIds) {
      await m.getRepository(Deployment).insert(m.getRepository(Deployment).create({ platformId, deploymentId }));
    }
  }

  async deleteDeploymentsOf(platformId: string, m: EntityManager): Promise<void> {
    await m.getRepository(Deployment).delete({ platformId });
  }

  /** Adds a deployment unless the registration has it already (the unique index decides). */
  async insertDeploymentIfAbsent(platformId: string, deploymentId: string): Promise<void> {
    await this.db.getRepository(Deployment).createQueryBuilder().insert().values({ id: randomUUID(), platformId, deploymentId }).orIgnore().execute();
  }
}
