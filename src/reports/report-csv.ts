import { toCsv } from '../common/csv';
import { FIGURE_COLUMNS, figureCells } from './report-figures';
import type { CourseReportDto, CourseUsageDto, CustomerReportDto, CustomerUsageDto } from './reports.service';

/** The CSV form of each report: one row per line of the JSON answer, the figures' columns last. */

export function customersCsv(rows: CustomerUsageDto[]): string {
  return toCsv(
    ['customer_id', 'customer', 'state', 'courses', 'licences', 'licence_warnings', ...FIGURE_COLUMNS],
    rows.map((r) => [r.customerId, r.name, r.state, r.courses, r.licences, r.licenceWarnings, ...figureCells(r)]),
  );
}

export function customerReportCsv(r: CustomerReportDto): string {
  return toCsv(
    ['customer', 'course_id', 'course', ...FIGURE_COLUMNS],
    r.courses.map((c) => [r.name, c.courseId, c.title, ...figureCells(c)]),
  );
}

export function coursesCsv(rows: CourseUsageDto[]): string {
  return toCsv(
    ['course_id', 'course', 'customers', ...FIGURE_COLUMNS],
    rows.map((r) => [r.courseId, r.title, r.customers, ...figureCells(r)]),
  );
}

export function courseReportCsv(r: CourseReportDto): string {
  return toCsv(
    ['course', 'customer_id', 'customer', ...FIGURE_COLUMNS],
    r.customers.map((c) => [r.title, c.customerId, c.name ?? '(no customer)', ...figureCells(c)]),
  );
}
