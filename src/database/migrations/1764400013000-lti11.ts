import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableForeignKey } from 'typeorm';
import { createdUpdated, dateColumn, uuidColumn } from './columns';

const str = (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'varchar', length: String(length), ...extra });

/**
 * LTI 1.1 (issue 12, src/lti11/README.md): a customer's consumer keys (the secret encrypted with a
 * server secret, each key with its own platform row), the OAuth nonces seen (shared by every instance),
 * the Basic Outcomes target of a (link, learner), and the kind of each grade delivery. Portable Table API only.
 */
export class Lti111764400013000 implements MigrationInterface {
  name = 'Lti111764400013000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'lti11_credentials',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('customerId'),
          uuidColumn('platformId'),
          str('consumerKey', 100),
          { name: 'secretSealed', type: 'text' },
          str('label', 200, { isNullable: true }),
          dateColumn(q, 'revokedAt', { isNullable: true }),
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['consumerKey'], isUnique: true }, { columnNames: ['customerId'] }, { columnNames: ['platformId'], isUnique: true }],
        foreignKeys: [new TableForeignKey({ columnNames: ['platformId'], referencedTableName: 'platforms', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'lti11_nonces',
        columns: [uuidColumn('id', { isPrimary: true }), str('consumerKey', 100), str('nonce', 255), { name: 'expiresAtMs', type: 'bigint' }, ...createdUpdated(q)],
        indices: [{ columnNames: ['consumerKey', 'nonce'], isUnique: true }, { columnNames: ['expiresAtMs'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'lti11_outcome_targets',
        columns: [uuidColumn('id', { isPrimary: true }), uuidColumn('resourceLinkId'), uuidColumn('learnerId'), str('serviceUrl', 2000), str('sourcedId', 2000), ...createdUpdated(q)],
        indices: [{ columnNames: ['resourceLinkId', 'learnerId'], isUnique: true }],
      }),
    );
    await q.addColumn('grade_deliveries', new TableColumn(str('kind', 20, { default: "'ags'" })));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('grade_deliveries', 'kind');
    await q.dropTable('lti11_outcome_targets');
    await q.dropTable('lti11_nonces');
    await q.dropTable('lti11_credentials');
  }
}
