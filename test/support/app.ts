import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, AppConfig } from '../../src/config/app-config';
import { RunningServer, startServer } from '../../src/server';

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
 * (Vendure's createTestEnvironment). `env` overrides the environment the config is read from.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const storageDir = env.STORAGE_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-test-'));
  const config = loadConfig({
    PORT: '0',
    CONTENT_PORT: '0',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: process.env.LOG ? 'debug' : 'silent',
    ...env,
    STORAGE_DIR: storageDir,
  });
  const server = await startServer(config);
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
