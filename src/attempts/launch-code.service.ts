import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../common/errors';
import type { CourseVersion } from '../courses/course-version.entity';
import { runSql } from '../database/plain-sql';
import { Attempt } from './attempt.entity';
import { ATTEMPT_READ, AttemptsSql, CODE_INSERT, PLAYER_STATE_READ } from './attempts.sql';
import { CourseVersionCache } from './course-version-cache';
import { LaunchCode } from './launch-code.entity';
import { ScoState } from './sco-state.entity';

const LAUNCH_CODE_TTL_MS = 60_000;

export function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}

/** Launch codes: the one-time hand-off of a resolved launch from the tool origin to the player on the content origin (DESIGN §2). */
@Injectable()
export class LaunchCodeService {
  constructor(
    private readonly db: DataSource,
    private readonly statements: AttemptsSql,
    private readonly versions: CourseVersionCache,
  ) {}

  /** A one-time launch code (random, stored hashed, single use, ~60 s) that carries the launch to the content origin. */
  async createLaunchCode(attemptId: string, returnUrl?: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const sql = this.statements.launch;
    const row = Object.assign(new LaunchCode(), {
      codeHash: hashCode(code),
      attemptId,
      expiresAt: new Date(Date.now() + LAUNCH_CODE_TTL_MS),
      usedAt: null,
      returnUrl: returnUrl ?? null,
    });
    await runSql(this.db, undefined, sql.insertCode, sql.codes.values(row, CODE_INSERT));
    return code;
  }

  /**
   * Redeems a launch code once (a conditional update, safe with several instances) and counts the
   * launch on the attempt. A used, expired or unknown code is `launch_code_invalid`.
   */
  async redeemLaunchCode(code: string): Promise<{ attempt: Attempt; returnUrl: string | null }> {
    const hash = hashCode(code);
    const now = new Date();
    const sql = this.statements.launch;
    return this.db.transaction(async (m) => {
      // One conditional UPDATE claims the code (unused and unexpired) and returns what it carries.
      const [row] = (await runSql(this.db, m, sql.redeem, [sql.codes.value('usedAt', now), hash, sql.codes.value('expiresAt', now)])).records as Array<{
        attemptId: string;
        returnUrl: string | null;
      }>;
      if (!row) {
        throw new AppError('launch_code_invalid', 'This player link has already been used or has expired. Relaunch the course from your LMS.', HttpStatus.GONE);
      }
      const [counted] = (await runSql(this.db, m, sql.countLaunch, [sql.attempts.value('lastLaunchedAt', now), row.attemptId])).records;
      if (!counted) {
        throw new AppError('attempt_not_found', 'This attempt no longer exists; relaunch the course from your LMS.', HttpStatus.NOT_FOUND);
      }
      return { attempt: sql.attempts.hydrate(counted, ATTEMPT_READ, Object.create(Attempt.prototype) as Attempt), returnUrl: row.returnUrl ?? null };
    });
  }

  /**
   * The player page's data (DESIGN §2): redeems the code, then the attempt's course version (cached,
   * immutable) and the status columns of its SCO states (what the page and the start item need).
   */
  async redeemForPlayer(code: string): Promise<{ attempt: Attempt; returnUrl: string | null; version: CourseVersion; states: ScoState[] }> {
    const { attempt, returnUrl } = await this.redeemLaunchCode(code);
    const version = await this.versions.version(attempt.courseVersionId);
    const sql = this.statements.launch;
    const { records } = await runSql(this.db, undefined, sql.playerStates, [attempt.id]);
    const states = records.map((r) => sql.states.hydrate(r, PLAYER_STATE_READ, Object.create(ScoState.prototype) as ScoState));
    return { attempt, returnUrl, version, states };
  }
}
