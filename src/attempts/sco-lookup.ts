import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/errors';
import type { CourseVersion } from '../courses/course-version.entity';
import type { ScoSummary } from '../scorm/manifest.types';
import type { RuntimeClaims } from './runtime-token.service';

/** The token's attempt must be the URL's attempt: a SCO can reach only the current learner's own attempt (docs/architecture.md). */
export function checkScope(claims: RuntimeClaims, attemptId: string): void {
  if (claims.attemptId !== attemptId) {
    throw new AppError('attempt_mismatch', 'This player session may not read or write another attempt.', HttpStatus.FORBIDDEN);
  }
}

/** The launchable item `itemId` of a course version, else `sco_not_found`. */
export function scoOf(version: CourseVersion, itemId: string): ScoSummary {
  const sco = version.manifest.scos.find((s) => s.itemId === itemId);
  if (!sco) {
    throw new AppError('sco_not_found', `The course has no launchable item "${itemId}".`, HttpStatus.NOT_FOUND);
  }
  return sco;
}
