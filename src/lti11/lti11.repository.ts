import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull, LessThan, Or } from 'typeorm';
import { EntitySql, PlainSql } from '../database/plain-sql';
import { Lti11Credential } from './lti11-credential.entity';
import { Lti11Nonce } from './lti11-nonce.entity';

/** How stale a key's `lastUsedAt` may get before a launch writes it again. */
const LAST_USED_GRAIN_MS = 60_000;

/** Every database access of the LTI 1.1 module: consumer keys and the nonces seen. */
@Injectable()
export class Lti11Repository {
  private readonly nonces: EntitySql<Lti11Nonce>;
  private readonly nonceCols;
  private readonly insertNonceSql: string;

  constructor(
    private readonly db: DataSource,
    plain: PlainSql,
  ) {
    this.nonces = plain.entity(Lti11Nonce);
    this.nonceCols = this.nonces.columns(['id', 'consumerKey', 'nonce', 'expiresAtMs', 'createdAt', 'updatedAt']);
    this.insertNonceSql = plain.statement('Lti11Repository.useNonce', this.nonces.insertIfAbsent(this.nonceCols));
  }

  listCredentials(customerId: string): Promise<Lti11Credential[]> {
    return this.db.getRepository(Lti11Credential).find({ where: { customerId }, order: { createdAt: 'ASC' } });
  }

  findCredential(customerId: string, id: string): Promise<Lti11Credential | null> {
    return this.db.getRepository(Lti11Credential).findOneBy({ customerId, id });
  }

  findByKey(consumerKey: string): Promise<Lti11Credential | null> {
    return this.db.getRepository(Lti11Credential).findOneBy({ consumerKey });
  }

  findByPlatform(platformId: string): Promise<Lti11Credential | null> {
    return this.db.getRepository(Lti11Credential).findOneBy({ platformId });
  }

  async insertCredential(fields: Pick<Lti11Credential, 'customerId' | 'platformId' | 'consumerKey' | 'secretSealed' | 'label'>, m: EntityManager): Promise<Lti11Credential> {
    const row = m.getRepository(Lti11Credential).create({ ...fields, revokedAt: null, lastUsedAt: null });
    await m.getRepository(Lti11Credential).insert(row);
    return row;
  }

  async revokeCredential(id: string, at: Date): Promise<void> {
    await this.db.getRepository(Lti11Credential).update({ id, revokedAt: IsNull() }, { revokedAt: at });
  }

  /**
   * Notes a launch with the key at `at`. Written at most once a minute per key (the WHERE), so a class
   * launching at once does not queue on one row.
   */
  async markUsed(id: string, at: Date): Promise<void> {
    const due = new Date(at.getTime() - LAST_USED_GRAIN_MS);
    await this.db.getRepository(Lti11Credential).update({ id, lastUsedAt: Or(IsNull(), LessThan(due)) }, { lastUsedAt: at });
  }

  /**
   * Records a nonce of a consumer key; false when it was already there (a replay). One INSERT that does
   * nothing on the unique (key, nonce) index, so of two parallel posts of one launch exactly one wins,
   * on SQLite and on PostgreSQL with several instances.
   */
  async useNonce(consumerKey: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    const row = Object.assign(this.nonces.blank(), { id: randomUUID(), consumerKey, nonce, expiresAtMs, createdAt: new Date(), updatedAt: new Date() });
    const res = await this.nonces.plain.run(this.insertNonceSql, this.nonceCols.values(row));
    return res.records.length > 0;
  }

  /** Forgets nonces whose timestamps are out of the window (they could not be replayed anyway). */
  async deleteExpiredNonces(now: number): Promise<void> {
    await this.db.getRepository(Lti11Nonce).delete({ expiresAtMs: LessThan(now) });
  }
}
