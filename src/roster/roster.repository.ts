import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Platform } from '../platforms/platform.entity';
import type { NrpsMember } from './nrps';
import { Roster, RosterMember } from './roster.entity';

/** Rows inserted per statement when a roster's members are replaced (well under both drivers' parameter limits). */
const INSERT_CHUNK = 200;

/** The fields of a roster row a fetch writes. */
export type RosterFields = Omit<Roster, 'id' | 'createdAt' | 'updatedAt'>;

/** Every database access of the roster module. */
@Injectable()
export class RosterRepository {
  constructor(private readonly db: DataSource) {}

  findRoster(platformId: string, contextId: string, m: EntityManager = this.db.manager): Promise<Roster | null> {
    return m.findOneBy(Roster, { platformId, contextId });
  }

  /** Writes the roster row of (platform, context), creating it when absent; answers its id. */
  async saveRoster(fields: RosterFields, m: EntityManager): Promise<string> {
    const found = await this.findRoster(fields.platformId, fields.contextId, m);
    if (found) {
      await m.update(Roster, { id: found.id }, fields);
      return found.id;
    }
    const row = m.create(Roster, fields);
    await m.insert(Roster, row);
    return row.id;
  }

  /** Replaces a roster's members with these (in the caller's transaction). */
  async replaceMembers(rosterId: string, members: NrpsMember[], m: EntityManager): Promise<void> {
    await m.delete(RosterMember, { rosterId });
    for (let i = 0; i < members.length; i += INSERT_CHUNK) {
      await m.insert(
        RosterMember,
        members.slice(i, i + INSERT_CHUNK).map((x) => m.create(RosterMember, { rosterId, ...x })),
      );
    }
  }

  listMembers(rosterId: string): Promise<RosterMember[]> {
    return this.db.manager.find(RosterMember, { where: { rosterId }, order: { familyName: 'ASC', name: 'ASC', userId: 'ASC' } });
  }

  /** The rosters of these platforms. */
  listRostersOfPlatforms(platformIds: string[]): Promise<Roster[]> {
    return platformIds.length ? this.db.manager.find(Roster, { where: { platformId: In(platformIds) }, order: { contextTitle: 'ASC', contextId: 'ASC' } }) : Promise.resolve([]);
  }

  /** Ids of the platforms bound to a customer. */
  async platformIdsOfCustomer(customerId: string): Promise<string[]> {
    return (await this.db.manager.find(Platform, { where: { customerId }, select: ['id'] })).map((p) => p.id);
  }
}
