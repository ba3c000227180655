import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { createdUpdated, dateColumn, uuidColumn } from './columns';

/** Dispatch packages: a course handed to a customer's SCORM-only LMS (issue 12). Portable Table API only. */
export class Dispatches1764400012500 implements MigrationInterface {
  name = 'Dispatches1764400012500';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'dispatches',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('customerId'),
          uuidColumn('courseId'),
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'state', type: 'varchar', length: '20', default: "'active'" },
          dateColumn(q, 'revokedAt', { isNullable: true }),
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['customerId'] }, { columnNames: ['courseId'] }],
        foreignKeys: [
          { columnNames: ['customerId'], referencedTableName: 'customers', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['courseId'], referencedTableName: 'courses', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('dispatches');
  }
}
