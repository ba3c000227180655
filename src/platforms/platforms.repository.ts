import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { Deployment } from './deployment.entity';
import { Platform } from './platform.entity';

/** The columns of a registration the API writes. */
export type PlatformFields = Pick<Platform, 'name' | 'issuer' | 'clientId' | 'authorizationEndpoint' | 'tokenEndpoint' | 'tokenAudience' | 'jwksUri' | 'registeredBy'>;

/** A write refused because another registration has this (issuer, client id). */
export type DuplicatePlatform = { refused: 'duplicate'; issuer: string; clientId: string };

/** Why a change of a registration did not happen; the service turns it into the API's error. */
export type PlatformUpdateRefusal = { refused: 'not_found' } | DuplicatePlatform;

/**
 * Every database access of the platforms module: registrations and their deployments. Each write
 * that touches both tables is one transaction here, so a half-written registration is never seen.
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

  /** Inserts a registration and its deployments, unless its (issuer, client id) is taken; answers the new id. */
  async insertPlatformWithDeployments(fields: PlatformFields, deploymentIds: string[]): Promise<{ id: string } | DuplicatePlatform> {
    const duplicate: DuplicatePlatform = { refused: 'duplicate', issuer: fields.issuer, clientId: fields.clientId };
    return this.db.transaction(async (m) => {
      if (await findPlatformByIssuerAndClient(m, fields.issuer, fields.clientId)) {
        return duplicate;
      }
      const platform = m.getRepository(Platform).create({ ...fields, grantedScopes: null });
      try {
        await m.getRepository(Platform).insert(platform);
      } catch (e) {
        // The unique (issuer, client id) index refused a registration inserted at the same moment.
        if (e instanceof QueryFailedError) {
          return duplicate;
        }
        throw e;
      }
      await insertDeployments(m, platform.id, deploymentIds);
      return { id: platform.id };
    });
  }

  /**
   * Changes a registration's fields and, when `deploymentIds` is given, replaces its deployments,
   * unless the registration is gone or the changed (issuer, client id) belongs to another one.
   */
  async updatePlatformWithDeployments(id: string, fields: Partial<PlatformFields>, deploymentIds: string[] | undefined): Promise<PlatformUpdateRefusal | null> {
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(Platform);
      const platform = await repo.findOne({ where: { id } });
      if (!platform) {
        return { refused: 'not_found' } as const;
      }
      Object.assign(platform, fields);
      const clash = await findPlatformByIssuerAndClient(m, platform.issuer, platform.clientId);
      if (clash && clash.id !== id) {
        return { refused: 'duplicate', issuer: platform.issuer, clientId: platform.clientId } as const;
      }
      await repo.save(platform);
      if (deploymentIds) {
        await m.getRepository(Deployment).delete({ platformId: id });
        await insertDeployments(m, id, deploymentIds);
      }
      return null;
    });
  }

  /** Deletes a registration and its deployments; false when there was none. */
  async deletePlatformWithDeployments(id: string): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const res = await m.getRepository(Platform).delete({ id });
      if (!res.affected) {
        return false;
      }
      await m.getRepository(Deployment).delete({ platformId: id });
      return true;
    });
  }

  async setGrantedScopes(platformId: string, scopes: string): Promise<void> {
    await this.db.getRepository(Platform).update({ id: platformId }, { grantedScopes: scopes });
  }

  /** Adds a deployment unless the registration has it already (the unique index decides). */
  async insertDeploymentIfAbsent(platformId: string, deploymentId: string): Promise<void> {
    await this.db.getRepository(Deployment).createQueryBuilder().insert().values({ id: randomUUID(), platformId, deploymentId }).orIgnore().execute();
  }
}

function findPlatformByIssuerAndClient(m: EntityManager, issuer: string, clientId: string): Promise<Platform | null> {
  return m.getRepository(Platform).findOne({ where: { issuer, clientId } });
}

async function insertDeployments(m: EntityManager, platformId: string, deploymentIds: string[]): Promise<void> {
  for (const deploymentId of deploymentIds) {
    await m.getRepository(Deployment).insert(m.getRepository(Deployment).create({ platformId, deploymentId }));
  }
}
