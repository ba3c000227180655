import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import { numeric } from './sco-state.entity';

/**
 * One learner's attempt at the course behind one resource link. It stays on the course version it
 * started on (docs/architecture.md). Per-SCO runtime data lives in ScoState rows.
 */
@Entity('attempts')
@Index(['learnerId', 'resourceLinkId', 'number'], { unique: true })
export class Attempt extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  learnerId: string;

  @Index()
  @Column({ type: 'varchar', length: 36 })
  resourceLinkId: string;

  @Column({ type: 'varchar', length: 36 })
  courseVersionId: string;

  /** 1, 2, … per (learner, resource link). */
  @Column({ type: 'integer' })
  number: number;

  /** Instructor preview: credit=no-credit, never sent to the gradebook. */
  @Column({ type: 'boolean', default: false })
  preview: boolean;

  /**
   * When the attempt ended (SCORM 2004: a non-suspend exit, RTE cmi.exit; player/README.md).
   * Null while open: the next launch resumes it. The name is historical: an ended attempt need not be "completed".
   */
  @Column({ type: Date, nullable: true })
  completedAt: Date | null;

  @Column({ type: Date, nullable: true })
  lastLaunchedAt: Date | null;

  /** Incremented on every player launch; orders commits across launches (player/README.md). */
  @Column({ type: 'integer', default: 0 })
  launchCount: number;

  /**
   * SCORM 2004 with sequencing: the root activity after the server's own rollup over the SCOs'
   * stored data (docs/scorm-rules.md, "A course of several SCOs"); null until worked out, and for 1.2.
   */
  @Column({ type: 'varchar', length: 20, nullable: true })
  rootCompletion: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  rootSuccess: string | null;

  @Column({ type: 'float', nullable: true, transformer: numeric })
  rootMeasure: number | null;
}
