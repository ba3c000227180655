import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { createTestApp } from '../support/app';

/**
 * WAL checkpoints run in a worker thread, not in a COMMIT on the event loop (src/database/sqlite-checkpointer.ts).
 * In WAL mode the database file changes only when a checkpoint copies pages into it, so its size shows
 * whether one ran.
 */
describe('SQLite: checkpoints off the event loop', () => {
  it('should copy committed pages into the database file from the worker, and leave no WAL once closed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-sqlite-ckpt-'));
    const file = path.join(dir, 'bridge.sqlite');
    const t = await createTestApp({ STORAGE_DIR: dir, DATABASE_URL: `sqlite:${file}`, KEEP_STORAGE: '1' });
    try {
      const ds = t.server.app.get(DataSource);
      // The server's own connection checkpoints only as the backstop, far above SQLite's default of 1,000 pages.
      expect(await ds.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 10_000 }]);
      await ds.query('CREATE TABLE scratch (b BLOB)');
      const before = fs.statSync(file).size;
      // About 2.5 MB, 640 pages: under both thresholds, so only the worker can have copied them.
      for (let i = 0; i < 40; i++) {
        await ds.query('INSERT INTO scratch (b) VALUES (randomblob(65536))');
      }
      const deadline = Date.now() + 5000;
      while (fs.statSync(file).size < before + 40 * 65536 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(fs.statSync(file).size).toBeGreaterThanOrEqual(before + 40 * 65536);
    } finally {
      await t.close();
    }
    // The worker's connection was closed first, so the server's close was the last one and removed the WAL.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
