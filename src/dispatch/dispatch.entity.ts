import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

export const DISPATCH_STATES = ['active', 'revoked'] as const;
export type DispatchState = (typeof DISPATCH_STATES)[number];

/**
 * A dispatch (issue 12): one course handed to one customer as a small SCORM package for an LMS
 * without LTI 1.3. The package holds only a launch page and this row's signed id; the course is
 * played from the bridge, so a new version reaches every imported package at once. Learners of a
 * dispatch are identified by (dispatch id, the LMS's learner id): the dispatch id stands where an
 * LTI launch has its platform id (learners, resource links, seats), see src/dispatch/README.md.
 */
@Entity('dispatches')
@Index(['customerId'])
export class Dispatch extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  customerId: string;

  @Index()
  @Column({ type: 'varchar', length: 36 })
  courseId: string;

  /** What the LMS shows for the imported package (the course title when none is given). */
  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  state: DispatchState;

  @Column({ type: Date, nullable: true })
  revokedAt: Date | null;
}
