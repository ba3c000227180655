import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import { bigintNumber } from '../database/bigint';

export const LICENCE_STATES = ['active', 'suspended', 'revoked'] as const;
export type LicenceState = (typeof LICENCE_STATES)[number];

/**
 * A licence (issue 9): one customer may use one course, or every course (`courseId` null), for at
 * most `seatLimit` distinct learners (null: unlimited), from `startsAtMs` (inclusive) until `endsAtMs`
 * (exclusive), while `state` is active. The rules that read it are in `licence-rules.ts`.
 */
@Entity('licences')
@Index(['customerId'])
export class Licence extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  customerId: string;

  /** The course granted; null: every course of the catalogue. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  courseId: string | null;

  /** How many distinct learners may hold a seat; null: no limit. */
  @Column({ type: 'integer', nullable: true })
  seatLimit: number | null;

  /** Epoch ms from which the licence applies (inclusive); null: from the start. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  startsAtMs: number | null;

  /** Epoch ms at which the licence ends (exclusive); null: it does not end. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  endsAtMs: number | null;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  state: LicenceState;

  @Column({ type: 'text', nullable: true })
  notes: string | null;
}
