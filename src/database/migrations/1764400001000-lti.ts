import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';
import { createdUpdated, uuidColumn } from './columns';

/** LTI 1.3: platforms, deployments, tool keys, login states. Portable Table API only. */
export class Lti1764400001000 implements MigrationInterface {
  name = 'Lti1764400001000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'platforms',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'issuer', type: 'varchar', length: '500' },
          { name: 'clientId', type: 'varchar', length: '255' },
          { name: 'authorizationEndpoint', type: 'varchar', length: '1000' },
          { name: 'tokenEndpoint', type: 'varchar', length: '1000' },
          { name: 'tokenAudience', type: 'varchar', length: '1000', isNullable: true },
          { name: 'jwksUri', type: 'varchar', length: '1000' },
          { name: 'registeredBy', type: 'varchar', length: '20', default: "'manual'" },
          { name: 'grantedScopes', type: 'text', isNullable: true },
          ...createdUpdated(q),
        ],
        indices: [{ columnNames: ['issuer', 'clientId'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'platform_deployments',
        columns: [
          uuidColumn('id', { isPrimary: true }),
          uuidColumn('platformId'),
          { name: 'deploymentId', type: 'varchar', length: '255' },
          createdUpdated(q)[0],
        ],
        indices: [{ columnNames: ['platformId', 'deploymentId'], isUnique: true }],
        foreignKeys: [new TableForeignKey({ columnNames: ['platformId'], referencedTableName: 'platforms', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'tool_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'publicJwk', type: 'text' },
          { name: 'privateJwk', type: 'text' },
          { name: 'createdAtMs', type: 'bigint' },
          { name: 'retiredAtMs', type: 'bigint', isNullable: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'lti_login_states',
        columns: [
          { name: 'state', type: 'varchar', length: '64', isPrimary: true },
          { name: 'nonce', type: 'varchar', length: '64' },
          uuidColumn('platformId'),
          { name: 'issuer', type: 'varchar', length: '500' },
          { name: 'clientId', type: 'varchar', length: '255' },
          { name: 'loginDeploymentId', type: 'varchar', length: '255', isNullable: true },
          { name: 'targetLinkUri', type: 'text' },
          { name: 'loginHint', type: 'text' },
          { name: 'messageHint', type: 'text', isNullable: true },
          { name: 'bindingHash', type: 'varchar', length: '64' },
          { name: 'storageTarget', type: 'varchar', length: '200', isNullable: true },
          { name: 'createdAtMs', type: 'bigint' },
          { name: 'expiresAtMs', type: 'bigint' },
          { name: 'consumedAtMs', type: 'bigint', isNullable: true },
        ],
        indices: [{ columnNames: ['expiresAtMs'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('lti_login_states');
    await q.dropTable('tool_keys');
    await q.dropTable('platform_deployments');
    await q.dropTable('platforms');
  }
}
