import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/**
 * Where an LTI 1.1 learner's result goes (Basic Outcomes): the launch's `lis_outcome_service_url` and
 * `lis_result_sourcedid` for one (resource link, learner), kept up to date by each 1.1 launch. The grade
 * outbox sends `replaceResult` there when the link has no AGS claim (src/grades/README.md).
 */
@Entity('lti11_outcome_targets')
@Index(['resourceLinkId', 'learnerId'], { unique: true })
export class OutcomeTarget extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  resourceLinkId: string;

  @Column({ type: 'varchar', length: 36 })
  learnerId: string;

  @Column({ type: 'varchar', length: 2000 })
  serviceUrl: string;

  @Column({ type: 'varchar', length: 2000 })
  sourcedId: string;
}
