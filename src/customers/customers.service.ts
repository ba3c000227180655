import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppError, NotFoundError } from '../common/errors';
import { RefreshingSnapshot } from '../common/refreshing-snapshot';
import { ChangeNotices } from '../database/change-notices';
import { Transactions } from '../database/transactions';
import { CreateCustomerBody, UpdateCustomerBody } from './customer.dto';
import { Customer, CustomerState } from './customer.entity';
import { CustomerLaunchRow, CustomersRepository } from './customers.repository';

export interface CustomerDto {
  id: string;
  name: string;
  contact: string | null;
  notes: string | null;
  state: CustomerState;
  /** The platform registrations (LMSs) that belong to this customer. */
  platformIds: string[];
  createdAt: string;
  updatedAt: string;
}

/** Why a launch from a platform is refused before anything is written (issue 9), or null. */
export type LaunchRefusal = { reason: 'customer_suspended'; customerName: string } | { reason: 'platform_unassigned' } | null;

/** Like the platform snapshot: every launch reads it, writes through any instance drop it at once (ChangeNotices). */
const SNAPSHOT_MS = 5000;

interface LaunchSnapshot {
  byId: Map<string, CustomerLaunchRow>;
}

/**
 * Customers: the client organisations the content owner distributes courses to (`/api/customers`),
 * and the one rule launches ask about: a platform whose customer is suspended launches nothing; a
 * platform with no customer launches only while no customer exists at all, so a single-organisation
 * install works with no set-up and, once customers exist, nothing unassigned slips through.
 */
@Injectable()
export class CustomersService {
  private readonly logger = new Logger(CustomersService.name);
  private readonly snapshot = new RefreshingSnapshot<LaunchSnapshot>(async () => ({ byId: new Map((await this.repo.launchRows()).map((c) => [c.id, c])) }), SNAPSHOT_MS);

  constructor(
    private readonly repo: CustomersRepository,
    private readonly transactions: Transactions,
    private readonly changes: ChangeNotices,
  ) {
    changes.on('customers', () => this.snapshot.invalidate());
  }

  /**
   * The launch check: a lookup in an in-memory snapshot of the customers' states (reloaded by one
   * query at most every few seconds, or after a change made here), so a launch costs no query.
   */
  async launchRefusal(customerId: string | null): Promise<LaunchRefusal> {
    const { byId } = await this.snapshot.get();
    const customer = customerId === null ? undefined : byId.get(customerId);
    if (!customer) {
      return byId.size === 0 && customerId === null ? null : { reason: 'platform_unassigned' };
    }
    return customer.state === 'suspended' ? { reason: 'customer_suspended', customerName: customer.name } : null;
  }

  async list(): Promise<CustomerDto[]> {
    const [customers, platforms] = await Promise.all([this.repo.listCustomers(), this.repo.platformIdsByCustomer()]);
    return customers.map((c) => toDto(c, platforms.get(c.id) ?? []));
  }

  async get(id: string): Promise<CustomerDto> {
    const customer = await this.repo.findCustomer(id);
    if (!customer) {
      throw new NotFoundError('customer', id);
    }
    return toDto(customer, (await this.repo.platformIdsByCustomer()).get(id) ?? []);
  }

  /**
   * Refuses a customer id that a platform is to be bound to when no such customer exists (422: the
   * id is in the body, the route's own resource was found). Runs in the platform write's transaction.
   */
  async requireExisting(id: string, m: EntityManager): Promise<void> {
    if (!(await this.repo.findCustomer(id, m))) {
      throw new AppError('customer_not_found', `No customer with id "${id}" exists; create it first (POST /api/customers) or send null to leave the platform unassigned.`, HttpStatus.UNPROCESSABLE_ENTITY);
    }
  }

  async create(input: CreateCustomerBody): Promise<CustomerDto> {
    const customer = await this.repo.insertCustomer({ name: input.name, contact: input.contact ?? null, notes: input.notes ?? null, state: input.state ?? 'active' });
    this.changes.publish('customers');
    this.logger.log(`customer ${customer.id} created (${customer.state})`);
    return this.get(customer.id);
  }

  async update(id: string, patch: UpdateCustomerBody): Promise<CustomerDto> {
    const before = await this.transactions.run(async (m) => {
      const customer = await this.repo.findCustomer(id, m);
      if (!customer) {
        throw new NotFoundError('customer', id);
      }
      const state = customer.state;
      Object.assign(customer, patch);
      await this.repo.saveCustomer(customer, m);
      return state;
    });
    this.changes.publish('customers');
    if (patch.state && patch.state !== before) {
      this.logger.log(`customer ${id} ${patch.state === 'suspended' ? 'suspended: its platforms launch nothing' : 'active again'}`);
    }
    return this.get(id);
  }

  /** Deletes a customer that no platform belongs to (its data would otherwise lose its owner). */
  async remove(id: string): Promise<void> {
    await this.transactions.run(async (m) => {
      const platforms = await this.repo.countPlatformsOf(id, m);
      if (platforms > 0) {
        throw new AppError(
          'customer_in_use',
          `${platforms === 1 ? 'A platform belongs' : `${platforms} platforms belong`} to this customer: assign ${platforms === 1 ? 'it' : 'them'} elsewhere or delete ${platforms === 1 ? 'it' : 'them'} first, or suspend the customer instead (that keeps its data).`,
          HttpStatus.CONFLICT,
        );
      }
      if (!(await this.repo.deleteCustomer(id, m))) {
        throw new NotFoundError('customer', id);
      }
    });
    this.changes.publish('customers');
  }
}

function toDto(c: Customer, platformIds: string[]): CustomerDto {
  return {
    id: c.id,
    name: c.name,
    contact: c.contact,
    notes: c.notes,
    state: c.state,
    platformIds,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
