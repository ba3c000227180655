import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import { bigintNumber } from '../database/bigint';

/**
 * An invitation for one customer's LMS: a Dynamic Registration URL carrying a secret token. Only the
 * token's SHA-256 is stored, so the URL is shown once, when the link is created. A registration
 * through it binds the new platform to the customer and counts one use.
 */
@Entity('customer_registration_links')
export class RegistrationLink extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  customerId: string;

  /** SHA-256 (hex) of the token in the URL. */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  /** Epoch ms after which the link registers nothing; null: it does not expire. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  expiresAtMs: number | null;

  @Column({ type: 'integer', default: 1 })
  maxUses: number;

  @Column({ type: 'integer', default: 0 })
  uses: number;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  revokedAtMs: number | null;
}
