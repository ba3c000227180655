import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { RefreshingSnapshot } from '../common/refreshing-snapshot';
import { ChangeNotices } from '../database/change-notices';
import { Transactions } from '../database/transactions';
import { covers, inForce, LicenceRefusal, LicenceTerms, refusalWithoutLicenceInForce } from './licence-rules';
import { LicencesRepository, SeatHolder } from './licences.repository';
import type { EntityManager } from 'typeorm';

/** Like the customers' snapshot: every launch reads it, writes through any instance drop it at once. */
const SNAPSHOT_MS = 5000;

/** The courses a customer may use now: every course, or these. */
export interface UsableCourses {
  every: boolean;
  courseIds: Set<string>;
}

/**
 * The licence rules at launch and in Deep Linking (issue 9; the rules are in `licence-rules.ts`, the
 * seat counting in the README). The licences' terms are kept in memory (one query at most every 5 s,
 * or after a change through the API), so a launch reads the database only for the learner's seats:
 * one query for a returning learner, a short transaction for a first launch.
 */
@Injectable()
export class LicenceAccessService {
  private readonly snapshot = new RefreshingSnapshot<Map<string, LicenceTerms[]>>(async () => {
    const byCustomer = new Map<string, LicenceTerms[]>();
    for (const l of await this.repo.launchTerms()) {
      byCustomer.set(l.customerId, [...(byCustomer.get(l.customerId) ?? []), l]);
    }
    return byCustomer;
  }, SNAPSHOT_MS);

  constructor(
    private readonly repo: LicencesRepository,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly changes: ChangeNotices,
  ) {
    changes.on('licences', () => this.snapshot.invalidate());
  }

  /** Called after every licence write: drops the terms here and on every other instance. */
  invalidate(): void {
    this.changes.publish('licences');
  }

  /**
   * May this LMS user of the customer open the course? Null when yes, with their seat recorded (taken
   * now at their first launch of the course); else why not. A learner holding a seat on the course
   * is let in while any licence covering it is in force, even a full one; a new learner needs a
   * licence in force with a free seat (an unlimited one always has one). On a first launch the
   * count and the new seat are one transaction that holds the customer's licence rows (Postgres) or
   * the connection (SQLite): of N+k concurrent first launches on a limit of N, exactly N get a seat.
   */
  async admit(customerId: string, courseId: string, learner: SeatHolder): Promise<LicenceRefusal | null> {
    const now = this.clock.now();
    const covering = await this.covering(customerId, courseId);
    const open = covering.filter((l) => inForce(l, now));
    if (!open.length) {
      return refusalWithoutLicenceInForce(covering, now);
    }
    if ((await this.repo.learnerSeats(customerId, learner)).includes(courseId)) {
      return null;
    }
    if (open.some((l) => l.seatLimit === null)) {
      await this.repo.insertSeat(customerId, courseId, learner);
      return null;
    }
    return this.transactions.run(async (m) => {
      await this.repo.lockCustomer(customerId, m);
      const held = await this.repo.learnerSeats(customerId, learner, m);
      if (held.includes(courseId) || (await this.hasFreeSeat(open, customerId, courseId, held.length > 0, m))) {
        await this.repo.insertSeat(customerId, courseId, learner, m);
        return null;
      }
      return { reason: 'seats_full' } as const;
    });
  }

  /**
   * Why an instructor may not add the course in Deep Linking, or null: a licence covering it is in
   * force (seats are not checked: a full licence still lets its seat holders in).
   */
  async pickRefusal(customerId: string, courseId: string): Promise<LicenceRefusal | null> {
    const now = this.clock.now();
    const covering = await this.covering(customerId, courseId);
    return covering.some((l) => inForce(l, now)) ? null : refusalWithoutLicenceInForce(covering, now);
  }

  /** The courses the Deep Linking picker offers the customer: those a licence in force covers. */
  async usableCourses(customerId: string): Promise<UsableCourses> {
    const now = this.clock.now();
    const open = ((await this.snapshot.get()).get(customerId) ?? []).filter((l) => inForce(l, now));
    return { every: open.some((l) => l.courseId === null), courseIds: new Set(open.flatMap((l) => (l.courseId === null ? [] : [l.courseId]))) };
  }

  private async covering(customerId: string, courseId: string): Promise<LicenceTerms[]> {
    return ((await this.snapshot.get()).get(customerId) ?? []).filter((l) => covers(l, courseId));
  }

  /**
   * A course licence counts the seats on its course; an every-course licence counts the customer's
   * distinct learners, among whom a learner holding a seat on another course already is.
   */
  private async hasFreeSeat(open: LicenceTerms[], customerId: string, courseId: string, countedByCustomer: boolean, m: EntityManager): Promise<boolean> {
    let courseSeats: number | undefined;
    let learners: number | undefined;
    for (const l of open) {
      const limit = l.seatLimit as number;
      if (l.courseId !== null) {
        courseSeats ??= await this.repo.countCourseSeats(customerId, courseId, m);
        if (courseSeats < limit) {
          return true;
        }
      } else {
        if (countedByCustomer) {
          return true;
        }
        learners ??= await this.repo.countCustomerLearners(customerId, m);
        if (learners < limit) {
          return true;
        }
      }
    }
    return false;
  }
}
