import { HttpStatus } from '@nestjs/common';
import type { LtiErrorCode } from '../../common/error-codes';
import type { LicenceRefusal } from '../../licences/licence-rules';
import { LtiError } from '../protocol/lti-error';

/** A licence date as a person reads it, in UTC (the tool knows no learner's time zone): "1 March 2027, 09:00 UTC". */
export function licenceDate(ms: number): string {
  const d = new Date(ms);
  const day = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' });
  return `${day}, ${time} UTC`;
}

const TELL = 'Please let your teacher or training contact know.';
const KEPT = 'Their progress and grades are kept.';

/**
 * The readable refusals of issue 9's licence rules, worded like the customer refusals: a learner is
 * told what happened in their terms and that nothing of theirs is lost; an instructor which licence
 * term is the cause and whom to ask. Thrown before anything is written (no learner, link, attempt or seat).
 */
export function licenceRefused(refusal: LicenceRefusal, instructor: boolean): LtiError {
  const refuse = (code: LtiErrorCode, forInstructor: string, forLearner: string) => new LtiError(code, instructor ? forInstructor : forLearner, HttpStatus.FORBIDDEN);
  switch (refusal.reason) {
    case 'none':
      return refuse(
        'lti_licence_missing',
        'Your organisation has no licence for this course on the course provider’s tool, so learners cannot open it. Ask the course provider to license it, or remove this link from your course.',
        `This course is not part of your organisation’s licence with the course provider, so it cannot be opened here. ${TELL}`,
      );
    case 'not_started':
      return refuse(
        'lti_licence_not_started',
        `Your organisation’s licence for this course starts on ${licenceDate(refusal.startsAtMs)}; until then learners see a notice and cannot open it. Ask the course provider if it should start earlier.`,
        `This course opens on ${licenceDate(refusal.startsAtMs)}, when your organisation’s access starts. Please come back then.`,
      );
    case 'expired':
      return refuse(
        'lti_licence_expired',
        `Your organisation’s licence for this course ended on ${licenceDate(refusal.endedAtMs)}, so learners cannot open it. ${KEPT} Ask the course provider to renew it.`,
        `This course is no longer available here: your organisation’s access ended on ${licenceDate(refusal.endedAtMs)}. Your progress is kept. ${TELL}`,
      );
    case 'suspended':
      return refuse(
        'lti_licence_suspended',
        `The course provider has suspended your organisation’s licence for this course, so learners cannot open it. ${KEPT} Ask the course provider to reactivate it.`,
        `This course is not available right now: the course provider has paused your organisation’s access to it. Your progress is kept. ${TELL}`,
      );
    case 'revoked':
      return refuse(
        'lti_licence_revoked',
        `The course provider has revoked your organisation’s licence for this course, so learners cannot open it. ${KEPT} Ask the course provider if it should be restored.`,
        `This course is no longer available here: the course provider has withdrawn your organisation’s access to it. Your progress is kept. ${TELL}`,
      );
    case 'seats_full':
      return refuse(
        'lti_licence_seats_full',
        'Every seat of your organisation’s licence for this course is taken, so no one new can open it (whoever has opened it before keeps their access, and each person who opens it, instructors included, takes a seat). Ask the course provider for more seats.',
        `This course has no free place for you: every place your organisation has for it is taken. ${TELL}`,
      );
  }
}
