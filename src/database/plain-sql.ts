import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, ObjectType, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** A property of entity `T` (what a column list names; a misspelt one does not compile). */
export type Prop<T> = keyof T & string;

/** What a plain statement returns on both drivers: the rows (SELECT, RETURNING) and the changed-row count. */
export interface SqlResult {
  records: Array<Record<string, unknown>>;
  affected: number | undefined;
}

/** A plain statement that does not fit the database: thrown at start-up, naming the statement. */
export class PlainSqlError extends Error {
  constructor(name: string, reason: string, sql: string) {
    super(`The plain SQL statement ${name} does not fit the database schema (${reason}): ${sql}`);
    this.name = 'PlainSqlError';
  }
}

/**
 * Plain parameterised SQL for the hot paths (launch, login, runtime commit). TypeORM's query builder
 * cost more CPU than the database work there (bench launch/runtime profiles, issue 3), and on SQLite
 * it inlines number parameters into the SQL text (a new prepared statement each time).
 *
 * Repositories build their statements in their constructors from {@link EntitySql} (column names from
 * the entity's TypeORM metadata, property names checked by the compiler) and register each one with
 * {@link statement}; at start-up (`onModuleInit`) every registered statement is prepared against the
 * migrated database, so a statement that names a missing table or column stops the boot with a
 * {@link PlainSqlError} instead of failing at the first launch. The same text runs on SQLite (`?`) and
 * Postgres (`$n`).
 */
@Injectable()
export class PlainSql implements OnModuleInit {
  readonly postgres: boolean;
  /** Each registered text: its name (for errors) and, on Postgres, its prepared-statement name (see {@link run}). */
  private readonly statements = new Map<string, { name: string; prepared: string }>();

  constructor(readonly ds: DataSource) {
    this.postgres = ds.options.type === 'postgres';
  }

  /** The statement helper of one entity's table. */
  entity<T extends object>(target: ObjectType<T>): EntitySql<T> {
    return new EntitySql(this, target);
  }

  /**
   * Registers a statement written with `?` placeholders (and no other question marks) under `name`
   * (e.g. `LoginStatesRepository.consume`) and answers its text for this driver.
   */
  statement(name: string, text: string): string {
    const sql = this.placeholders(text);
    const prepared = this.statements.get(sql)?.prepared ?? `bridge_${this.statements.size}`;
    this.statements.set(sql, { name, prepared });
    return sql;
  }

  /**
   * `?` → `$1, $2, …` on Postgres, without registering: for the variants of a registered statement
   * that differ only in the length of an IN list.
   */
  placeholders(text: string): string {
    let i = 0;
    return this.postgres ? text.replace(/\?/g, () => `$${++i}`) : text;
  }

  /**
   * Runs one statement on the transaction's runner (`m`) or on a runner of the data source, with the
   * structured result (rows and affected count) on both drivers. On Postgres a registered statement
   * runs as a named prepared statement (node-postgres prepares it once per connection, then sends
   * only its parameters): PostgreSQL then neither parses nor plans it again, which was a good share
   * of its CPU per launch (about twenty short statements each).
   */
  async run(sql: string, params: unknown[], m?: EntityManager): Promise<SqlResult> {
    const own = m?.queryRunner === undefined;
    const runner: QueryRunner = m?.queryRunner ?? this.ds.createQueryRunner();
    const name = this.postgres ? this.statements.get(sql)?.prepared : undefined;
    // TypeORM hands its query argument to node-postgres as it is, and node-postgres takes a { name, text } config there.
    const query = (name === undefined ? sql : { name, text: sql }) as string;
    try {
      const res = (await runner.query(query, params, true)) as { records?: Array<Record<string, unknown>>; affected?: number };
      return { records: res.records ?? [], affected: res.affected };
    } finally {
      if (own) {
        await runner.release();
      }
    }
  }

  onModuleInit(): Promise<void> {
    return this.prepareAll();
  }

  /**
   * Prepares every registered statement once (SQLite: the driver's `prepare`; Postgres: `PREPARE`,
   * then `DEALLOCATE`): the database checks each table and column name it uses.
   */
  async prepareAll(): Promise<void> {
    if (!this.postgres) {
      const db = (this.ds.driver as unknown as { databaseConnection: { prepare(sql: string): unknown } }).databaseConnection;
      for (const [sql, { name }] of this.statements) {
        try {
          db.prepare(sql);
        } catch (e) {
          throw new PlainSqlError(name, (e as Error).message, sql);
        }
      }
      return;
    }
    const runner = this.ds.createQueryRunner();
    try {
      for (const [sql, { name }] of this.statements) {
        try {
          await runner.query(`PREPARE bridge_plain_sql_check AS ${sql}`);
        } catch (e) {
          throw new PlainSqlError(name, (e as Error).message, sql);
        }
        await runner.query('DEALLOCATE bridge_plain_sql_check');
      }
    } finally {
      await runner.release();
    }
  }
}

/**
 * One entity's table for plain SQL: quoted table and column names from the TypeORM metadata, and the
 * driver's own value conversion (`preparePersistentValue` / `prepareHydratedValue`: dates, booleans,
 * simple-json, transformers), so rows are stored and read exactly as the TypeORM repository would.
 */
export class EntitySql<T extends object> {
  readonly table: string;
  private readonly entityName: string;
  private readonly columnsByProp = new Map<string, ColumnMetadata>();

  constructor(
    readonly plain: PlainSql,
    private readonly target: ObjectType<T>,
  ) {
    const meta = plain.ds.getMetadata(target);
    for (const c of meta.columns) {
      this.columnsByProp.set(c.propertyName, c);
    }
    this.entityName = meta.name;
    this.table = plain.ds.driver.escape(meta.tablePath);
  }

  /** The quoted column name of a property. */
  col(property: Prop<T>): string {
    return this.plain.ds.driver.escape(this.column(property).databaseName);
  }

  /** A list of properties, resolved once: its select list, its values for a write, its rows read back. */
  columns<K extends Prop<T>>(properties: readonly K[]): ColumnList<T, K> {
    return new ColumnList(this, properties, properties.map((p) => this.column(p)));
  }

  /** Every column of the entity: a whole row read as the TypeORM repository would read it. */
  allColumns(): ColumnList<T, Prop<T>> {
    return this.columns([...this.columnsByProp.keys()] as Array<Prop<T>>);
  }

  /** `INSERT INTO table (cols) VALUES (?, …)` for these properties (the others take their defaults). */
  insert(list: ColumnList<T, Prop<T>>): string {
    return `INSERT INTO ${this.table} (${list.names.join(', ')}) VALUES (${list.names.map(() => '?').join(', ')})`;
  }

  /**
   * The same INSERT, doing nothing when it meets a unique index, with one row back only when it
   * inserted (`ON CONFLICT DO NOTHING RETURNING`, SQLite ≥ 3.35 and PostgreSQL): for a row two
   * transactions may create at once, where the loser reads the winner's row instead of failing.
   */
  insertIfAbsent(list: ColumnList<T, Prop<T>>): string {
    return `${this.insert(list)} ON CONFLICT DO NOTHING RETURNING 1 AS ${this.plain.ds.driver.escape('inserted')}`;
  }

  /**
   * Postgres: one UPDATE giving `rows` rows their new values, each row found by its `key` column:
   * `UPDATE table SET col = v.col, … FROM (VALUES (?, …), …) AS v(…) WHERE table.key = v.key`. Its
   * parameters are each row's `list.values(row)` followed by its key. One statement instead of one
   * per row: one round trip and one execution. Each value is cast to its column's type (a VALUES
   * list's parameters would otherwise be text). `also`: more `, column = expression` assignments.
   */
  updateRows(list: ColumnList<T, Prop<T>>, key: Prop<T>, rows: number, also = ''): string {
    const props = [...list.properties, key];
    const names = [...list.names, this.col(key)];
    const row = `(${props.map((p) => `CAST(? AS ${this.plain.ds.driver.normalizeType(this.column(p))})`).join(', ')})`;
    return (
      `UPDATE ${this.table} SET ${list.names.map((n) => `${n} = v.${n}`).join(', ')}${also} ` +
      `FROM (VALUES ${Array.from({ length: rows }, () => row).join(', ')}) AS v(${names.join(', ')}) WHERE ${this.table}.${this.col(key)} = v.${this.col(key)}`
    );
  }

  /** A property value in the form the driver stores (the repository's own conversion). */
  value<K extends Prop<T>>(property: K, v: T[K]): unknown {
    return this.stored(v, this.column(property));
  }

  /** A new, empty entity object (what {@link ColumnList.hydrate} fills). */
  blank(): T {
    return Object.create(this.target.prototype as object) as T;
  }

  /** @internal */
  stored(v: unknown, c: ColumnMetadata): unknown {
    const out: unknown = this.plain.ds.driver.preparePersistentValue(v, c);
    if (out === undefined) {
      return null;
    }
    return !this.plain.postgres && typeof out === 'boolean' ? (out ? 1 : 0) : out;
  }

  private column(property: string): ColumnMetadata {
    const c = this.columnsByProp.get(property);
    if (!c) {
      throw new Error(`Plain SQL: the entity ${this.entityName} has no column for the property "${property}"`);
    }
    return c;
  }
}

/** Some properties of an entity, with their column metadata resolved once (see {@link EntitySql.columns}). */
export class ColumnList<T extends object, K extends Prop<T>> {
  /** Quoted column names, in order. */
  readonly names: string[];
  /** `"column" AS "property", …`: what {@link hydrate} reads. */
  readonly select: string;

  constructor(
    private readonly entity: EntitySql<T>,
    readonly properties: readonly K[],
    private readonly meta: ColumnMetadata[],
  ) {
    const escape = (s: string) => entity.plain.ds.driver.escape(s);
    this.names = meta.map((c) => escape(c.databaseName));
    this.select = meta.map((c, i) => `${this.names[i]} AS ${escape(c.propertyName)}`).join(', ');
  }

  /** `"column" = ?, …` for an UPDATE's SET. */
  get assignments(): string {
    return this.names.map((n) => `${n} = ?`).join(', ');
  }

  /** The stored values of these properties of `entity`, in order (parameters for an INSERT or SET). */
  values(entity: Pick<T, K>): unknown[] {
    const e = entity as Record<string, unknown>;
    return this.meta.map((c) => this.entity.stored(e[c.propertyName], c));
  }

  /** A row selected with {@link select} as an entity object (driver conversion applied). */
  hydrate(row: Record<string, unknown>, into: T = this.entity.blank()): T {
    const out = into as Record<string, unknown>;
    const driver = this.entity.plain.ds.driver;
    for (const c of this.meta) {
      out[c.propertyName] = driver.prepareHydratedValue(row[c.propertyName], c);
    }
    return into;
  }
}
