import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import { bigintNumber } from '../database/bigint';

/**
 * An LTI resource link (a placement of a course in an LMS course), with the latest AGS and NRPS
 * claims sent on a launch from it (src/grades/README.md): the grade outbox posts scores to its line item.
 */
@Entity('resource_links')
@Index(['platformId', 'deploymentId', 'resourceLinkId'], { unique: true })
@Index('IDX_resource_links_platform_context', ['platformId', 'contextId'])
export class ResourceLink extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  platformId: string;

  @Column({ type: 'varchar', length: 255 })
  deploymentId: string;

  /** The platform's `resource_link.id`. */
  @Column({ type: 'varchar', length: 255 })
  resourceLinkId: string;

  @Index()
  @Column({ type: 'varchar', length: 36 })
  courseId: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  title: string | null;

  /** AGS claim `lineitem` (may carry a query string, e.g. Moodle's `?type_id=`). */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  agsLineItemUrl: string | null;

  /** AGS claim `lineitems`. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  agsLineItemsUrl: string | null;

  /** AGS claim `scope` (granted scopes); empty when no AGS claim was sent. */
  @Column({ type: 'simple-json', nullable: true })
  agsScopes: string[] | null;

  /** A line item the tool created itself when only `lineitems` was sent (filled by grades/). */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  lineItemUrl: string | null;

  /**
   * While one instance finds or creates that line item: its claim and when the claim lapses (epoch ms),
   * so two instances never create two (src/grades/README.md).
   */
  @Column({ type: 'varchar', length: 36, nullable: true })
  lineItemClaimToken: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  lineItemClaimUntil: number | null;

  /** NRPS claim `context_memberships_url`, if sent. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  nrpsMembershipsUrl: string | null;

  /** The LMS context (course) of the link: the launch's `context.id`, if sent (its roster: src/roster). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  contextId: string | null;
}
