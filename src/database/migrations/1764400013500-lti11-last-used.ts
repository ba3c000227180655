import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { dateColumn } from './columns';

/**
 * When an LTI 1.1 consumer key last launched a course (the console's key list, issue 12): null until its
 * first accepted launch. Portable Table API only (SQLite and PostgreSQL).
 */
export class Lti11LastUsed1764400013500 implements MigrationInterface {
  name = 'Lti11LastUsed1764400013500';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('lti11_credentials', new TableColumn(dateColumn(q, 'lastUsedAt', { isNullable: true })));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('lti11_credentials', 'lastUsedAt');
  }
}
