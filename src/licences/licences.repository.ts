import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import { Course } from '../courses/course.entity';
import { Customer } from '../customers/customer.entity';
import { EntitySql, PlainSql } from '../database/plain-sql';
import { Licence } from './licence.entity';
import type { LicenceTerms } from './licence-rules';
import { LicenceSeat } from './licence-seat.entity';

/** The columns of a licence the API writes. */
export type LicenceFields = Pick<Licence, 'customerId' | 'courseId' | 'seatLimit' | 'startsAtMs' | 'endsAtMs' | 'state' | 'notes'>;

/** A learner as a seat names them: an LMS user of one platform. */
export interface SeatHolder {
  platformId: string;
  sub: string;
}

/** Seats in use: per customer and course, and distinct learners per customer (what each licence counts). */
export interface SeatCounts {
  byCourse: Map<string, number>;
  learnersByCustomer: Map<string, number>;
}

export function courseSeatKey(customerId: string, courseId: string): string {
  return `${customerId}\n${courseId}`;
}

/**
 * Every database access of the licences module. The launch path's statements (a learner's seats,
 * the counts and the seat insert of a first launch) are plain SQL prepared at start-up (see
 * {@link PlainSql}); methods that take `m` run in the caller's transaction.
 */
@Injectable()
export class LicencesRepository {
  private readonly seats: EntitySql<LicenceSeat>;
  private readonly sql: Record<'learnerSeats' | 'courseSeats' | 'customerLearners' | 'insertSeat' | 'lock', string>;

  constructor(
    private readonly db: DataSource,
    private readonly plain: PlainSql,
  ) {
    const s = (this.seats = plain.entity(LicenceSeat));
    const l = plain.entity(Licence);
    const statement = (name: string, text: string) => plain.statement(`LicencesRepository.${name}`, text);
    const holder = `${s.col('customerId')} = ? AND ${s.col('platformId')} = ? AND ${s.col('sub')} = ?`;
    this.sql = {
      learnerSeats: statement('learnerSeats', `SELECT ${s.col('courseId')} AS "courseId" FROM ${s.table} WHERE ${holder}`),
      courseSeats: statement('courseSeats', `SELECT COUNT(*) AS "n" FROM ${s.table} WHERE ${s.col('customerId')} = ? AND ${s.col('courseId')} = ?`),
      customerLearners: statement(
        'customerLearners',
        `SELECT COUNT(*) AS "n" FROM (SELECT DISTINCT ${s.col('platformId')}, ${s.col('sub')} FROM ${s.table} WHERE ${s.col('customerId')} = ?) AS "learners"`,
      ),
      insertSeat: statement(
        'insertSeat',
        `${s.insert(s.columns(['id', 'customerId', 'courseId', 'platformId', 'sub']))} ON CONFLICT (${(['customerId', 'courseId', 'platformId', 'sub'] as const).map((c) => s.col(c)).join(', ')}) DO NOTHING`,
      ),
      // Postgres: the customer's licence rows, locked in id order, serialize its first launches (SQLite
      // transactions are serialized by the connection lock already, see src/database/transactions.ts).
      lock: statement('lock', `SELECT ${l.col('id')} FROM ${l.table} WHERE ${l.col('customerId')} = ? ORDER BY ${l.col('id')}${plain.postgres ? ' FOR UPDATE' : ''}`),
    };
  }

  listLicences(filter: { customerId?: string; courseId?: string }): Promise<Licence[]> {
    const where = filter.courseId === undefined ? [{}] : [{ courseId: filter.courseId }, { courseId: IsNull() }];
    return this.db.getRepository(Licence).find({
      where: where.map((w) => ({ ...w, ...(filter.customerId === undefined ? {} : { customerId: filter.customerId }) })),
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** Every licence's terms, for the launch snapshot. */
  launchTerms(): Promise<LicenceTerms[]> {
    return this.db.getRepository(Licence).find({ select: { id: true, customerId: true, courseId: true, seatLimit: true, startsAtMs: true, endsAtMs: true, state: true } });
  }

  findLicence(id: string, m: EntityManager = this.db.manager): Promise<Licence | null> {
    return m.getRepository(Licence).findOne({ where: { id } });
  }

  async insertLicence(fields: LicenceFields, m: EntityManager): Promise<Licence> {
    const licence = m.getRepository(Licence).create(fields);
    await m.getRepository(Licence).insert(licence);
    return licence;
  }

  async saveLicence(licence: Licence, m: EntityManager): Promise<void> {
    await m.getRepository(Licence).save(licence);
  }

  async deleteLicence(id: string): Promise<boolean> {
    return !!(await this.db.getRepository(Licence).delete({ id })).affected;
  }

  async customerExists(id: string, m: EntityManager): Promise<boolean> {
    return (await m.getRepository(Customer).count({ where: { id } })) > 0;
  }

  async courseExists(id: string, m: EntityManager): Promise<boolean> {
    return (await m.getRepository(Course).count({ where: { id } })) > 0;
  }

  /** The title of the course when it is archived (src/courses: no new licence may name it), else null. */
  async archivedCourseTitle(id: string, m: EntityManager): Promise<string | null> {
    return (await m.getRepository(Course).findOne({ select: { id: true, title: true }, where: { id, archivedAt: Not(IsNull()) } }))?.title ?? null;
  }

  async customerNames(ids: string[]): Promise<Map<string, string>> {
    const rows = ids.length ? await this.db.getRepository(Customer).find({ select: { id: true, name: true }, where: { id: In(ids) } }) : [];
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async courseTitles(ids: string[]): Promise<Map<string, string>> {
    const rows = ids.length ? await this.db.getRepository(Course).find({ select: { id: true, title: true }, where: { id: In(ids) } }) : [];
    return new Map(rows.map((r) => [r.id, r.title]));
  }

  /** The seats in use of these customers (see {@link SeatCounts}). */
  async seatCounts(customerIds: string[]): Promise<SeatCounts> {
    const out: SeatCounts = { byCourse: new Map(), learnersByCustomer: new Map() };
    if (!customerIds.length) {
      return out;
    }
    const s = this.seats;
    const ids = customerIds.map(() => '?').join(', ');
    const byCourse = await this.plain.run(
      this.plain.placeholders(`SELECT ${s.col('customerId')} AS "customerId", ${s.col('courseId')} AS "courseId", COUNT(*) AS "n" FROM ${s.table} WHERE ${s.col('customerId')} IN (${ids}) GROUP BY ${s.col('customerId')}, ${s.col('courseId')}`),
      customerIds,
    );
    for (const r of byCourse.records) {
      out.byCourse.set(courseSeatKey(r.customerId as string, r.courseId as string), Number(r.n));
    }
    const learners = await this.plain.run(
      this.plain.placeholders(
        `SELECT "customerId", COUNT(*) AS "n" FROM (SELECT DISTINCT ${s.col('customerId')} AS "customerId", ${s.col('platformId')}, ${s.col('sub')} FROM ${s.table} WHERE ${s.col('customerId')} IN (${ids})) AS "learners" GROUP BY "customerId"`,
      ),
      customerIds,
    );
    for (const r of learners.records) {
      out.learnersByCustomer.set(r.customerId as string, Number(r.n));
    }
    return out;
  }

  /** The courses this learner holds a seat on at this customer (one query: the launch's only seat read). */
  async learnerSeats(customerId: string, learner: SeatHolder, m?: EntityManager): Promise<string[]> {
    const { records } = await this.plain.run(this.sql.learnerSeats, [customerId, learner.platformId, learner.sub], m);
    return records.map((r) => r.courseId as string);
  }

  /** Postgres: locks the customer's licence rows until the transaction ends (the seat claims' mutex). */
  async lockCustomer(customerId: string, m: EntityManager): Promise<void> {
    await this.plain.run(this.sql.lock, [customerId], m);
  }

  async countCourseSeats(customerId: string, courseId: string, m: EntityManager): Promise<number> {
    const [row] = (await this.plain.run(this.sql.courseSeats, [customerId, courseId], m)).records;
    return Number(row.n);
  }

  async countCustomerLearners(customerId: string, m: EntityManager): Promise<number> {
    const [row] = (await this.plain.run(this.sql.customerLearners, [customerId], m)).records;
    return Number(row.n);
  }

  /** Records a seat; one already held (a concurrent first launch of the same learner) is left as it is. */
  async insertSeat(customerId: string, courseId: string, learner: SeatHolder, m?: EntityManager): Promise<void> {
    const seat = Object.assign(new LicenceSeat(), { customerId, courseId, platformId: learner.platformId, sub: learner.sub });
    await this.plain.run(this.sql.insertSeat, this.seats.columns(['id', 'customerId', 'courseId', 'platformId', 'sub']).values(seat), m);
  }
}
