import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, Not } from 'typeorm';
import { Platform } from '../platforms/platform.entity';
import { Customer } from './customer.entity';
import { RegistrationLink } from './registration-link.entity';

/** The columns of a customer the API writes. */
export type CustomerFields = Pick<Customer, 'name' | 'contact' | 'notes' | 'state'>;

/** What the launch check needs of every customer (see `CustomersService.launchRefusal`). */
export type CustomerLaunchRow = Pick<Customer, 'id' | 'name' | 'state'>;

/**
 * Every database access of the customers module: customers and their registration links, and which
 * platforms belong to a customer. Methods that take an EntityManager run in the caller's transaction.
 */
@Injectable()
export class CustomersRepository {
  constructor(private readonly db: DataSource) {}

  listCustomers(): Promise<Customer[]> {
    return this.db.getRepository(Customer).find({ order: { name: 'ASC', createdAt: 'ASC' } });
  }

  /** The ids of the platforms of every customer that has any. */
  async platformIdsByCustomer(): Promise<Map<string, string[]>> {
    const rows = await this.db.getRepository(Platform).find({ select: { id: true, customerId: true }, where: { customerId: Not(IsNull()) }, order: { createdAt: 'ASC' } });
    const out = new Map<string, string[]>();
    for (const r of rows) {
      out.set(r.customerId as string, [...(out.get(r.customerId as string) ?? []), r.id]);
    }
    return out;
  }

  launchRows(): Promise<CustomerLaunchRow[]> {
    return this.db.getRepository(Customer).find({ select: { id: true, name: true, state: true } });
  }

  findCustomer(id: string, m: EntityManager = this.db.manager): Promise<Customer | null> {
    return m.getRepository(Customer).findOne({ where: { id } });
  }

  async insertCustomer(fields: CustomerFields, m: EntityManager = this.db.manager): Promise<Customer> {
    const customer = m.getRepository(Customer).create(fields);
    await m.getRepository(Customer).insert(customer);
    return customer;
  }

  async saveCustomer(customer: Customer, m: EntityManager): Promise<void> {
    await m.getRepository(Customer).save(customer);
  }

  async countPlatformsOf(customerId: string, m: EntityManager): Promise<number> {
    return m.getRepository(Platform).count({ where: { customerId } });
  }

  /** Deletes a customer and its registration links; false when there was none. */
  async deleteCustomer(id: string, m: EntityManager): Promise<boolean> {
    await m.getRepository(RegistrationLink).delete({ customerId: id });
    return !!(await m.getRepository(Customer).delete({ id })).affected;
  }

  async insertLink(fields: Pick<RegistrationLink, 'customerId' | 'tokenHash' | 'expiresAtMs' | 'maxUses'>): Promise<RegistrationLink> {
    const link = this.db.getRepository(RegistrationLink).create({ ...fields, uses: 0, revokedAtMs: null });
    await this.db.getRepository(RegistrationLink).insert(link);
    return link;
  }

  listLinks(customerId: string): Promise<RegistrationLink[]> {
    return this.db.getRepository(RegistrationLink).find({ where: { customerId }, order: { createdAt: 'DESC', id: 'ASC' } });
  }

  findLink(customerId: string, id: string): Promise<RegistrationLink | null> {
    return this.db.getRepository(RegistrationLink).findOne({ where: { customerId, id } });
  }

  findLinkByTokenHash(tokenHash: string, m: EntityManager = this.db.manager): Promise<RegistrationLink | null> {
    return m.getRepository(RegistrationLink).findOne({ where: { tokenHash } });
  }

  async revokeLink(id: string, at: number): Promise<void> {
    await this.db.getRepository(RegistrationLink).update({ id, revokedAtMs: IsNull() }, { revokedAtMs: at });
  }

  /**
   * Counts one use of a link read in the same transaction, conditional on its use count and
   * revocation being what the caller read: of two concurrent registrations only one changes the row.
   */
  async countUse(link: RegistrationLink, m: EntityManager): Promise<boolean> {
    const res = await m.getRepository(RegistrationLink).update({ id: link.id, uses: link.uses, revokedAtMs: IsNull() }, { uses: link.uses + 1 });
    return !!res.affected;
  }
}
