import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/** A person as one LMS knows them: (platform, `sub`) is their identity (LTI 1.3 core §5.3.6). */
@Entity('learners')
@Index(['platformId', 'sub'], { unique: true })
export class Learner extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  platformId: string;

  /** The id_token `sub`; also the AGS `userId` and the SCORM learner id. */
  @Column({ type: 'varchar', length: 255 })
  sub: string;

  /** Names and e-mail only when the platform sent them (they may be withheld for privacy). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  givenName: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  familyName: string | null;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;
}
