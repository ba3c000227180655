import { HttpStatus } from '@nestjs/common';
import type { LaunchRefusal } from '../../customers/customers.service';
import type { LinkStatus } from '../../customers/registration-links.service';
import { LtiError } from '../protocol/lti-error';

/**
 * The readable refusals of issue 9's customer rules, worded for who sees them: a learner is told
 * what to do and that nothing of theirs is lost; an instructor (or LMS admin) is told which setting
 * on the tool is the cause. Nothing is written before these are thrown.
 */
export function launchRefused(refusal: NonNullable<LaunchRefusal>, platformName: string, instructor: boolean): LtiError {
  if (refusal.reason === 'customer_suspended') {
    return new LtiError(
      'lti_customer_suspended',
      instructor
        ? `Launches from this LMS are paused: the course provider has suspended the customer "${refusal.customerName}" it belongs to. Learners see a notice; their progress and grades are kept. Ask the course provider to reactivate it.`
        : 'This course is not available right now: your organisation’s access has been paused by the course provider. Your progress is kept. Please let your teacher or training contact know.',
      HttpStatus.FORBIDDEN,
    );
  }
  return new LtiError(
    'lti_platform_unassigned',
    instructor
      ? `This LMS registration ("${platformName}") is not assigned to a customer on the course provider’s tool, so it launches nothing. Ask the course provider to assign it to your organisation.`
      : 'This course cannot be opened from here yet: this LMS is not linked to an organisation on the course provider’s tool. Please let your teacher or training contact know.',
    HttpStatus.FORBIDDEN,
  );
}

/** A customer's registration link that registers nothing, and why (the LMS is not contacted, or its answer is not stored). */
export function registrationLinkRefused(status: Exclude<LinkStatus, 'usable'> | 'unknown'): LtiError {
  switch (status) {
    case 'unknown':
      return new LtiError('lti_registration_link_unknown', 'This registration link is not valid (perhaps mistyped or cut short). Nothing was registered; ask the course provider for a new link.', HttpStatus.NOT_FOUND);
    case 'used':
      return new LtiError('lti_registration_link_used', 'This registration link has already been used as many times as it allows. Nothing was registered; ask the course provider for a new link.', HttpStatus.GONE);
    case 'expired':
      return new LtiError('lti_registration_link_expired', 'This registration link has expired. Nothing was registered; ask the course provider for a new link.', HttpStatus.GONE);
    case 'revoked':
      return new LtiError('lti_registration_link_revoked', 'This registration link was withdrawn by the course provider. Nothing was registered; ask them for a new link.', HttpStatus.GONE);
  }
}
