import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableForeignKey, TableIndex } from 'typeorm';
import { createdUpdated, uuidColumn } from './columns';

const str = (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'varchar', length: String(length), ...extra });

/**
 * Names and Roles rosters (issue 9, src/roster/README.md): one `rosters` row per (platform, LMS context)
 * with the outcome of its last fetch, its members in `roster_members`, and the LMS context of a
 * resource link (so a link's learners can be matched with its context's roster). Portable Table API only.
 */
export class Roster1764400007000 implements MigrationInterface {
  name = 'Roster1764400007000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'rosters',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('platformId'),
          str('contextId', 255),
          str('contextTitle', 500, { isNullable: true }),
          str('deploymentId', 255),
          str('membershipsUrl', 2000),
          str('state', 20),
          { name: 'lastError', type: 'text', isNullable: true },
          { name: 'fetchedAtMs', type: 'bigint', isNullable: true },
          { name: 'triedAtMs', type: 'bigint' },
          { name: 'memberCount', type: 'integer', default: 0 },
          { name: 'learnerCount', type: 'integer', default: 0 },
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['platformId', 'contextId'], isUnique: true }],
        foreignKeys: [new TableForeignKey({ columnNames: ['platformId'], referencedTableName: 'platforms', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'roster_members',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('rosterId'),
          str('userId', 255),
          str('name', 500, { isNullable: true }),
          str('givenName', 255, { isNullable: true }),
          str('familyName', 255, { isNullable: true }),
          str('email', 320, { isNullable: true }),
          { name: 'roles', type: 'text' },
          str('status', 20),
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['rosterId', 'userId'], isUnique: true }],
        foreignKeys: [new TableForeignKey({ columnNames: ['rosterId'], referencedTableName: 'rosters', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.addColumn('resource_links', new TableColumn(str('contextId', 255, { isNullable: true })));
    await q.createIndex('resource_links', new TableIndex({ name: 'IDX_resource_links_platform_context', columnNames: ['platformId', 'contextId'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('resource_links', 'IDX_resource_links_platform_context');
    await q.dropColumn('resource_links', 'contextId');
    await q.dropTable('roster_members');
    await q.dropTable('rosters');
  }
}
