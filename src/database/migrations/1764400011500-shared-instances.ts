import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * What several server instances on one database must share instead of keeping per process
 * (docs/deployment.md, "What instances share"): console sign-outs, the rate-limit counters, and the
 * claim that lets one instance at a time create a resource link's own AGS line item.
 */
export class SharedInstances1764400011500 implements MigrationInterface {
  name = 'SharedInstances1764400011500';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'console_session_revocations',
        columns: [
          { name: 'sessionId', type: 'varchar', length: '64', isPrimary: true },
          { name: 'expiresAtMs', type: 'bigint' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'rate_limits',
        columns: [
          { name: 'key', type: 'varchar', length: '200', isPrimary: true },
          { name: 'tatMs', type: 'bigint' },
        ],
      }),
    );
    await q.addColumns('resource_links', [
      new TableColumn({ name: 'lineItemClaimToken', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'lineItemClaimUntil', type: 'bigint', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('resource_links', 'lineItemClaimUntil');
    await q.dropColumn('resource_links', 'lineItemClaimToken');
    await q.dropTable('rate_limits');
    await q.dropTable('console_session_revocations');
  }
}
