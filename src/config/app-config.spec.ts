import * as os from 'node:os';
import { loadConfig } from './app-config';

describe('WORKERS (worker mode, src/cluster.ts)', () => {
  const pg = { DATABASE_URL: 'postgres://bridge@db.example/bridge' };

  it('runs one process on SQLite and one worker per core on PostgreSQL unless told', () => {
    expect(loadConfig({}, '/srv').workers).toBe(1);
    expect(loadConfig(pg, '/srv').workers).toBe(os.availableParallelism());
    expect(loadConfig({ ...pg, WORKERS: '3' }, '/srv').workers).toBe(3);
    expect(loadConfig({ WORKERS: '1' }, '/srv').workers).toBe(1);
  });

  it('refuses more than one worker on SQLite, and a count that is not a whole number from 1', () => {
    expect(() => loadConfig({ WORKERS: '2' }, '/srv')).toThrow('WORKERS=2 needs a PostgreSQL DATABASE_URL: a SQLite file belongs to one server process');
    expect(() => loadConfig({ ...pg, WORKERS: '0' }, '/srv')).toThrow('WORKERS must be between 1 and 256, got 0');
    expect(() => loadConfig({ ...pg, WORKERS: 'all' }, '/srv')).toThrow('WORKERS must be a whole number, got "all"');
  });
});
