import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { createTestApp, listFiles, testDatabase } from '../support/app';
import { writeFixtureZip } from '../support/scorm-package.builder';

const ROOT = path.resolve(__dirname, '../..');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', ...args],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('CLI (npm run import)', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-cli-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should import a package into the same storage the server then serves, and add a version with --course', async () => {
    const storage = path.join(dir, 'storage');
    fs.mkdirSync(storage, { recursive: true });
    const database = await testDatabase(storage);
    const env = { STORAGE_DIR: storage, ...(database ? { DATABASE_URL: database.url } : {}) };
    const zip = await writeFixtureZip('scorm2004-4th-multi-sco', path.join(dir, 'course.zip'));
    const first = await runCli([zip, '--json'], env);
    expect(first.stderr).toContain('Checking the package');
    expect(first.code).toBe(0);
    const course = JSON.parse(first.stdout);
    expect(course.currentVersion).toMatchObject({ number: 1, scormVersion: '2004', edition: '4th' });

    // the same zip again is named a duplicate, and imported only when --on-duplicate says how
    const refused = await runCli([zip, '--course', course.id], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Import failed (course_duplicate): This zip is already version 1 of');
    const second = await runCli([zip, '--course', course.id, '--on-duplicate', 'new-version'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`course id:  ${course.id}`);
    expect(second.stdout).toMatch(/version: +2 /);

    const t = await createTestApp({ STORAGE_DIR: storage });
    try {
      const detail = await request(t.appUrl).get(`/api/courses/${course.id}`).set(t.auth).expect(200);
      expect(detail.body.versions).toHaveLength(2);
      await request(detail.body.currentVersion.scos[0].url).get('').expect(200);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('should exit non-zero with the reason when the package cannot be imported, leaving nothing behind', async () => {
    const storage = path.join(dir, 'bad-storage');
    fs.mkdirSync(storage, { recursive: true });
    const database = await testDatabase(storage);
    const zip = await writeFixtureZip('launch-target-missing', path.join(dir, 'bad.zip'));
    const res = await runCli([zip], { STORAGE_DIR: storage, ...(database ? { DATABASE_URL: database.url } : {}) });
    await database?.drop();
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Import failed \(launch_target_missing\): .+/);
    expect(listFiles(path.join(storage, 'content'))).toEqual([]);
    expect(listFiles(path.join(storage, 'tmp'))).toEqual([]);
  }, 60_000);

  it('should explain its usage when called wrongly', async () => {
    const none = await runCli([], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: npm run import');
    const unknown = await runCli(['a.zip', '--colour'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    const noId = await runCli(['a.zip', '--course'], {});
    expect(noId.code).toBe(2);
    expect(noId.stderr).toContain('--course');
    const missing = await runCli([path.join(dir, 'nope.zip')], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  }, 60_000);
});
