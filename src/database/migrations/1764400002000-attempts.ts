import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableForeignKey } from 'typeorm';
import { createdUpdated, dateColumn, uuidColumn } from './columns';

const text = (name: string): TableColumnOptions => ({ name, type: 'text', isNullable: true });
const float = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'float', isNullable: true, ...extra });
const str = (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'varchar', length: String(length), ...extra });

/** Learners, resource links, attempts, per-SCO runtime state and player launch codes (portable Table API). */
export class Attempts1764400002000 implements MigrationInterface {
  name = 'Attempts1764400002000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'learners',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('platformId'),
          str('sub', 255),
          str('name', 500, { isNullable: true }),
          str('givenName', 255, { isNullable: true }),
          str('familyName', 255, { isNullable: true }),
          str('email', 320, { isNullable: true }),
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['platformId', 'sub'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'resource_links',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('platformId'),
          str('deploymentId', 255),
          str('resourceLinkId', 255),
          uuidColumn('courseId'),
          str('title', 500, { isNullable: true }),
          str('agsLineItemUrl', 2000, { isNullable: true }),
          str('agsLineItemsUrl', 2000, { isNullable: true }),
          text('agsScopes'),
          str('lineItemUrl', 2000, { isNullable: true }),
          str('nrpsMembershipsUrl', 2000, { isNullable: true }),
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['platformId', 'deploymentId', 'resourceLinkId'], isUnique: true }, { columnNames: ['courseId'] }],
        foreignKeys: [new TableForeignKey({ columnNames: ['courseId'], referencedTableName: 'courses', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'attempts',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('learnerId'),
          uuidColumn('resourceLinkId'),
          uuidColumn('courseVersionId'),
          { name: 'number', type: 'integer' },
          { name: 'preview', type: 'boolean', default: false },
          dateColumn(q, 'completedAt', { isNullable: true }),
          dateColumn(q, 'lastLaunchedAt', { isNullable: true }),
          { name: 'launchCount', type: 'integer', default: 0 },
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['learnerId', 'resourceLinkId', 'number'], isUnique: true }, { columnNames: ['resourceLinkId'] }],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['learnerId'], referencedTableName: 'learners', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
          new TableForeignKey({ columnNames: ['resourceLinkId'], referencedTableName: 'resource_links', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
          new TableForeignKey({ columnNames: ['courseVersionId'], referencedTableName: 'course_versions', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sco_states',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('attemptId'),
          str('itemId', 255),
          str('completionStatus', 20, { default: "'not attempted'" }),
          str('successStatus', 20, { default: "'unknown'" }),
          float('scoreScaled'),
          float('scoreRaw'),
          float('scoreMin'),
          float('scoreMax'),
          float('progressMeasure'),
          text('location'),
          text('suspendData'),
          str('exit', 20, { isNullable: true }),
          float('totalTimeSeconds', { isNullable: false, default: 0 }),
          text('cmi'),
          { name: 'lastLaunch', type: 'integer', default: 0 },
          { name: 'lastSequence', type: 'integer', default: 0 },
          str('sessionKey', 40, { isNullable: true }),
          { name: 'terminated', type: 'boolean', default: false },
          { name: 'scoAttempt', type: 'integer', default: 1 },
          dateColumn(q, 'visitedAt', { isNullable: true }),
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['attemptId', 'itemId'], isUnique: true }],
        foreignKeys: [new TableForeignKey({ columnNames: ['attemptId'], referencedTableName: 'attempts', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'player_launch_codes',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          str('codeHash', 64),
          uuidColumn('attemptId'),
          dateColumn(q, 'expiresAt'),
          dateColumn(q, 'usedAt', { isNullable: true }),
          str('returnUrl', 2000, { isNullable: true }),
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['codeHash'], isUnique: true }],
        foreignKeys: [new TableForeignKey({ columnNames: ['attemptId'], referencedTableName: 'attempts', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('player_launch_codes');
    await q.dropTable('sco_states');
    await q.dropTable('attempts');
    await q.dropTable('resource_links');
    await q.dropTable('learners');
  }
}
