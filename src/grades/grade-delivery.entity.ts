import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import { bigintNumber } from '../database/bigint';
import type { ScoreContent } from './score-policy';

/** Where a delivery goes: an LTI AGS score, or an LTI 1.1 Basic Outcomes `replaceResult` (src/grades/README.md). */
export type DeliveryKind = 'ags' | 'lti11';

/** pending → sending → sent | superseded | failed; `retry` waits for its backoff (src/grades/README.md). */
export type DeliveryState = 'pending' | 'sending' | 'retry' | 'sent' | 'superseded' | 'failed';

/**
 * The grade outbox: one row per (resource link, learner) carrying the newest score to send, in the
 * shape of Vendure's job record (state, tries, lastError, nextAttemptAt, sentAt).
 * A newer result replaces an unsent payload (`version` goes up) instead of queueing behind it.
 * Times the worker compares are epoch milliseconds so the claim's conditional UPDATE compares
 * numbers on every database.
 */
@Entity('grade_deliveries')
@Index(['resourceLinkId', 'learnerId'], { unique: true })
@Index(['state', 'nextAttemptAt'])
export class GradeDelivery extends BaseEntity {
  /** Our ResourceLink row id. */
  @Column({ type: 'varchar', length: 36 })
  resourceLinkId: string;

  @Column({ type: 'varchar', length: 36 })
  learnerId: string;

  @Column({ type: 'varchar', length: 36 })
  platformId: string;

  /** `ags` or `lti11` (Basic Outcomes), decided from the link and learner each time a result is recorded. */
  @Column({ type: 'varchar', length: 20, default: 'ags' })
  kind: DeliveryKind;

  /** The AGS `userId`: the launch's `sub`. */
  @Column({ type: 'varchar', length: 255 })
  userId: string;

  /** The attempt whose result is in `payload` (the highest attempt by default). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  attemptId: string | null;

  @Column({ type: 'varchar', length: 20 })
  state: DeliveryState;

  /** The newest score content to send (without userId/timestamp). */
  @Column({ type: 'simple-json' })
  payload: ScoreContent;

  /** Goes up each time a new result replaces the payload; a send only settles the version it carried. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  /** When the commit that produced this payload happened (the basis of the AGS timestamp). */
  @Column({ type: 'bigint', transformer: bigintNumber })
  resultAt: number;

  /** The AGS timestamp chosen for this version at its first send; kept for its retries (idempotent resend). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  scoreTimestamp: string | null;

  /** The newest timestamp ever put on the wire for this (line item, user): the next one must be later. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  lastTimestamp: string | null;

  /** Send attempts for the current version. */
  @Column({ type: 'integer', default: 0 })
  tries: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  nextAttemptAt: number;

  /** While `sending`: the claim expires here, then another worker (or this one after a restart) may claim it. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  lockedUntil: number | null;

  /** Random id of the current claim: only the claimer may settle the row. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  claimToken: string | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** HTTP status of the last answer from the platform (null for a network error). */
  @Column({ type: 'integer', nullable: true })
  lastStatus: number | null;

  /** When a score was last accepted by the platform. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  sentAt: number | null;

  /** What the platform last accepted. */
  @Column({ type: 'simple-json', nullable: true })
  sentPayload: ScoreContent | null;
}
