import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

@Entity('courses')
export class Course extends BaseEntity {
  @Index()
  @Column({ type: 'varchar', length: 500 })
  title: string;

  /** The version new attempts use; set in the same transaction as the version row. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  currentVersionId: string | null;
}
