import { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns rewritten by nearly every runtime commit, the largest values the server writes. */
const COLUMNS: Array<[table: string, column: string]> = [
  ['sco_states', 'suspendData'],
  ['sco_states', 'cmi'],
  ['attempt_sequencing', 'state'],
];

/**
 * PostgreSQL: the values a runtime commit rewrites (suspend_data up to 64 KB+, the rest of the data
 * model, a 2004 attempt's sequencing state) are compressed with LZ4 instead of the default pglz.
 * A row over ~2 KB is compressed on every UPDATE, and pglz was the largest single item of
 * PostgreSQL's CPU profile under the runtime bench (about a tenth); LZ4 compresses several times
 * faster. Needs PostgreSQL 14+ built with LZ4 (Debian's and the official images are); elsewhere, and
 * on SQLite, nothing changes. Values already stored keep their compression until rewritten.
 */
export class Lz4CommitColumns1764400015500 implements MigrationInterface {
  name = 'Lz4CommitColumns1764400015500';

  async up(q: QueryRunner): Promise<void> {
    await setCompression(q, 'lz4');
  }

  async down(q: QueryRunner): Promise<void> {
    await setCompression(q, 'pglz');
  }
}

async function setCompression(q: QueryRunner, method: 'lz4' | 'pglz'): Promise<void> {
  if (q.connection.driver.options.type !== 'postgres') {
    return;
  }
  const [lz4] = (await q.query(`SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`)) as unknown[];
  if (!lz4) {
    return;
  }
  for (const [table, column] of COLUMNS) {
    await q.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" SET COMPRESSION ${method}`);
  }
}
