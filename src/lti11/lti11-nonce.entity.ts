import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import { bigintNumber } from '../database/bigint';

/** An OAuth nonce already used with a consumer key, kept until its timestamp is out of the window (shared by every instance). */
@Entity('lti11_nonces')
@Index(['consumerKey', 'nonce'], { unique: true })
export class Lti11Nonce extends BaseEntity {
  @Column({ type: 'varchar', length: 100 })
  consumerKey: string;

  @Column({ type: 'varchar', length: 255 })
  nonce: string;

  @Index()
  @Column({ type: 'bigint', transformer: bigintNumber })
  expiresAtMs: number;
}
