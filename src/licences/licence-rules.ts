import type { Licence } from './licence.entity';

/** What the rules read of a licence (the launch snapshot holds only these). */
export type LicenceTerms = Pick<Licence, 'id' | 'customerId' | 'courseId' | 'seatLimit' | 'startsAtMs' | 'endsAtMs' | 'state'>;

/** A licence's standing now, in the API and the console; `usable` lets new learners in. */
export type LicenceStatus = 'usable' | 'not_started' | 'expired' | 'suspended' | 'revoked' | 'seats_full';

export type LicenceWarning = 'seats_high' | 'seats_full' | 'ending_soon';

/** Share of the seat limit from which a licence is flagged `seats_high`. */
export const SEATS_HIGH_SHARE = 0.8;
/** How long before its end a licence is flagged `ending_soon`. */
export const ENDING_SOON_MS = 30 * 24 * 3600 * 1000;

/** Why a learner may not open a course (or an instructor pick it), with the date a dated reason names. */
export type LicenceRefusal =
  | { reason: 'none' }
  | { reason: 'not_started'; startsAtMs: number }
  | { reason: 'expired'; endedAtMs: number }
  | { reason: 'suspended' }
  | { reason: 'revoked' }
  | { reason: 'seats_full' };

/** Active and within its dates: the licence lets learners in (seats permitting). */
export function inForce(l: LicenceTerms, now: number): boolean {
  return l.state === 'active' && (l.startsAtMs === null || l.startsAtMs <= now) && (l.endsAtMs === null || now < l.endsAtMs);
}

/** The owner's decision first (revoked, suspended), then the dates, then the seats. */
export function licenceStatus(l: LicenceTerms, seatsUsed: number, now: number): LicenceStatus {
  if (l.state === 'revoked' || l.state === 'suspended') {
    return l.state;
  }
  if (l.startsAtMs !== null && now < l.startsAtMs) {
    return 'not_started';
  }
  if (l.endsAtMs !== null && l.endsAtMs <= now) {
    return 'expired';
  }
  return l.seatLimit !== null && seatsUsed >= l.seatLimit ? 'seats_full' : 'usable';
}

/** `seats_high` from 80 % of the limit up to it, `seats_full` at or above it, `ending_soon` within 30 days of a future end. */
export function licenceWarnings(l: LicenceTerms, seatsUsed: number, now: number): LicenceWarning[] {
  const out: LicenceWarning[] = [];
  if (l.seatLimit !== null) {
    if (seatsUsed >= l.seatLimit) {
      out.push('seats_full');
    } else if (seatsUsed >= l.seatLimit * SEATS_HIGH_SHARE) {
      out.push('seats_high');
    }
  }
  if (l.endsAtMs !== null && now < l.endsAtMs && l.endsAtMs - now <= ENDING_SOON_MS) {
    out.push('ending_soon');
  }
  return out;
}

/** Does the licence name this course, or every course? */
export function covers(l: LicenceTerms, courseId: string): boolean {
  return l.courseId === null || l.courseId === courseId;
}

/**
 * Why none of the licences covering a course is in force (`covering` has none in force), or
 * `none` when there are none at all. When several fail, the one nearest to being usable speaks: a
 * licence still to start (the earliest start), then a suspended one (the provider can resume it),
 * then an expired one (the latest end), then a revoked one.
 */
export function refusalWithoutLicenceInForce(covering: LicenceTerms[], now: number): LicenceRefusal {
  const statuses = covering.map((l) => ({ l, status: licenceStatus(l, 0, now) }));
  const starting = statuses.filter((s) => s.status === 'not_started').map((s) => s.l.startsAtMs as number);
  if (starting.length) {
    return { reason: 'not_started', startsAtMs: Math.min(...starting) };
  }
  if (statuses.some((s) => s.status === 'suspended')) {
    return { reason: 'suspended' };
  }
  const ended = statuses.filter((s) => s.status === 'expired').map((s) => s.l.endsAtMs as number);
  if (ended.length) {
    return { reason: 'expired', endedAtMs: Math.max(...ended) };
  }
  return covering.length ? { reason: 'revoked' } : { reason: 'none' };
}
