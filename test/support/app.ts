import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig, AppConfig } from '../../src/config/app-config';
import { RunningServer, ServerOverrides, startServer } from '../../src/server';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestApp {
  server: RunningServer;
  config: AppConfig;
  /** App origin base URL, e.g. http://localhost:41234 */
  appUrl: string;
  /** Content origin base URL */
  contentUrl: string;
  storageDir: string;
  token: string;
  auth: { Authorization: string };
  close(): Promise<void>;
}

/**
 * Starts the real server (both origins, real SQLite file, real storage) in a fresh temp folder
 * (Vendure's createTestEnvironment). `env` overrides the environment the config is read from;
 * `overrides.clock` (a ManualClock) lets the test move the app's time instead of waiting.
 */
export async function createTestApp(env: Record<string, string> = {}, overrides: ServerOverrides = {}): Promise<TestApp> {
  const storageDir = env.STORAGE_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-test-'));
  const database = env.DATABASE_URL ? null : await testDatabase(storageDir);
  const config = loadConfig({
    PORT: '0',
    CONTENT_PORT: '0',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: process.env.LOG ? 'debug' : 'silent',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...env,
    STORAGE_DIR: storageDir,
  });
  const server = await startServer(config, overrides);
  return {
    server,
    config,
    appUrl: config.publicUrl,
    contentUrl: config.contentUrl,
    storageDir,
    token: TEST_ADMIN_TOKEN,
    auth: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    async close() {
      await server.close();
      if (!env.KEEP_STORAGE) {
        await database?.drop();
        fs.rmSync(storageDir, { recursive: true, force: true });
      }
    },
  };
}

/** Lists every file under a folder (relative paths), to prove an operation left nothing behind. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else {
        out.push(path.relative(dir, p));
      }
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * With TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) every test server runs on
 * a fresh Postgres database instead of the SQLite file, so the same suites prove the data layer is
 * portable (`npm run test:postgres`). The database belongs to the storage folder: a server restarted
 * on the same STORAGE_DIR finds the same database.
 */
export async function testDatabase(storageDir: string): Promise<{ url: string; drop(): Promise<void> } | null> {
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) {
    return null;
  }
  const marker = path.join(storageDir, '.test-database');
  let name: string;
  if (fs.existsSync(marker)) {
    name = fs.readFileSync(marker, 'utf8').trim();
  } else {
    name = `bridge_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(admin, `CREATE DATABASE ${name}`);
    fs.writeFileSync(marker, name);
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Runs one statement on the PostgreSQL server as TEST_POSTGRES_URL's user (outside any test database). */
export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
