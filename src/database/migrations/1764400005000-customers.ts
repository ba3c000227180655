import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey } from 'typeorm';
import { createdUpdated, uuidColumn } from './columns';

/** Customers, their registration links, and the customer a platform belongs to (issue 9). Portable Table API only. */
export class Customers1764400005000 implements MigrationInterface {
  name = 'Customers1764400005000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'customers',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'contact', type: 'varchar', length: '500', isNullable: true },
          { name: 'notes', type: 'text', isNullable: true },
          { name: 'state', type: 'varchar', length: '20', default: "'active'" },
          ...createdUpdated(q),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'customer_registration_links',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('customerId'),
          { name: 'tokenHash', type: 'varchar', length: '64' },
          { name: 'expiresAtMs', type: 'bigint', isNullable: true },
          { name: 'maxUses', type: 'integer', default: 1 },
          { name: 'uses', type: 'integer', default: 0 },
          { name: 'revokedAtMs', type: 'bigint', isNullable: true },
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['tokenHash'], isUnique: true }, { columnNames: ['customerId'] }],
        foreignKeys: [new TableForeignKey({ columnNames: ['customerId'], referencedTableName: 'customers', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.addColumn('platforms', new TableColumn(uuidColumn('customerId', { isNullable: true })));
    // A customer with platforms cannot be deleted (the API says so first; the key is the last word).
    await q.createForeignKey('platforms', new TableForeignKey({ columnNames: ['customerId'], referencedTableName: 'customers', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }));
  }

  async down(q: QueryRunner): Promise<void> {
    const platforms = await q.getTable('platforms');
    const fk = platforms?.foreignKeys.find((k) => k.columnNames.includes('customerId'));
    if (fk) {
      await q.dropForeignKey('platforms', fk);
    }
    await q.dropColumn('platforms', 'customerId');
    await q.dropTable('customer_registration_links');
    await q.dropTable('customers');
  }
}
