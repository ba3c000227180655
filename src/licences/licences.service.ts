import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { AppError, NotFoundError } from '../common/errors';
import { Transactions } from '../database/transactions';
import { LicenceAccessService } from './licence-access.service';
import { CreateLicenceBody, LicenceQuery, UpdateLicenceBody } from './licence.dto';
import { Licence, LicenceState } from './licence.entity';
import { licenceStatus, LicenceStatus, LicenceWarning, licenceWarnings } from './licence-rules';
import { courseSeatKey, LicencesRepository, SeatCounts } from './licences.repository';

export interface LicenceDto {
  id: string;
  customerId: string;
  customerName: string;
  /** null: every course. */
  courseId: string | null;
  courseTitle: string | null;
  /** null: no limit. */
  seatLimit: number | null;
  /** Seats this licence counts (see src/licences/README.md). */
  seatsUsed: number;
  startsAt: string | null;
  endsAt: string | null;
  state: LicenceState;
  status: LicenceStatus;
  warnings: LicenceWarning[];
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

/** `/api/licences`: which customer may use which course, for how many learners and when (issue 9). */
@Injectable()
export class LicencesService {
  private readonly logger = new Logger(LicencesService.name);

  constructor(
    private readonly repo: LicencesRepository,
    private readonly access: LicenceAccessService,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
  ) {}

  async list(query: LicenceQuery): Promise<LicenceDto[]> {
    return this.toDtos(await this.repo.listLicences(query));
  }

  async get(id: string): Promise<LicenceDto> {
    const licence = await this.repo.findLicence(id);
    if (!licence) {
      throw new NotFoundError('licence', id);
    }
    return (await this.toDtos([licence]))[0];
  }

  async create(input: CreateLicenceBody): Promise<LicenceDto> {
    const licence = await this.transactions.run(async (m) => {
      if (!(await this.repo.customerExists(input.customerId, m))) {
        throw new AppError('customer_not_found', `No customer with id "${input.customerId}" exists; create it first (POST /api/customers).`, HttpStatus.UNPROCESSABLE_ENTITY);
      }
      const fields = {
        customerId: input.customerId,
        courseId: input.courseId ?? null,
        seatLimit: input.seatLimit ?? null,
        startsAtMs: toMs(input.startsAt),
        endsAtMs: toMs(input.endsAt),
        state: input.state ?? 'active',
        notes: input.notes ?? null,
      };
      await this.check(fields, m);
      const archived = fields.courseId === null ? null : await this.repo.archivedCourseTitle(fields.courseId, m);
      if (archived !== null) {
        throw courseArchived(fields.courseId as string, archived, 'A new licence cannot name it');
      }
      return this.repo.insertLicence(fields, m);
    });
    this.access.invalidate();
    this.logger.log(`licence ${licence.id} created: customer ${licence.customerId}, ${licence.courseId === null ? 'every course' : `course ${licence.courseId}`}, seats ${licence.seatLimit ?? 'unlimited'} (${licence.state})`);
    return this.get(licence.id);
  }

  /** Changes a licence; a limit below the seats in use is allowed and removes no seat (new learners wait for room). */
  async update(id: string, patch: UpdateLicenceBody): Promise<LicenceDto> {
    await this.transactions.run(async (m) => {
      const licence = await this.repo.findLicence(id, m);
      if (!licence) {
        throw new NotFoundError('licence', id);
      }
      const { startsAt, endsAt, ...rest } = patch;
      const courseBefore = licence.courseId;
      Object.assign(licence, rest);
      if (startsAt !== undefined) {
        licence.startsAtMs = toMs(startsAt);
      }
      if (endsAt !== undefined) {
        licence.endsAtMs = toMs(endsAt);
      }
      await this.check(licence, m);
      const archived = licence.courseId !== null && grantsMore(patch, licence.courseId !== courseBefore) ? await this.repo.archivedCourseTitle(licence.courseId, m) : null;
      if (archived !== null) {
        throw courseArchived(licence.courseId as string, archived, 'Its licences can be suspended, revoked, annotated or deleted, not moved to it, reactivated or extended');
      }
      await this.repo.saveLicence(licence, m);
    });
    this.access.invalidate();
    if (patch.state) {
      this.logger.log(`licence ${id} ${patch.state}`);
    }
    return this.get(id);
  }

  /** Deletes a licence; the seats its learners took stay (they belong to the customer and the course). */
  async remove(id: string): Promise<void> {
    if (!(await this.repo.deleteLicence(id))) {
      throw new NotFoundError('licence', id);
    }
    this.access.invalidate();
  }

  /** The rules a body cannot express alone: the course exists, and the end comes after the start. */
  private async check(l: Pick<Licence, 'courseId' | 'startsAtMs' | 'endsAtMs'>, m: EntityManager): Promise<void> {
    if (l.courseId !== null && !(await this.repo.courseExists(l.courseId, m))) {
      throw new AppError('course_not_found', `No course with id "${l.courseId}" exists; give a course's id, or null for every course.`, HttpStatus.UNPROCESSABLE_ENTITY);
    }
    if (l.startsAtMs !== null && l.endsAtMs !== null && l.endsAtMs <= l.startsAtMs) {
      throw new AppError(
        'licence_invalid',
        `endsAt (${new Date(l.endsAtMs).toISOString()}) must be after startsAt (${new Date(l.startsAtMs).toISOString()}).`,
        HttpStatus.BAD_REQUEST,
      );
    }
  }

  private async toDtos(licences: Licence[]): Promise<LicenceDto[]> {
    const customerIds = [...new Set(licences.map((l) => l.customerId))];
    const courseIds = [...new Set(licences.flatMap((l) => (l.courseId === null ? [] : [l.courseId])))];
    const [names, titles, counts] = await Promise.all([this.repo.customerNames(customerIds), this.repo.courseTitles(courseIds), this.repo.seatCounts(customerIds)]);
    const now = this.clock.now();
    return licences.map((l) => {
      const seatsUsed = seatsCounted(l, counts);
      return {
        id: l.id,
        customerId: l.customerId,
        customerName: names.get(l.customerId) ?? '',
        courseId: l.courseId,
        courseTitle: l.courseId === null ? null : (titles.get(l.courseId) ?? null),
        seatLimit: l.seatLimit,
        seatsUsed,
        startsAt: toIso(l.startsAtMs),
        endsAt: toIso(l.endsAtMs),
        state: l.state,
        status: licenceStatus(l, seatsUsed, now),
        warnings: licenceWarnings(l, seatsUsed, now),
        notes: l.notes,
        createdAt: l.createdAt.toISOString(),
        updatedAt: l.updatedAt.toISOString(),
      };
    });
  }
}

/** A course licence counts the seats on its course; an every-course licence the customer's distinct learners. */
function seatsCounted(l: Licence, counts: SeatCounts): number {
  return (l.courseId === null ? counts.learnersByCustomer.get(l.customerId) : counts.byCourse.get(courseSeatKey(l.customerId, l.courseId))) ?? 0;
}

function toMs(iso: string | null | undefined): number | null {
  return iso ? Date.parse(iso) : null;
}

function toIso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * Whether a licence change could give an archived course's customer more than it has: any change but
 * its notes or a state other than active (suspending and revoking stay possible), or moving it to
 * that course.
 */
function grantsMore(patch: UpdateLicenceBody, courseChanged: boolean): boolean {
  return courseChanged || Object.entries(patch).some(([field, value]) => value !== undefined && field !== 'notes' && !(field === 'state' && value !== 'active'));
}

function courseArchived(courseId: string, title: string, what: string): AppError {
  return new AppError('course_archived', `The course “${title}” is archived. ${what}; unarchive it first (POST /api/courses/${courseId}/unarchive).`, HttpStatus.UNPROCESSABLE_ENTITY, { courseId });
}
