import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../database/bigint';

/**
 * A console session signed out before its expiry. Sessions themselves need no table (the cookie is
 * signed); this row is what makes a sign-out on one instance hold on every other one.
 */
@Entity('console_session_revocations')
export class SessionRevocation {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sessionId: string;

  /** When the session would have expired anyway: the row is useless after it and is deleted. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  expiresAtMs: number;
}
