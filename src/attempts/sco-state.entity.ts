import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/** A decimal column read back as a number (Postgres returns numeric as a string). */
export const numeric = { to: (v: number | null) => v, from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)) };

/**
 * The runtime state of one SCO (manifest item) in one attempt: the CMI data the SCO saved plus the
 * values the server derives from it (status evaluation per docs/scorm-rules.md, total time per player/README.md).
 */
@Entity('sco_states')
@Index(['attemptId', 'itemId'], { unique: true })
export class ScoState extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  attemptId: string;

  /** The manifest item identifier. */
  @Column({ type: 'varchar', length: 255 })
  itemId: string;

  /** not attempted | incomplete | completed | unknown (both versions, after the LMS evaluation). */
  @Column({ type: 'varchar', length: 20, default: 'not attempted' })
  completionStatus: string;

  /** passed | failed | unknown */
  @Column({ type: 'varchar', length: 20, default: 'unknown' })
  successStatus: string;

  /** Normalized score 0..1 (src/grades/README.md), null when the SCO reported none. */
  @Column({ type: 'float', nullable: true, transformer: numeric })
  scoreScaled: number | null;

  @Column({ type: 'float', nullable: true, transformer: numeric })
  scoreRaw: number | null;

  @Column({ type: 'float', nullable: true, transformer: numeric })
  scoreMin: number | null;

  @Column({ type: 'float', nullable: true, transformer: numeric })
  scoreMax: number | null;

  @Column({ type: 'float', nullable: true, transformer: numeric })
  progressMeasure: number | null;

  @Column({ type: 'text', nullable: true })
  location: string | null;

  @Column({ type: 'text', nullable: true })
  suspendData: string | null;

  /** The last cmi.exit / cmi.core.exit of a terminated session ('' when none). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  exit: string | null;

  /** Server-side sum of session times (player/README.md). */
  @Column({ type: 'float', default: 0, transformer: numeric })
  totalTimeSeconds: number;

  /** The full runtime data of the last applied commit (scorm-again's JSON form). */
  @Column({ type: 'simple-json', nullable: true })
  cmi: Record<string, unknown> | null;

  /** The launch number (Attempt.launchCount) of the last applied commit. */
  @Column({ type: 'integer', default: 0 })
  lastLaunch: number;

  /** The sequence number of the last applied commit within `lastLaunch`. */
  @Column({ type: 'integer', default: 0 })
  lastSequence: number;

  /** `<launch>:<session>` of the SCO session the last applied commit belongs to. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  sessionKey: string | null;

  /** True when the session `sessionKey` has terminated (LMSFinish/Terminate or unload). */
  @Column({ type: 'boolean', default: false })
  terminated: boolean;

  /** SCO-level attempt counter (2004: a non-suspend exit starts the SCO afresh next time). */
  @Column({ type: 'integer', default: 1 })
  scoAttempt: number;

  /** An asset or a SCO that never called the API was at least opened (issue 4: "still records that it was visited"). */
  @Column({ type: Date, nullable: true })
  visitedAt: Date | null;
}
