import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';
import { createdUpdated, uuidColumn } from './columns';

/** Licences of customers for courses, and the seats their learners hold (issue 9). Portable Table API only. */
export class Licences1764400006000 implements MigrationInterface {
  name = 'Licences1764400006000';

  async up(q: QueryRunner): Promise<void> {
    const owners = [
      new TableForeignKey({ columnNames: ['customerId'], referencedTableName: 'customers', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
      new TableForeignKey({ columnNames: ['courseId'], referencedTableName: 'courses', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
    ];
    await q.createTable(
      new Table({
        name: 'licences',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('customerId'),
          uuidColumn('courseId', { isNullable: true }),
          { name: 'seatLimit', type: 'integer', isNullable: true },
          { name: 'startsAtMs', type: 'bigint', isNullable: true },
          { name: 'endsAtMs', type: 'bigint', isNullable: true },
          { name: 'state', type: 'varchar', length: '20', default: "'active'" },
          { name: 'notes', type: 'text', isNullable: true },
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['customerId'] }, { columnNames: ['courseId'] }],
        foreignKeys: owners.map((k) => k.clone()),
      }),
    );
    await q.createTable(
      new Table({
        name: 'licence_seats',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('customerId'),
          uuidColumn('courseId'),
          uuidColumn('platformId'),
          { name: 'sub', type: 'varchar', length: '255' },
          ...createdUpdated(q),
        ],
        indices: [
          { columnNames: ['customerId', 'courseId', 'platformId', 'sub'], isUnique: true },
          { columnNames: ['customerId', 'platformId', 'sub'] },
          { columnNames: ['courseId'] },
        ],
        foreignKeys: owners.map((k) => k.clone()),
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('licence_seats');
    await q.dropTable('licences');
  }
}
