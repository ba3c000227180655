import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/** A one-time, short-lived code that carries a launch from the app origin to the player page (docs/architecture.md). */
@Entity('player_launch_codes')
export class LaunchCode extends BaseEntity {
  /** SHA-256 (base64url) of the code; the code itself is never stored. */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'varchar', length: 36 })
  attemptId: string;

  @Column({ type: Date })
  expiresAt: Date;

  @Column({ type: Date, nullable: true })
  usedAt: Date | null;

  /** launch_presentation.return_url, shown as a link when the course is left. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  returnUrl: string | null;
}
