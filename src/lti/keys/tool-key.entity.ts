import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../../database/bigint';

/** An RS256 signing key of the tool. Kept in the database so every instance signs with the same key. */
@Entity('tool_keys')
export class ToolKey {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'text' })
  publicJwk: string;

  @Column({ type: 'text' })
  privateJwk: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  createdAtMs: number;

  /** Set when a newer key took over; the key stays published until the grace period ends (Sec §6.4). */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  retiredAtMs: number | null;
}
