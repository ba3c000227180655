import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Per-course grade policy (src/grades/README.md "configurable per course"); null means the defaults. */
export class CourseGradePolicy1764400004000 implements MigrationInterface {
  name = 'CourseGradePolicy1764400004000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('courses', new TableColumn({ name: 'gradePolicy', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('courses', 'gradePolicy');
  }
}
