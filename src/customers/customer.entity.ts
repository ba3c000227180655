import { Column, Entity } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

export const CUSTOMER_STATES = ['active', 'suspended'] as const;
export type CustomerState = (typeof CUSTOMER_STATES)[number];

/**
 * A client organisation of the content owner (issue 9). Each platform registration belongs to at
 * most one customer (`platforms.customerId`); suspending a customer stops its launches and keeps
 * every row of its learners.
 */
@Entity('customers')
export class Customer extends BaseEntity {
  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Who to talk to at the customer (free text: a name, an e-mail address, a phone number). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  contact: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  state: CustomerState;
}
