import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, LessThan } from 'typeorm';
import { ToolKey } from './tool-key.entity';

/** The tool's signing keys (`lti_tool_keys`). */
@Injectable()
export class ToolKeysRepository {
  constructor(private readonly db: DataSource) {}

  listKeys(): Promise<ToolKey[]> {
    return this.db.getRepository(ToolKey).find();
  }

  async insertKey(key: ToolKey): Promise<void> {
    await this.db.getRepository(ToolKey).insert(key);
  }

  /**
   * In one transaction: retires the live keys at `now`, deletes those retired before `deleteRetiredBefore`
   * and inserts `fresh`. Answers the kids of the keys it retired.
   */
  rotate(fresh: ToolKey, now: number, deleteRetiredBefore: number): Promise<string[]> {
    return this.db.transaction(async (m) => {
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
