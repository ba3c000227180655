import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, LessThan } from 'typeorm';
import { ToolKey } from './tool-key.entity';

/** The tool's signing keys (`lti_tool_keys`). */
@Injectable()
export class ToolKeysRepository {
  constructor(private readonly db: DataSource) {}

  listKeys(): Promise<ToolKey[]> {
    return this.db.getRepository(ToolKey).find();
  }

  /**
   * Inserts `key` only if no live key exists, serialised with other instances' first starts and
   * rotations: instances that start together on an empty database end up with one current key, not
   * one each (each would sign with its own and publish a set without the other's for a while).
   */
  insertFirstKey(key: ToolKey): Promise<boolean> {
    return this.db.transaction(async (m) => {
      await lockKeys(m);
      if (await m.getRepository(ToolKey).count({ where: { retiredAtMs: IsNull() } })) {
        return false;
      }
      await m.getRepository(ToolKey).insert(key);
      return true;
    });
  }

  /**
   * In one transaction: retires the live keys at `now`, deletes those retired before `deleteRetiredBefore`
   * and inserts `fresh`. Answers the kids of the keys it retired.
   */
  rotate(fresh: ToolKey, now: number, deleteRetiredBefore: number): Promise<string[]> {
    return this.db.transaction(async (m) => {
      await lockKeys(m);
      const repo = m.getRepository(ToolKey);
      const live = await repo.find({ where: { retiredAtMs: IsNull() } });
      if (live.length) {
        await repo.update({ retiredAtMs: IsNull() }, { retiredAtMs: now });
      }
      await repo.delete({ retiredAtMs: LessThan(deleteRetiredBefore) });
      await repo.insert(fresh);
      return live.map((k) => k.kid);
    });
  }
}

/** Arbitrary constant naming the key table's advisory lock on PostgreSQL (SQLite has one writer anyway). */
const KEYS_LOCK = 0x6b657973;

async function lockKeys(m: EntityManager): Promise<void> {
  if (m.connection.options.type === 'postgres') {
    await m.query('SELECT pg_advisory_xact_lock($1)', [KEYS_LOCK]);
  }
}
