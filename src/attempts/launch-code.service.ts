import { HttpStatus, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors';
import type { CourseVersion } from '../courses/course-version.entity';
import type { Attempt } from './attempt.entity';
import { AttemptsRepository } from './attempts.repository';
import { CourseVersionCache } from './course-version-cache';
import { LaunchCode } from './launch-code.entity';
import type { ScoState } from './sco-state.entity';
import { ScoStatesRepository } from './sco-states.repository';

const LAUNCH_CODE_TTL_MS = 60_000;

export function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}

/** Launch codes: the one-time hand-off of a resolved launch from the tool origin to the player on the content origin (docs/architecture.md). */
@Injectable()
export class LaunchCodeService {
  constructor(
    private readonly repo: AttemptsRepository,
    private readonly states: ScoStatesRepository,
    private readonly versions: CourseVersionCache,
    private readonly clock: Clock,
  ) {}

  /** A one-time launch code (random, stored hashed, single use, ~60 s) that carries the launch to the content origin. */
  async createLaunchCode(attemptId: string, returnUrl?: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const row = Object.assign(new LaunchCode(), {
      codeHash: hashCode(code),
      attemptId,
      expiresAt: new Date(this.clock.now() + LAUNCH_CODE_TTL_MS),
      usedAt: null,
      returnUrl: returnUrl ?? null,
    });
    await this.repo.insertLaunchCode(row);
    return code;
  }

  /**
   * Redeems a launch code once (a conditional update, safe with several instances) and counts the
   * launch on the attempt. A used, expired or unknown code is `launch_code_invalid`.
   */
  async redeemLaunchCode(code: string): Promise<{ attempt: Attempt; returnUrl: string | null }> {
    const hash = hashCode(code);
    const now = new Date(this.clock.now());
    const redeemed = await this.repo.redeemLaunchCode(hash, now);
    if ('refused' in redeemed) {
      if (redeemed.refused === 'attempt_gone') {
        throw new AppError('attempt_not_found', 'This attempt no longer exists; relaunch the course from your LMS.', HttpStatus.NOT_FOUND);
      }
      throw new AppError('launch_code_invalid', 'This player link has already been used or has expired. Relaunch the course from your LMS.', HttpStatus.GONE);
    }
    return redeemed;
  }

  /**
   * The player page's data (docs/architecture.md): redeems the code, then the attempt's course version (cached,
   * immutable) and the status columns of its SCO states (what the page and the start item need).
   */
  async redeemForPlayer(code: string): Promise<{ attempt: Attempt; returnUrl: string | null; version: CourseVersion; states: ScoState[] }> {
    const { attempt, returnUrl } = await this.redeemLaunchCode(code);
    const version = await this.versions.version(attempt.courseVersionId);
    const states = await this.states.listPlayerStates(attempt.id);
    return { attempt, returnUrl, version, states };
  }
}
