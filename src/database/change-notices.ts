import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

/** The tables some instance keeps in memory, named by what changed. */
export type ChangeTopic = 'tool-keys' | 'platforms' | 'customers' | 'licences' | 'course-versions';

/**
 * What a handler is told: which rows changed (`ids`, for a topic published with them), or
 * `undefined` — anything of the topic may have changed (published without ids, or a notice may have
 * been missed while the listening connection was down): drop every copy.
 */
export type ChangeHandler = (ids?: string[]) => void;

/**
 * Deletes the entries of an in-memory copy that a change names: those whose id (`idOf`) is among
 * `ids`, or all of them when the change named none. Answers the entries deleted.
 */
export function forgetChanged<V>(map: Map<string, V>, idOf: (key: string, value: V) => string, ids?: string[]): V[] {
  const named = ids && new Set(ids);
  const gone: V[] = [];
  for (const [key, value] of map) {
    if (!named || named.has(idOf(key, value))) {
      map.delete(key);
      gone.push(value);
    }
  }
  return gone;
}

const TOPICS: ChangeTopic[] = ['tool-keys', 'platforms', 'customers', 'licences', 'course-versions'];
const CHANNEL = 'bridge_changes';
/** A NOTIFY payload must stay under 8000 bytes; a longer list of ids is sent as "everything". */
const PAYLOAD_MAX = 7000;
/** Wait before listening again after the listening connection broke. */
const RECONNECT_MS = 1000;
/**
 * The listening connection is asked `SELECT 1` this often, and is given up as lost when the answer
 * takes longer than HEARTBEAT_TIMEOUT_MS: a connection that died silently (a firewall or NAT that
 * forgot it, a peer gone without a reset) raises no error, and would otherwise miss every notice.
 */
const HEARTBEAT_MS = 5000;
const HEARTBEAT_TIMEOUT_MS = 5000;

/**
 * Tells every instance on the database that a table it keeps in memory changed, so a registration,
 * customer, licence or tool key changed, or a course deleted, through one instance is used (or
 * forgotten) by all of them at once
 * (docs/deployment.md, "What instances share"). On PostgreSQL a change is a `NOTIFY bridge_changes`
 * and each instance holds one extra connection that `LISTEN`s; a notice costs nothing until something
 * changes, where checking a version row would cost a query on every launch. A notice missed while
 * that connection was down is covered by dropping every cache when it is back (and each cache still
 * reloads on its own after its short lifetime); a connection that died without an error is found by
 * a heartbeat query (HEARTBEAT_MS). On SQLite there is one process: the notice is local.
 */
@Injectable()
export class ChangeNotices implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeNotices.name);
  private readonly handlers = new Map<ChangeTopic, ChangeHandler[]>();
  private readonly generations = new Map<ChangeTopic, number>();
  private listener: Client | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly postgres: boolean;

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {
    this.postgres = db.options.type === 'postgres';
  }

  /** Runs `handler` whenever `topic` changes, through this instance or another. */
  on(topic: ChangeTopic, handler: ChangeHandler): void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), handler]);
  }

  /**
   * How many changes of `topic` this instance has heard. A cache that reads from the database keeps
   * what it read only when this is the same as before the read: a change heard meanwhile may have
   * dropped what the read brought back.
   */
  generation(topic: ChangeTopic): number {
    return this.generations.get(topic) ?? 0;
  }

  /**
   * Announces a change that was just written: this instance's handlers run now, the others' on the
   * notice (`topic`, or `topic:id,id,…` when the changed rows are named).
   */
  publish(topic: ChangeTopic, ids?: string[]): void {
    let payload = ids ? `${topic}:${ids.join(',')}` : topic;
    if (payload.length > PAYLOAD_MAX) {
      [payload, ids] = [topic, undefined];
    }
    this.deliver(topic, ids);
    if (this.postgres) {
      this.db.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]).catch((err: Error) => this.logger.error(`Could not announce a change of ${topic} to the other instances: ${err.message}`));
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.postgres && this.config.role !== 'cli') {
      await this.listen();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeat();
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl });
    this.listener = client;
    const lost = (why: string) => {
      if (this.stopped || this.listener !== client) {
        return;
      }
      this.listener = null;
      this.stopHeartbeat();
      this.logger.warn(`Lost the connection that hears changes from other instances (${why}); listening again in ${RECONNECT_MS} ms`);
      void client.end().catch(() => undefined);
      setTimeout(() => void this.reconnect(), RECONNECT_MS);
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('closed'));
    client.on('notification', (n) => {
      const [topic, ids] = (n.payload ?? '').split(':', 2);
      if (n.channel === CHANNEL && TOPICS.includes(topic as ChangeTopic)) {
        this.deliver(topic as ChangeTopic, ids?.split(','));
      }
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.heartbeat = setInterval(() => {
      const late = setTimeout(() => lost(`no answer to a heartbeat within ${HEARTBEAT_TIMEOUT_MS} ms`), HEARTBEAT_TIMEOUT_MS).unref();
      client.query('SELECT 1').then(
        () => clearTimeout(late),
        (err: Error) => {
          clearTimeout(late);
          lost(err.message);
        },
      );
    }, HEARTBEAT_MS).unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) {
      return;
    }
    try {
      await this.listen();
      TOPICS.forEach((t) => this.deliver(t)); // whatever changed meanwhile
    } catch (err) {
      this.listener = null;
      this.logger.warn(`Could not listen for changes from other instances (${(err as Error).message}); trying again in ${RECONNECT_MS} ms`);
      setTimeout(() => void this.reconnect(), RECONNECT_MS);
    }
  }

  private deliver(topic: ChangeTopic, ids?: string[]): void {
    this.generations.set(topic, this.generation(topic) + 1);
    for (const handler of this.handlers.get(topic) ?? []) {
      handler(ids);
    }
  }
}
