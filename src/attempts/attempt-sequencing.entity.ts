import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/**
 * SCORM 2004: the player engine's last saved sequencing state of an attempt (its
 * `serializeSequencingState()` text, src/player/bootstrap.types.ts), ordered like commits by the
 * launch and sequence number it came with. Only resumes navigation; results come from the server's
 * own engine run (docs/sequencing.md).
 */
@Entity('attempt_sequencing')
export class AttemptSequencing extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 36 })
  attemptId: string;

  @Column({ type: 'text' })
  state: string;

  @Column({ type: 'integer', default: 0 })
  lastLaunch: number;

  @Column({ type: 'integer', default: 0 })
  lastSequence: number;
}
