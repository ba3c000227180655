import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { createdUpdated, uuidColumn } from './columns';

/** The grade outbox (src/grades/README.md), portable Table API: runs on SQLite and Postgres. */
export class Grades1764400003000 implements MigrationInterface {
  name = 'Grades1764400003000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'grade_deliveries',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('resourceLinkId'),
          uuidColumn('learnerId'),
          uuidColumn('platformId'),
          { name: 'userId', type: 'varchar', length: '255' },
          uuidColumn('attemptId', { isNullable: true }),
          { name: 'state', type: 'varchar', length: '20' },
          { name: 'payload', type: 'text' },
          { name: 'version', type: 'integer', default: 1 },
          { name: 'resultAt', type: 'bigint' },
          { name: 'scoreTimestamp', type: 'varchar', length: '40', isNullable: true },
          { name: 'lastTimestamp', type: 'varchar', length: '40', isNullable: true },
          { name: 'tries', type: 'integer', default: 0 },
          { name: 'nextAttemptAt', type: 'bigint' },
          { name: 'lockedUntil', type: 'bigint', isNullable: true },
          uuidColumn('claimToken', { isNullable: true }),
          { name: 'lastError', type: 'text', isNullable: true },
          { name: 'lastStatus', type: 'integer', isNullable: true },
          { name: 'sentAt', type: 'bigint', isNullable: true },
          { name: 'sentPayload', type: 'text', isNullable: true },
          ...createdUpdated(q),
        ],
        indices: [
          { columnNames: ['resourceLinkId', 'learnerId'], isUnique: true },
          { columnNames: ['state', 'nextAttemptAt'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('grade_deliveries');
  }
}
