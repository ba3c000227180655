import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The health check's one database access. */
@Injectable()
export class HealthRepository {
  constructor(private readonly db: DataSource) {}

  /** Resolves when the database answers a trivial query; rejects otherwise. */
  async pingDatabase(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
