import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../database/bigint';

/** One rate-limited key (e.g. `lti-login:<address>`) and its theoretical arrival time (GCRA, see rate-limiter.ts). */
@Entity('rate_limits')
export class RateLimit {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  tatMs: number;
}
