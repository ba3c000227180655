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

describe('TRUST_PROXY', () => {
  it('trusts loopback unless told, and takes named ranges, addresses and CIDR ranges', () => {
    expect(loadConfig({}, '/srv').trustProxy).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, 192.168.1.5, fd00::/8, uniquelocal' }, '/srv').trustProxy).toBe(
      'loopback, 10.0.0.0/8, 192.168.1.5, fd00::/8, uniquelocal',
    );
  });

  it('refuses anything else, naming the part', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'loopback, everyone' }, '/srv')).toThrow(
      'TRUST_PROXY must list loopback, linklocal, uniquelocal, IP addresses or CIDR ranges, comma-separated; "everyone" is none of them',
    );
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' }, '/srv')).toThrow('"10.0.0.0/33" is none of them');
    expect(() => loadConfig({ TRUST_PROXY: 'true' }, '/srv')).toThrow('"true" is none of them');
  });
});
