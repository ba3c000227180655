import { HttpStatus } from '@nestjs/common';
import type { ErrorCode, PackageErrorCode } from './error-codes';
import type { SafeHtml } from './html';

/**
 * An expected failure with a stable snake_case code (docs/rest-api.md), an HTTP status and a log level:
 * an expected rejection logs at warn, a real bug at error (Vendure's error classes).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = HttpStatus.BAD_REQUEST,
    readonly details?: Record<string, unknown>,
    /** Shown under the message when the error is answered as a page (trusted, built by us). */
    readonly pageHtml?: SafeHtml,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** What a `NotFoundError` can name: each has its `<what>_not_found` code in `ErrorCode`. */
const NOT_FOUND = {
  course: 'course_not_found',
  platform: 'platform_not_found',
  customer: 'customer_not_found',
  licence: 'licence_not_found',
  'registration link': 'registration_link_not_found',
  'grade delivery': 'grade_delivery_not_found',
  'LTI 1.1 key': 'lti11_credential_not_found',
} as const satisfies Record<string, ErrorCode>;

export class NotFoundError extends AppError {
  constructor(what: keyof typeof NOT_FOUND, id: string) {
    super(NOT_FOUND[what], `No ${what} with id "${id}" exists.`, HttpStatus.NOT_FOUND);
  }
}

/** A package that cannot be imported; `code` names the reason (422 unless said otherwise). */
export class PackageError extends AppError {
  constructor(code: PackageErrorCode, message: string, status: number = HttpStatus.UNPROCESSABLE_ENTITY) {
    super(code, message, status);
  }
}
