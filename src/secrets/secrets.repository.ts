import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppSecret } from './app-secret.entity';

/** Every database access of the secrets module: the `app_secrets` rows. */
@Injectable()
export class SecretsRepository {
  constructor(private readonly db: DataSource) {}

  /** The stored value of a secret, or null when it was never created. */
  async findSecretValue(name: string): Promise<string | null> {
    return (await this.db.getRepository(AppSecret).findOne({ where: { name } }))?.value ?? null;
  }

  /**
   * Stores `value` unless a secret of this name exists, then answers the stored one: the first
   * writer wins, also when several instances create it at the same moment.
   */
  async insertSecretIfAbsent(name: string, value: string): Promise<string> {
    const repo = this.db.getRepository(AppSecret);
    await repo.createQueryBuilder().insert().values({ name, value }).orIgnore().execute();
    return (await repo.findOneOrFail({ where: { name } })).value;
  }
}
