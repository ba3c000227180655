import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/**
 * A learner-wide SCORM 2004 store shared across their attempts and courses (docs/sequencing.md):
 * a global objective (`kind` 'objective', `key` its id, `value` the engine's map entry as JSON)
 * of a course with `objectivesGlobalToSystem`, or an `adl.data` store (`kind` 'data', `key` its
 * target id, `value` its text) of a course with `sharedDataGlobalToSystem`.
 */
@Entity('learner_sequencing_globals')
@Index(['learnerId', 'kind', 'key'], { unique: true })
export class LearnerGlobal extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  learnerId: string;

  @Column({ type: 'varchar', length: 10 })
  kind: 'objective' | 'data';

  @Column({ type: 'varchar', length: 1000 })
  key: string;

  @Column({ type: 'text' })
  value: string;
}
