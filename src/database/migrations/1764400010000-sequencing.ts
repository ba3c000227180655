import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** The compiled sequencing of a SCORM 2004 course version (docs/sequencing.md); null for SCORM 1.2. */
export class Sequencing1764400010000 implements MigrationInterface {
  name = 'Sequencing1764400010000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('course_versions', new TableColumn({ name: 'sequencing', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('course_versions', 'sequencing');
  }
}
