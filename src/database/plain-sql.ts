import type { DataSource, EntityManager, EntityTarget, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** What a plain statement returns on both drivers: the rows (SELECT, RETURNING) and the changed-row count. */
export interface SqlResult {
  records: Array<Record<string, unknown>>;
  affected: number | undefined;
}

/**
 * Plain parameterised SQL for one entity's table, built once per driver, for the launch path (login
 * state, launch code, learner/link/attempt). TypeORM's query builder cost more CPU than the database
 * work on this path (bench/launch profile, issue 3), and on SQLite it inlines number parameters into
 * the SQL text (a new prepared statement each time). Values still go through the driver's own
 * conversion (`preparePersistentValue` / `prepareHydratedValue`: dates, booleans, simple-json,
 * transformers), so rows are stored and read exactly as the repository would, on SQLite (`?`) and
 * on Postgres (`$n`).
 */
export class EntitySql {
  readonly table: string;
  readonly postgres: boolean;
  private readonly columns = new Map<string, ColumnMetadata>();

  constructor(
    private readonly ds: DataSource,
    target: EntityTarget<object>,
  ) {
    const meta = ds.getMetadata(target);
    for (const c of meta.columns) {
      this.columns.set(c.propertyName, c);
    }
    this.table = ds.driver.escape(meta.tablePath);
    this.postgres = ds.options.type === 'postgres';
  }

  /** The quoted column name of a property. */
  col(property: string): string {
    return this.ds.driver.escape(this.column(property).databaseName);
  }

  /** `"column" AS "property"` for each property (what {@link hydrate} reads). */
  selectList(properties: readonly string[]): string {
    return properties.map((p) => `${this.col(p)} AS ${this.ds.driver.escape(p)}`).join(', ');
  }

  /** `INSERT INTO table (cols) VALUES (?, …)` for these properties (the others take their defaults). */
  insert(properties: readonly string[]): string {
    return this.sql(`INSERT INTO ${this.table} (${properties.map((p) => this.col(p)).join(', ')}) VALUES (${properties.map(() => '?').join(', ')})`);
  }

  /** `?` → `$1, $2, …` on Postgres (the statements built here have no other question marks). */
  sql(text: string): string {
    let i = 0;
    return this.postgres ? text.replace(/\?/g, () => `$${++i}`) : text;
  }

  /** A property value in the form the driver stores (the repository's own conversion). */
  value(property: string, v: unknown): unknown {
    const out: unknown = this.ds.driver.preparePersistentValue(v, this.column(property));
    if (out === undefined) {return null;}
    return !this.postgres && typeof out === 'boolean' ? (out ? 1 : 0) : out;
  }

  /** The stored values of `properties` of `entity`, in order (parameters for {@link insert}). */
  values(entity: object, properties: readonly string[]): unknown[] {
    const e = entity as Record<string, unknown>;
    return properties.map((p) => this.value(p, e[p]));
  }

  /** A row selected with {@link selectList} as plain property values (driver conversion applied). */
  hydrate<T>(row: Record<string, unknown>, properties: readonly string[], into: T = {} as T): T {
    const out = into as Record<string, unknown>;
    for (const p of properties) {
      out[p] = this.ds.driver.prepareHydratedValue(row[p], this.column(p));
    }
    return into;
  }

  private column(property: string): ColumnMetadata {
    const c = this.columns.get(property);
    if (!c) {throw new Error(`${this.table} has no column for ${property}`);}
    return c;
  }
}

/**
 * Runs one statement on the transaction's runner (`m`) or on a runner of the data source, with the
 * structured result (rows and affected count) on both drivers.
 */
export async function runSql(ds: DataSource, m: EntityManager | undefined, sql: string, params: unknown[]): Promise<SqlResult> {
  const own = m?.queryRunner === undefined;
  const runner: QueryRunner = m?.queryRunner ?? ds.createQueryRunner();
  try {
    const res = (await runner.query(sql, params, true)) as { records?: Array<Record<string, unknown>>; affected?: number };
    return { records: res.records ?? [], affected: res.affected };
  } finally {
    if (own) {await runner.release();}
  }
}
