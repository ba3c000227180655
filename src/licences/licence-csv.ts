import { toCsv } from '../common/csv';
import type { LicenceDto } from './licences.service';

/**
 * `GET /api/licences?format=csv` (a customer's licences from its report): one row per licence as the
 * JSON answer has it. An every-course licence has no course id and reads "(every course)"; an empty
 * seat limit is no limit; `ends_at` is exclusive (the midnight after the last day), as in the API.
 */
export function licencesCsv(rows: LicenceDto[]): string {
  return toCsv(
    ['licence_id', 'customer_id', 'customer', 'course_id', 'course', 'seat_limit', 'seats_used', 'starts_at', 'ends_at', 'state', 'status', 'warnings', 'notes', 'created_at'],
    rows.map((l) => [
      l.id,
      l.customerId,
      l.customerName,
      l.courseId,
      l.courseId === null ? '(every course)' : l.courseTitle,
      l.seatLimit,
      l.seatsUsed,
      l.startsAt,
      l.endsAt,
      l.state,
      l.status,
      l.warnings.join(' '),
      l.notes,
      l.createdAt,
    ]),
  );
}
