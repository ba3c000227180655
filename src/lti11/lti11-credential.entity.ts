import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/**
 * An LTI 1.1 consumer key of a customer (src/lti11/README.md). OAuth 1.0a HMAC-SHA1 needs the secret
 * itself to check a signature, so it cannot be stored hashed: it is sealed (AES-256-GCM) with the
 * server secret `lti11-credentials` and shown in clear only in the answer that created it. Each key has
 * its own platform row (`registeredBy` = `lti11`), so its learners, links, reports and the instructor
 * view use the same model as LTI 1.3.
 */
@Entity('lti11_credentials')
export class Lti11Credential extends BaseEntity {
  @Index()
  @Column({ type: 'varchar', length: 36 })
  customerId: string;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 36 })
  platformId: string;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 100 })
  consumerKey: string;

  /** base64(iv ‖ tag ‖ ciphertext) of the secret (`SecretBox`). */
  @Column({ type: 'text' })
  secretSealed: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  label: string | null;

  /** A revoked key launches nothing; outcomes already owed are still sent, and the 1.3 migration claim still verifies with it. */
  @Column({ type: Date, nullable: true })
  revokedAt: Date | null;

  /** The last accepted launch with this key, to the minute (null: never used); shown in the console. */
  @Column({ type: Date, nullable: true })
  lastUsedAt: Date | null;
}
