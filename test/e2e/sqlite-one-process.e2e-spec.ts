import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestApp } from '../support/app';

/** A SQLite database belongs to one server process (docs/deployment.md, "What instances share"). */
describe('SQLite: one server process', () => {
  it('should refuse a second server on the same SQLite file by name, and start once the first has stopped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-sqlite-lock-'));
    const env = { STORAGE_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'bridge.sqlite')}`, KEEP_STORAGE: '1' };
    const first = await createTestApp(env);
    try {
      await expect(createTestApp(env)).rejects.toThrow(/^sqlite_in_use: another server process is using .*bridge\.sqlite\. A SQLite database belongs to one server process/);
      expect((await fetch(`${first.appUrl}/health`)).status).toBe(200); // the refused start changed nothing
    } finally {
      await first.close();
    }
    const again = await createTestApp(env);
    await again.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
