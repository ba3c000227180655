import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { AppSecret } from './app-secret.entity';

/**
 * Named random secrets created on first use and kept in the database, so that several server
 * instances on one database agree on them. Insert-if-absent then read back: the first writer wins.
 */
@Injectable()
export class SecretsService {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly db: DataSource) {}

  async get(name: string, bytes = 32): Promise<Buffer> {
    const cached = this.cache.get(name);
    if (cached) {
      return cached;
    }
    const repo = this.db.getRepository(AppSecret);
    let row = await repo.findOne({ where: { name } });
    if (!row) {
      await repo
        .createQueryBuilder()
        .insert()
        .values({ name, value: randomBytes(bytes).toString('base64') })
        .orIgnore()
        .execute();
      row = await repo.findOneOrFail({ where: { name } });
    }
    const value = Buffer.from(row.value, 'base64');
    this.cache.set(name, value);
    return value;
  }
}
