import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import { bigintNumber } from '../database/bigint';

/** `ok`: the last fetch succeeded; `unavailable`: it failed (see `lastError`; members are those of the last success, if any). */
export type RosterState = 'ok' | 'unavailable';

/**
 * The cached Names and Roles roster of one LMS context (NRPS 2.0), one row per (platform, context):
 * where it was fetched from and how the last fetch went. Members are `RosterMember` rows.
 */
@Entity('rosters')
@Index(['platformId', 'contextId'], { unique: true })
export class Roster extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  platformId: string;

  /** The launch's `context.id`. */
  @Column({ type: 'varchar', length: 255 })
  contextId: string;

  /** `context.title` as the memberships answer (or else the launch) named it. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  contextTitle: string | null;

  /** The deployment of the launch that last asked (service tokens may be scoped per deployment). */
  @Column({ type: 'varchar', length: 255 })
  deploymentId: string;

  /** The claim's `context_memberships_url` of the launch that last asked. */
  @Column({ type: 'varchar', length: 2000 })
  membershipsUrl: string;

  @Column({ type: 'varchar', length: 20 })
  state: RosterState;

  /** Why the last fetch failed, in words (null after a success). */
  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** When the members were last fetched successfully (null: never). */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  fetchedAtMs: number | null;

  /** When a fetch was last started, successful or not: the refresh window counts from here. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  triedAtMs: number;

  /** Members of the last successful fetch. */
  @Column({ type: 'integer', default: 0 })
  memberCount: number;

  /** Of those, the learners (members without an instructor-like role, `isPrivilegedRole`). */
  @Column({ type: 'integer', default: 0 })
  learnerCount: number;
}

/** One member of a roster (NRPS 2.0 §2.2): `userId` is the platform's `user_id`, the same value as a launch's `sub`. */
@Entity('roster_members')
@Index(['rosterId', 'userId'], { unique: true })
export class RosterMember extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  rosterId: string;

  @Column({ type: 'varchar', length: 255 })
  userId: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  givenName: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  familyName: string | null;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  /** Role URIs as the platform sent them. */
  @Column({ type: 'simple-json' })
  roles: string[];

  /** `Active` or `Inactive` (NRPS 2.0 §2.2: absent means Active). */
  @Column({ type: 'varchar', length: 20 })
  status: string;
}
