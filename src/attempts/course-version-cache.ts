import { HttpStatus, Injectable } from '@nestjs/common';
import { setBounded } from '../common/bounded-map';
import { AppError } from '../common/errors';
import { ChangeNotices, forgetChanged } from '../database/change-notices';
import type { CourseVersion } from '../courses/course-version.entity';
import type { Attempt } from './attempt.entity';
import { AttemptsRepository } from './attempts.repository';

/**
 * Course versions are immutable (docs/architecture.md), and so is an attempt's version: both are cached here
 * for the launch and the hot commit path. A deleted course's versions are dropped on every instance
 * (the `course-versions` change notice), and a read from the database that was under way when the
 * notice came is not kept (it may hold what the notice dropped).
 */
@Injectable()
export class CourseVersionCache {
  private readonly versions = new Map<string, CourseVersion>();
  /** Attempt → course version id, which never changes: lets a commit skip the attempt read. */
  private readonly attemptVersions = new Map<string, string>();
  constructor(
    private readonly repo: AttemptsRepository,
    private readonly changes: ChangeNotices,
  ) {
    changes.on('course-versions', (ids) => {
      forgetChanged(this.versions, (id) => id, ids);
      forgetChanged(this.attemptVersions, (_, versionId) => versionId, ids);
    });
  }

  /** The cached version, if it is in the cache (no database read). */
  cached(id: string): CourseVersion | undefined {
    return this.versions.get(id);
  }

  /** The course version of an attempt, for the commit path: no database read once both are cached. */
  async versionOfAttempt(attemptId: string): Promise<CourseVersion> {
    let versionId = this.attemptVersions.get(attemptId);
    if (!versionId) {
      const generation = this.changes.generation('course-versions');
      versionId = (await this.attemptAndVersion(attemptId)).attempt.courseVersionId;
      if (generation === this.changes.generation('course-versions')) {
        setBounded(this.attemptVersions, attemptId, versionId, 10_000);
      }
    }
    return this.version(versionId);
  }

  /** The attempt (always read: its counters change) and its course version; `attempt_not_found` if it is gone. */
  async attemptAndVersion(attemptId: string): Promise<{ attempt: Attempt; version: CourseVersion }> {
    const attempt = await this.repo.findAttempt(attemptId);
    if (!attempt) {
      throw new AppError('attempt_not_found', 'This attempt no longer exists; relaunch the course from your LMS.', HttpStatus.NOT_FOUND);
    }
    return { attempt, version: await this.version(attempt.courseVersionId) };
  }

  /** A course version with its parsed manifest; the 200 most recently added are kept. */
  async version(id: string): Promise<CourseVersion> {
    const hit = this.versions.get(id);
    if (hit) {
      return hit;
    }
    const generation = this.changes.generation('course-versions');
    const version = await this.repo.findCourseVersionOrFail(id);
    if (generation === this.changes.generation('course-versions')) {
      setBounded(this.versions, id, version, 200);
    }
    return version;
  }
}
