import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, LessThanOrEqual } from 'typeorm';
import { ResourceLink } from '../attempts/resource-link.entity';
import { GradeDelivery } from './grade-delivery.entity';

/**
 * Every database access of the grades module: the outbox rows, and the attempts, links and course
 * settings a grade is worked out from. Methods that take an EntityManager run in the caller's
 * transaction (the runtime commit's, for the outbox); without one they run on their own.
 */
@Injectable()
export class GradesRepository {
  constructor(private readonly db: DataSource) {}

  /** Ids of rows the worker may claim now: due pending/retry rows and `sending` rows whose lock expired, most overdue first. */
  async listDeliveriesDue(now: number, limit: number): Promise<string[]> {
    const due = await this.db.getRepository(GradeDelivery).find({
      select: ['id'],
      where: [
        { state: In(['pending', 'retry']), nextAttemptAt: LessThanOrEqual(now) },
        { state: 'sending', lockedUntil: LessThanOrEqual(now) },
      ],
      order: { nextAttemptAt: 'ASC' },
      take: limit,
    });
    return due.map((d) => d.id);
  }

  /** When the worker next has something to do: the earliest queued row's next try or `sending` row's lock expiry (null: nothing queued). */
  async nextDeliveryDueAt(): Promise<number | null> {
    const deliveries = this.db.getRepository(GradeDelivery);
    const [queued, locked] = await Promise.all([
      deliveries.findOne({ select: ['id', 'nextAttemptAt'], where: { state: In(['pending', 'retry']) }, order: { nextAttemptAt: 'ASC' } }),
      deliveries.findOne({ select: ['id', 'lockedUntil'], where: { state: 'sending' }, order: { lockedUntil: 'ASC' } }),
    ]);
    const times = [queued?.nextAttemptAt, locked?.lockedUntil].filter((t): t is number => t !== null && t !== undefined);
    return times.length ? Math.min(...times) : null;
  }

  /**
   * Claims one row by a conditional UPDATE, the affected-row count deciding (no row locks needed):
   * a due pending/retry row, else a `sending` row whose lock expired. Answers the claimed row.
   */
  async claimDelivery(id: string, now: number, lockedUntil: number, claimToken: string): Promise<GradeDelivery | null> {
    const deliveries = this.db.getRepository(GradeDelivery);
    const patch = { state: 'sending' as const, lockedUntil, claimToken };
    let res = await deliveries.update({ id, state: In(['pending', 'retry']), nextAttemptAt: LessThanOrEqual(now) }, patch);
    if (!res.affected) {
      res = await deliveries.update({ id, state: 'sending', lockedUntil: LessThanOrEqual(now) }, patch);
    }
    if (!res.affected) {
      return null;
    }
    return deliveries.findOneBy({ id, claimToken });
  }

  /**
   * Changes a claimed row if the claim is still the row's claim (and, when given, the payload is still
   * `version`); false when it is not.
   */
  async updateClaimedDelivery(claim: { id: string; claimToken: string; version?: number }, patch: Partial<GradeDelivery>): Promise<boolean> {
    return !!(await this.db.getRepository(GradeDelivery).update(claim, patch)).affected;
  }

  findResourceLink(id: string, m: EntityManager = this.db.manager): Promise<ResourceLink | null> {
    return m.findOneBy(ResourceLink, { id });
  }

  /** Keeps the line item created for a resource link, so it is created once. */
  async setLineItemUrl(resourceLinkId: string, lineItemUrl: string): Promise<void> {
    await this.db.getRepository(ResourceLink).update({ id: resourceLinkId }, { lineItemUrl });
  }
}
