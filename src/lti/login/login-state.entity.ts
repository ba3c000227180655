import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../../database/bigint';

/**
 * The server-side record of one OIDC login (docs/lti-launch-checks.md): keyed by `state`, holding the nonce
 * and everything the launch must compare against. Single use (`consumedAtMs`), short-lived.
 */
@Entity('lti_login_states')
export class LoginState {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  state: string;

  @Column({ type: 'varchar', length: 64 })
  nonce: string;

  @Column({ type: 'varchar', length: 36 })
  platformId: string;

  @Column({ type: 'varchar', length: 500 })
  issuer: string;

  @Column({ type: 'varchar', length: 255 })
  clientId: string;

  /** `lti_deployment_id` (or Canvas's `deployment_id`) sent at login, if any (Core §4.1.2). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  loginDeploymentId: string | null;

  @Column({ type: 'text' })
  targetLinkUri: string;

  @Column({ type: 'text' })
  loginHint: string;

  @Column({ type: 'text', nullable: true })
  messageHint: string | null;

  /** SHA-256 (hex) of the browser-binding secret held in the cookie or in platform storage. */
  @Column({ type: 'varchar', length: 64 })
  bindingHash: string;

  /** `lti_storage_target` offered at login (platform storage, docs/lti-launch-checks.md). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  storageTarget: string | null;

  @Column({ type: 'bigint', transformer: bigintNumber })
  createdAtMs: number;

  @Index()
  @Column({ type: 'bigint', transformer: bigintNumber })
  expiresAtMs: number;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  consumedAtMs: number | null;
}

/** Every column of a login state: written whole at login, read whole at launch (plain SQL, no read-back). */
export const LOGIN_STATE_COLUMNS = [
  'state',
  'nonce',
  'platformId',
  'issuer',
  'clientId',
  'loginDeploymentId',
  'targetLinkUri',
  'loginHint',
  'messageHint',
  'bindingHash',
  'storageTarget',
  'createdAtMs',
  'expiresAtMs',
  'consumedAtMs',
] as const satisfies ReadonlyArray<keyof LoginState>;
