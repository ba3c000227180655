import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/**
 * A seat: one learner (an LMS user: platform and `sub`, as in `learners`) of one customer on one
 * course, taken at that learner's first admitted launch of the course and never removed by a
 * licence change. Seats belong to the customer and the course, not to a licence: see
 * `src/licences/README.md` for how each licence counts them.
 */
@Entity('licence_seats')
@Index(['customerId', 'courseId', 'platformId', 'sub'], { unique: true })
@Index(['customerId', 'platformId', 'sub'])
export class LicenceSeat extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  customerId: string;

  @Column({ type: 'varchar', length: 36 })
  courseId: string;

  @Column({ type: 'varchar', length: 36 })
  platformId: string;

  @Column({ type: 'varchar', length: 255 })
  sub: string;
}
