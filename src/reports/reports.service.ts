import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { LicencesService } from '../licences/licences.service';
import type { LicenceDto } from '../licences/licences.service';
import { attemptResult, courseItems } from '../scorm/result-rules';
import type { CourseItems } from '../scorm/result-rules';
import { FigureTally, GroupedTally } from './report-figures';
import type { AttemptOutcome, ReportFigures } from './report-figures';
import { ReportScope, ReportStateRow, ReportsRepository } from './reports.repository';
import { isPrivilegedRole } from '../lti/protocol/claims';

/** One customer's line in the customers overview. */
export interface CustomerUsageDto extends ReportFigures {
  customerId: string;
  name: string;
  state: string;
  /** Courses with at least one counted attempt of this customer's learners. */
  courses: number;
  /** The customer's licences (any state). */
  licences: number;
  /** The customer's licences that need a look: seats at 80 % or more, full, or ending within 30 days. */
  licenceWarnings: number;
}

/** One course's line in a customer's report. */
export interface CustomerCourseDto extends ReportFigures {
  courseId: string;
  title: string;
}

/** `GET /api/customers/:id/report`. */
export interface CustomerReportDto {
  customerId: string;
  name: string;
  state: string;
  totals: ReportFigures;
  /** The customer's licences with their seats used and limit, status and warnings (as `GET /api/licences`). */
  licences: LicenceDto[];
  /** A line per course its learners used or it holds a licence of its own for (by title). */
  courses: CustomerCourseDto[];
}

/** One course's line in the courses report. */
export interface CourseUsageDto extends ReportFigures {
  courseId: string;
  title: string;
  /** Customers with at least one counted attempt on the course (an LMS that belongs to no customer is not one). */
  customers: number;
}

/** One customer's line in a course's report; `customerId` null gathers the LMSs that belong to no customer. */
export interface CourseCustomerDto extends ReportFigures {
  customerId: string | null;
  name: string | null;
}

/** `GET /api/reports/courses/:id`. */
export interface CourseReportDto {
  courseId: string;
  title: string;
  totals: CourseUsageDto;
  customers: CourseCustomerDto[];
}

/** What a report tallies: its totals, and a line per course or per customer. */
interface Usage {
  totals: FigureTally;
  lines: GroupedTally<string | null>;
  /** Per line with attempts, the other key's values seen on it (the courses a customer used; the customers using a course, null left out). */
  spread: Map<string | null, Set<string>>;
}

/** What a report groups its lines by. */
type LineKey = 'courseId' | 'customerId';

/** A version whose manifest is gone (never expected): `attemptResult` falls back to the states themselves. */
const NO_ITEMS: CourseItems = { scormVersion: '2004', items: [] };

/**
 * Usage per customer and per course (docs/rest-api.md "Reports"): the counted attempts of a scope,
 * read a page at a time, each rolled up to its course result by the SCORM result rules and folded into
 * the tallies by customer or course, so a report holds one page of attempts at a time whatever its size.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly licences: LicencesService,
  ) {}

  async customersOverview(): Promise<CustomerUsageDto[]> {
    const [customers, usage, licences] = await Promise.all([this.repo.listCustomers(), this.usage({}, 'customerId'), this.licences.list({})]);
    return customers.map((c) => {
      const own = licences.filter((l) => l.customerId === c.id);
      return {
        customerId: c.id,
        name: c.name,
        state: c.state,
        courses: usage.spread.get(c.id)?.size ?? 0,
        licences: own.length,
        licenceWarnings: own.filter((l) => l.warnings.length > 0).length,
        ...usage.lines.figures(c.id),
      };
    });
  }

  async customerReport(customerId: string): Promise<CustomerReportDto> {
    const customer = await this.repo.findCustomer(customerId);
    if (!customer) {
      throw new NotFoundError('customer', customerId);
    }
    const [courses, usage, licences] = await Promise.all([this.repo.listCourses(), this.usage({ customerId }, 'courseId'), this.licences.list({ customerId })]);
    const licensed = new Set(licences.map((l) => l.courseId));
    return {
      customerId: customer.id,
      name: customer.name,
      state: customer.state,
      totals: usage.totals.figures(),
      // by course title, the every-course licences first (the list's own order, oldest first, ties within a second)
      licences: [...licences].sort((x, y) => (x.courseTitle ?? '').localeCompare(y.courseTitle ?? '') || x.createdAt.localeCompare(y.createdAt)),
      courses: courses.filter((c) => usage.lines.groups.has(c.id) || licensed.has(c.id)).map((c) => ({ courseId: c.id, title: c.title, ...usage.lines.figures(c.id) })),
    };
  }

  async coursesOverview(): Promise<CourseUsageDto[]> {
    const [courses, usage] = await Promise.all([this.repo.listCourses(), this.usage({}, 'courseId')]);
    return courses.map((c) => ({ courseId: c.id, title: c.title, customers: usage.spread.get(c.id)?.size ?? 0, ...usage.lines.figures(c.id) }));
  }

  async courseReport(courseId: string): Promise<CourseReportDto> {
    const course = await this.repo.findCourse(courseId);
    if (!course) {
      throw new NotFoundError('course', courseId);
    }
    const [customers, usage] = await Promise.all([this.repo.listCustomers(), this.usage({ courseId }, 'customerId')]);
    const lines: CourseCustomerDto[] = customers.filter((c) => usage.lines.groups.has(c.id)).map((c) => ({ customerId: c.id, name: c.name, ...usage.lines.figures(c.id) }));
    if (usage.lines.groups.has(null)) {
      lines.push({ customerId: null, name: null, ...usage.lines.figures(null) });
    }
    const using = [...usage.spread.keys()].filter((id) => id !== null).length;
    return {
      courseId: course.id,
      title: course.title,
      totals: { courseId: course.id, title: course.title, customers: using, ...usage.totals.figures() },
      customers: lines,
    };
  }

  /**
   * The tallies of a scope: its counted attempts a page at a time, each rolled up to its course result
   * (`attemptResult`) and added to the totals and to its line (by `by`); then the roster learners of
   * the contexts its courses are placed in. Memory: one page of attempts, the versions' items, a tally
   * per line.
   */
  private async usage(scope: ReportScope, by: LineKey): Promise<Usage> {
    const other: LineKey = by === 'courseId' ? 'customerId' : 'courseId';
    const usage: Usage = { totals: new FigureTally(), lines: new GroupedTally(), spread: new Map() };
    const items = new Map<string, CourseItems>();
    for await (const page of this.repo.attemptPages(scope)) {
      const unseen = [...new Set(page.attempts.map((a) => a.courseVersionId))].filter((id) => !items.has(id));
      for (const [id, manifest] of await this.repo.listVersionManifests(unseen)) {
        items.set(id, courseItems(manifest));
      }
      const states = new Map<string, ReportStateRow[]>();
      for (const s of page.states) {
        states.set(s.attemptId, [...(states.get(s.attemptId) ?? []), s]);
      }
      for (const row of page.attempts) {
        const own = states.get(row.id) ?? [];
        const outcome: AttemptOutcome = {
          learnerId: row.learnerId,
          result: attemptResult(items.get(row.courseVersionId) ?? NO_ITEMS, own, row),
          lastActivityAt: Math.max(row.lastActivityAt, ...own.map((s) => s.changedAt)),
        };
        usage.totals.add(outcome);
        usage.lines.add(row[by], outcome);
        const seen = row[other];
        if (seen !== null) {
          usage.spread.set(row[by], (usage.spread.get(row[by]) ?? new Set()).add(seen));
        }
      }
    }
    // "enrolled, not started": known on a line once a roster is; counted for each active learner of it (no instructor-like role: `isPrivilegedRole`) without an attempt
    for (const r of await this.repo.listRostered(scope)) {
      usage.totals.enrol(0);
      usage.lines.enrol(r[by], 0);
    }
    for (const m of await this.repo.listUnstarted(scope)) {
      if (m.status !== 'Inactive' && !isPrivilegedRole(m.roles)) {
        usage.totals.enrol(m.members);
        usage.lines.enrol(m[by], m.members);
      }
    }
    return usage;
  }
}
