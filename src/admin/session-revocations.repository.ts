import { Injectable } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { SessionRevocation } from './session-revocation.entity';

/** Console sign-outs (`console_session_revocations`), shared by every instance on the database. */
@Injectable()
export class SessionRevocationsRepository {
  constructor(private readonly db: DataSource) {}

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.db.getRepository(SessionRevocation).count({ where: { sessionId } })) > 0;
  }

  /** Records a sign-out (again is harmless) and drops the rows of sessions that expired before `now`. */
  async revoke(sessionId: string, expiresAtMs: number, now: number): Promise<void> {
    const repo = this.db.getRepository(SessionRevocation);
    await repo.createQueryBuilder().insert().values({ sessionId, expiresAtMs }).orIgnore().execute();
    await repo.delete({ expiresAtMs: LessThan(now) });
  }
}
