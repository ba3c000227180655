import { HttpStatus } from '@nestjs/common';
import type { LtiErrorCode } from '../../common/error-codes';
import { AppError } from '../../common/errors';
import type { SafeHtml } from '../../common/html';

/**
 * A refused LTI message. The code is stable (docs/lti-launch-checks.md names them; the certification suite
 * wants them in the logs, Cert §6); the exception filter logs it and answers a readable page (JSON to a client that asks for it).
 * `extraHtml` (trusted, built by us) is appended to that page, e.g. the "open in a new window" offer.
 */
export class LtiError extends AppError {
  constructor(
    code: LtiErrorCode,
    message: string,
    status = 401,
    extraHtml?: SafeHtml,
  ) {
    super(code, message, status, undefined, extraHtml);
  }
}

/** A deployment id this tool does not know for the platform (login step and launch step 14). */
export function unknownDeployment(deploymentId: string): LtiError {
  return new LtiError(
    'lti_deployment_unknown',
    `The deployment "${deploymentId}" is not registered for this LMS; an admin must add it to the platform's deploymentIds on this tool.`,
    HttpStatus.FORBIDDEN,
  );
}
