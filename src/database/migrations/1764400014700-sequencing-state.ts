import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey } from 'typeorm';
import { createdUpdated, uuidColumn } from './columns';

/**
 * SCORM 2004 sequencing state on the server (docs/sequencing.md, "State on the server"): the player
 * engine's saved state per attempt (`attempt_sequencing`), the root activity's result after the
 * server's own rollup on the attempt (`attempts.root*`), and the learner-wide global objectives and
 * `adl.data` stores (`learner_sequencing_globals`). Portable Table API only.
 */
export class SequencingState1764400014700 implements MigrationInterface {
  name = 'SequencingState1764400014700';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'attempt_sequencing',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('attemptId'),
          { name: 'state', type: 'text' },
          { name: 'lastLaunch', type: 'integer', default: 0 },
          { name: 'lastSequence', type: 'integer', default: 0 },
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['attemptId'], isUnique: true }],
        foreignKeys: [new TableForeignKey({ columnNames: ['attemptId'], referencedTableName: 'attempts', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'learner_sequencing_globals',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('learnerId'),
          { name: 'kind', type: 'varchar', length: '10' },
          { name: 'key', type: 'varchar', length: '1000' },
          { name: 'value', type: 'text' },
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['learnerId', 'kind', 'key'], isUnique: true }],
        foreignKeys: [new TableForeignKey({ columnNames: ['learnerId'], referencedTableName: 'learners', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.addColumns('attempts', [
      new TableColumn({ name: 'rootCompletion', type: 'varchar', length: '20', isNullable: true }),
      new TableColumn({ name: 'rootSuccess', type: 'varchar', length: '20', isNullable: true }),
      new TableColumn({ name: 'rootMeasure', type: 'float', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('attempts', ['rootCompletion', 'rootSuccess', 'rootMeasure']);
    await q.dropTable('learner_sequencing_globals');
    await q.dropTable('attempt_sequencing');
  }
}
