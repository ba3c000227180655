import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { dateColumn } from './columns';

/**
 * Course lifecycle (issue 9): when a course was archived (null: in use), and an index on the package
 * hash of a version, which every upload looks up to say when the same zip is already here. Portable
 * Table API only (SQLite and PostgreSQL).
 */
export class CourseArchive1764400008000 implements MigrationInterface {
  name = 'CourseArchive1764400008000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('courses', new TableColumn(dateColumn(q, 'archivedAt', { isNullable: true })));
    await q.createIndex('course_versions', new TableIndex({ columnNames: ['sha256'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    const index = (await q.getTable('course_versions'))?.indices.find((i) => i.columnNames.length === 1 && i.columnNames[0] === 'sha256');
    if (index) {
      await q.dropIndex('course_versions', index);
    }
    await q.dropColumn('courses', 'archivedAt');
  }
}
