import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/**
 * One LMS registration: an (issuer, client id) pair. Hosted Canvas shares one issuer across all
 * customers, so the issuer alone never identifies a registration (docs/lti-launch-checks.md, login initiation).
 */
@Entity('platforms')
@Index(['issuer', 'clientId'], { unique: true })
export class Platform extends BaseEntity {
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 500 })
  issuer: string;

  @Column({ type: 'varchar', length: 255 })
  clientId: string;

  @Column({ type: 'varchar', length: 1000 })
  authorizationEndpoint: string;

  @Column({ type: 'varchar', length: 1000 })
  tokenEndpoint: string;

  /** `aud` of client assertions when the platform names one out of band (D2L, DR `authorization_server`). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  tokenAudience: string | null;

  @Column({ type: 'varchar', length: 1000 })
  jwksUri: string;

  /** `manual` (admin API) or `dynamic` (LTI Dynamic Registration). */
  @Column({ type: 'varchar', length: 20, default: 'manual' })
  registeredBy: string;

  /** Space-separated scopes the platform granted at Dynamic Registration, if known. */
  @Column({ type: 'text', nullable: true })
  grantedScopes: string | null;

  /** The customer (client organisation) this LMS belongs to; null: none (see `CustomersService.launchRefusal`). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  customerId: string | null;
}
