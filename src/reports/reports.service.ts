import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { LicencesService } from '../licences/licences.service';
import type { LicenceDto } from '../licences/licences.service';
import { attemptResult, courseItems } from '../scorm/result-rules';
import type { CourseItems } from '../scorm/result-rules';
import { FigureTally, GroupedTally } from './report-figures';
import type { AttemptOutcome, ReportFigures } from './report-figures';
import { ReportAttemptRow, ReportEnrolmentRow, ReportScope, ReportStateRow, ReportsRepository } from './reports.repository';
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

/** A counted attempt with its course result. */
interface Counted {
  row: ReportAttemptRow;
  outcome: AttemptOutcome;
}

/** A roster learner of a context where a course is placed (or a roster with none: `notStarted` false). */
interface Enrolment {
  courseId: string;
  customerId: string | null;
  notStarted: boolean;
}

/**
 * Usage per customer and per course (docs/rest-api.md "Reports"): the counted attempts of a scope,
 * each rolled up to its course result by the SCORM result rules, tallied by customer or course.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly licences: LicencesService,
  ) {}

  async customersOverview(): Promise<CustomerUsageDto[]> {
    const [customers, { counted, enrolments }, licences] = await Promise.all([this.repo.listCustomers(), this.count({}), this.licences.list({})]);
    const byCustomer = new GroupedTally<string | null>();
    const courses = new Map<string | null, Set<string>>();
    for (const c of counted) {
      byCustomer.add(c.row.customerId, c.outcome);
      courses.set(c.row.customerId, (courses.get(c.row.customerId) ?? new Set()).add(c.row.courseId));
    }
    for (const e of enrolments) {
      byCustomer.enrol(e.customerId, e.notStarted);
    }
    return customers.map((c) => {
      const own = licences.filter((l) => l.customerId === c.id);
      return {
        customerId: c.id,
        name: c.name,
        state: c.state,
        courses: courses.get(c.id)?.size ?? 0,
        licences: own.length,
        licenceWarnings: own.filter((l) => l.warnings.length > 0).length,
        ...byCustomer.figures(c.id),
      };
    });
  }

  async customerReport(customerId: string): Promise<CustomerReportDto> {
    const customer = await this.repo.findCustomer(customerId);
    if (!customer) {
      throw new NotFoundError('customer', customerId);
    }
    const [courses, { counted, enrolments }, licences] = await Promise.all([this.repo.listCourses(), this.count({ customerId }), this.licences.list({ customerId })]);
    const licensed = new Set(licences.map((l) => l.courseId));
    const totals = new FigureTally();
    const byCourse = new GroupedTally<string>();
    for (const c of counted) {
      totals.add(c.outcome);
      byCourse.add(c.row.courseId, c.outcome);
    }
    for (const e of enrolments) {
      totals.enrol(e.notStarted);
      byCourse.enrol(e.courseId, e.notStarted);
    }
    return {
      customerId: customer.id,
      name: customer.name,
      state: customer.state,
      totals: totals.figures(),
      // by course title, the every-course licences first (the list's own order, oldest first, ties within a second)
      licences: [...licences].sort((x, y) => (x.courseTitle ?? '').localeCompare(y.courseTitle ?? '') || x.createdAt.localeCompare(y.createdAt)),
      courses: courses.filter((c) => byCourse.groups.has(c.id) || licensed.has(c.id)).map((c) => ({ courseId: c.id, title: c.title, ...byCourse.figures(c.id) })),
    };
  }

  async coursesOverview(): Promise<CourseUsageDto[]> {
    const [courses, { counted, enrolments }] = await Promise.all([this.repo.listCourses(), this.count({})]);
    const byCourse = new GroupedTally<string>();
    const customers = new Map<string, Set<string>>();
    for (const c of counted) {
      byCourse.add(c.row.courseId, c.outcome);
      if (c.row.customerId !== null) {
        customers.set(c.row.courseId, (customers.get(c.row.courseId) ?? new Set()).add(c.row.customerId));
      }
    }
    for (const e of enrolments) {
      byCourse.enrol(e.courseId, e.notStarted);
    }
    return courses.map((c) => ({ courseId: c.id, title: c.title, customers: customers.get(c.id)?.size ?? 0, ...byCourse.figures(c.id) }));
  }

  async courseReport(courseId: string): Promise<CourseReportDto> {
    const course = await this.repo.findCourse(courseId);
    if (!course) {
      throw new NotFoundError('course', courseId);
    }
    const [customers, { counted, enrolments }] = await Promise.all([this.repo.listCustomers(), this.count({ courseId })]);
    const totals = new FigureTally();
    const byCustomer = new GroupedTally<string | null>();
    for (const c of counted) {
      totals.add(c.outcome);
      byCustomer.add(c.row.customerId, c.outcome);
    }
    for (const e of enrolments) {
      totals.enrol(e.notStarted);
      byCustomer.enrol(e.customerId, e.notStarted);
    }
    const using = new Set(counted.map((c) => c.row.customerId).filter((id) => id !== null));
    const lines: CourseCustomerDto[] = customers.filter((c) => byCustomer.groups.has(c.id)).map((c) => ({ customerId: c.id, name: c.name, ...byCustomer.figures(c.id) }));
    if (byCustomer.groups.has(null)) {
      lines.push({ customerId: null, name: null, ...byCustomer.figures(null) });
    }
    return {
      courseId: course.id,
      title: course.title,
      totals: { courseId: course.id, title: course.title, customers: using.size, ...totals.figures() },
      customers: lines,
    };
  }

  /**
   * The counted attempts of a scope with their course results, and the roster learners of the
   * contexts its courses are placed in: four statements, whatever the number of attempts.
   */
  private async count(scope: ReportScope): Promise<{ counted: Counted[]; enrolments: Enrolment[] }> {
    const [rows, states, members] = await Promise.all([this.repo.listAttempts(scope), this.repo.listStates(scope), this.repo.listEnrolments(scope)]);
    const manifests = await this.repo.listVersionManifests([...new Set(rows.map((r) => r.courseVersionId))]);
    const items = new Map<string, CourseItems>();
    for (const [id, manifest] of manifests) {
      items.set(id, courseItems(manifest));
    }
    const statesByAttempt = new Map<string, ReportStateRow[]>();
    for (const s of states) {
      const list = statesByAttempt.get(s.attemptId);
      if (list) {
        list.push(s);
      } else {
        statesByAttempt.set(s.attemptId, [s]);
      }
    }
    const none: CourseItems = { scormVersion: '2004', items: [] };
    const counted = rows.map((row) => ({
      row,
      outcome: {
        learnerId: row.learnerId,
        result: attemptResult(items.get(row.courseVersionId) ?? none, statesByAttempt.get(row.id) ?? [], row),
        lastActivityAt: row.lastActivityAt,
      },
    }));
    return { counted, enrolments: notStarted(rows, members) };
  }
}

/**
 * The roster rows as enrolments, one per (course, LMS, user): a learner (active, no instructor-like
 * role: `isPrivilegedRole`) with no counted attempt on the course from that LMS has not started.
 */
function notStarted(attempts: ReportAttemptRow[], members: ReportEnrolmentRow[]): Enrolment[] {
  const key = (courseId: string, platformId: string, user: string) => `${courseId}\n${platformId}\n${user}`;
  const started = new Set(attempts.map((a) => key(a.courseId, a.platformId, a.sub)));
  const seen = new Set<string>();
  const out: Enrolment[] = [];
  for (const m of members) {
    if (m.userId === null) {
      out.push({ courseId: m.courseId, customerId: m.customerId, notStarted: false });
      continue;
    }
    const k = key(m.courseId, m.platformId, m.userId);
    if (seen.has(k)) {
      continue;
    }
    seen.add(k);
    const learner = m.status !== 'Inactive' && !isPrivilegedRole(m.roles);
    out.push({ courseId: m.courseId, customerId: m.customerId, notStarted: learner && !started.has(k) });
  }
  return out;
}
