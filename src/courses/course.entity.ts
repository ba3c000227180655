import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import type { GradePolicy } from '../grades/score-policy';

@Entity('courses')
export class Course extends BaseEntity {
  @Index()
  @Column({ type: 'varchar', length: 500 })
  title: string;

  /** The version new attempts use; set in the same transaction as the version row. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  currentVersionId: string | null;

  /** Overrides of the default grade policy (src/grades/README.md); null: the defaults. */
  @Column({ type: 'simple-json', nullable: true })
  gradePolicy: Partial<GradePolicy> | null;

  /** When the course was archived: hidden from the Deep Linking picker and new licences; null while in use. */
  @Column({ type: Date, nullable: true })
  archivedAt: Date | null;
}
