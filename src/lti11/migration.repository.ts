import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Transactions } from '../database/transactions';
import { Learner } from '../attempts/learner.entity';
import { ResourceLink } from '../attempts/resource-link.entity';
import { GradeDelivery } from '../grades/grade-delivery.entity';
import { LicenceSeat } from '../licences/licence-seat.entity';

/** An LMS user or link as one registration knows it. */
export interface LearnerKey {
  platformId: string;
  sub: string;
}
export interface LinkKey {
  platformId: string;
  deploymentId: string;
  resourceLinkId: string;
}

/**
 * The LTI 1.1 → 1.3 migration's writes (src/lti11/README.md): the learner and resource link that 1.1
 * launches created are re-keyed to the 1.3 registration, so their attempts, runtime data, seats and
 * grade deliveries (which hang on the rows' ids) follow. It touches the attempts', licences' and grades'
 * tables on purpose, in one transaction: the one place that moves records between registrations.
 */
@Injectable()
export class MigrationRepository {
  constructor(
    private readonly db: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /** True when a learner row exists for this key (the licence check then looks up that learner's seats). */
  async learnerExists(key: LearnerKey): Promise<boolean> {
    return (await this.db.getRepository(Learner).count({ where: key })) > 0;
  }

  /**
   * Moves the 1.1 learner and link to their 1.3 keys, each only when the 1.1 row exists and the 1.3 key
   * is still free (a 1.3 row made without the claim is left alone). Answers what moved.
   */
  adopt(customerId: string, from: { learner: LearnerKey; link: LinkKey }, to: { learner: LearnerKey; link: LinkKey }): Promise<{ learner: boolean; link: boolean }> {
    return this.transactions.run(async (m) => {
      const link = await this.move(m, ResourceLink, from.link, to.link);
      if (link) {
        await m.update(GradeDelivery, { resourceLinkId: link }, { platformId: to.link.platformId });
      }
      const learner = await this.move(m, Learner, from.learner, to.learner);
      if (learner) {
        await m.update(GradeDelivery, { learnerId: learner }, { userId: to.learner.sub });
        await m.update(LicenceSeat, { customerId, ...from.learner }, to.learner);
      }
      return { learner: learner !== null, link: link !== null };
    });
  }

  /** Re-keys the row found by `from` to `to` unless a row has `to` already; answers the moved row's id. */
  private async move<T extends Learner | ResourceLink>(m: EntityManager, entity: new () => T, from: object, to: object): Promise<string | null> {
    const repo = m.getRepository(entity);
    const row = await repo.findOne({ where: from, select: { id: true } as never });
    if (!row || (await repo.count({ where: to as never })) > 0) {
      return null;
    }
    await repo.update({ id: row.id } as never, to);
    return row.id;
  }
}
