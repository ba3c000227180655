import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SecretsRepository } from './secrets.repository';

/**
 * Named random secrets created on first use and kept in the database, so that several server
 * instances on one database agree on them. Insert-if-absent then read back: the first writer wins.
 */
@Injectable()
export class SecretsService {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly repo: SecretsRepository) {}

  async get(name: string, bytes = 32): Promise<Buffer> {
    const cached = this.cache.get(name);
    if (cached) {
      return cached;
    }
    const stored = (await this.repo.findSecretValue(name)) ?? (await this.repo.insertSecretIfAbsent(name, randomBytes(bytes).toString('base64')));
    const value = Buffer.from(stored, 'base64');
    this.cache.set(name, value);
    return value;
  }
}
