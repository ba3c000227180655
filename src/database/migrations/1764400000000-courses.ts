import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { createdUpdated, dateColumn, uuidColumn } from './columns';

/** Courses, their immutable versions, and server secrets. Written with the portable Table API (SQLite and Postgres). */
export class Courses1764400000000 implements MigrationInterface {
  name = 'Courses1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'courses',
        columns: [uuidColumn('id', { isPrimary: true }), { name: 'title', type: 'varchar', length: '500' }, uuidColumn('currentVersionId', { isNullable: true }), ...createdUpdated(q)],
      }),
    );
    await q.createIndex('courses', new TableIndex({ columnNames: ['title'] }));
    await q.createTable(
      new Table({
        name: 'course_versions',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('courseId'),
          { name: 'number', type: 'integer' },
          { name: 'scormVersion', type: 'varchar', length: '8' },
          { name: 'edition', type: 'varchar', length: '8', isNullable: true },
          { name: 'manifest', type: 'text' },
          { name: 'warnings', type: 'text' },
          { name: 'originalFilename', type: 'varchar', length: '500' },
          { name: 'packageBytes', type: 'bigint' },
          { name: 'unpackedBytes', type: 'bigint' },
          { name: 'fileCount', type: 'integer' },
          { name: 'sha256', type: 'varchar', length: '64' },
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['courseId', 'number'], isUnique: true }],
        foreignKeys: [new TableForeignKey({ columnNames: ['courseId'], referencedTableName: 'courses', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'app_secrets',
        columns: [
          { name: 'name', type: 'varchar', length: '100', isPrimary: true },
          { name: 'value', type: 'text' },
          dateColumn(q, 'createdAt', { default: 'CURRENT_TIMESTAMP' }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('app_secrets');
    await q.dropTable('course_versions');
    await q.dropTable('courses');
  }
}
