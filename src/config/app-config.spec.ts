import * as os from 'node:os';
import { ConfigError, loadConfig } from './app-config';

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

describe('CONTENT_LINK_SECRET (the secure_link offload mode, deploy/nginx/README.md)', () => {
  it('is unset unless given, and taken when it is safe to write into the nginx configuration', () => {
    expect(loadConfig({}, '/srv').contentLinkSecret).toBeUndefined();
    const secret = 'a'.repeat(20) + '-_0123456789AZ';
    expect(loadConfig({ CONTENT_LINK_SECRET: secret }, '/srv').contentLinkSecret).toBe(secret);
  });

  it('refuses a short secret or one with characters nginx would read as syntax', () => {
    expect(() => loadConfig({ CONTENT_LINK_SECRET: 'short' }, '/srv')).toThrow(ConfigError);
    expect(() => loadConfig({ CONTENT_LINK_SECRET: 'x'.repeat(32) + '";' }, '/srv')).toThrow('CONTENT_LINK_SECRET must be 32 to 128 characters');
  });
});

describe('CONTENT_SENDER (who writes large course files, src/content/file-sender.ts)', () => {
  it('is a helper process unless the server is named', () => {
    expect(loadConfig({}, '/srv').contentSender).toBe('process');
    expect(loadConfig({ CONTENT_SENDER: ' server ' }, '/srv').contentSender).toBe('server');
  });

  it('refuses anything else, naming both choices', () => {
    expect(() => loadConfig({ CONTENT_SENDER: 'nginx' }, '/srv')).toThrow(
      'CONTENT_SENDER must be process (large files sent by a helper process) or server (by the server itself), got "nginx"',
    );
  });
});

describe('LOG_FORMAT (text lines, or one JSON object per line: src/logging/app-logger.ts)', () => {
  it('is text unless json is named, and refuses anything else', () => {
    expect(loadConfig({}, '/srv').logFormat).toBe('text');
    expect(loadConfig({ LOG_FORMAT: ' json ' }, '/srv').logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'logfmt' }, '/srv')).toThrow('LOG_FORMAT must be text or json (one JSON object per line), got "logfmt"');
  });
});

describe('STOP_GRACE_SECONDS (how long a stopping server lets requests under way finish, src/server.ts)', () => {
  it('is 8 s unless set, and may be 0 (cut at once)', () => {
    expect(loadConfig({}, '/srv').stopGraceMs).toBe(8000);
    expect(loadConfig({ STOP_GRACE_SECONDS: '300' }, '/srv').stopGraceMs).toBe(300_000);
    expect(loadConfig({ STOP_GRACE_SECONDS: '0' }, '/srv').stopGraceMs).toBe(0);
  });

  it('refuses what is not a whole number of seconds up to an hour', () => {
    expect(() => loadConfig({ STOP_GRACE_SECONDS: '2.5' }, '/srv')).toThrow('STOP_GRACE_SECONDS must be a whole number, got "2.5"');
    expect(() => loadConfig({ STOP_GRACE_SECONDS: '7200' }, '/srv')).toThrow('STOP_GRACE_SECONDS must be between 0 and 3600, got 7200');
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

const S3 = { STORAGE: 's3', S3_BUCKET: 'courses', S3_ACCESS_KEY_ID: 'key', S3_SECRET_ACCESS_KEY: 'secret' };

describe('loadConfig: course storage', () => {
  it('should keep course files on the local disk by default', () => {
    const config = loadConfig({}, '/srv');
    expect(config.storage).toBe('local');
    expect(config.s3).toBeUndefined();
  });

  it('should read the S3 settings, with a normalised prefix and path-style addressing when asked', () => {
    const config = loadConfig({ ...S3, S3_ENDPOINT: 'http://minio:9000/', S3_REGION: 'eu-west-3', S3_PREFIX: '/bridge/prod/', S3_FORCE_PATH_STYLE: 'TRUE' }, '/srv');
    expect(config.storage).toBe('s3');
    expect(config.s3).toEqual({
      bucket: 'courses',
      region: 'eu-west-3',
      endpoint: 'http://minio:9000',
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      prefix: 'bridge/prod/',
      forcePathStyle: true,
    });
  });

  it("should leave credentials and endpoint to the AWS SDK's defaults when not given", () => {
    const config = loadConfig({ STORAGE: 's3', S3_BUCKET: 'my.bucket-1' }, '/srv');
    expect(config.s3).toEqual({ bucket: 'my.bucket-1', region: 'us-east-1', endpoint: undefined, credentials: undefined, prefix: '', forcePathStyle: false });
  });

  it.each([
    [{ STORAGE: 'gcs' }, 'STORAGE must be local or s3, got "gcs"'],
    [{ S3_BUCKET: 'courses' }, 'S3_BUCKET is set but STORAGE is not s3'],
    [{ STORAGE: 's3' }, 'S3_BUCKET is required when STORAGE=s3'],
    [{ ...S3, S3_BUCKET: 'Courses_2024' }, 'S3_BUCKET must be a bucket name'],
    [{ ...S3, S3_BUCKET: 'ab' }, 'S3_BUCKET must be a bucket name'],
    [{ ...S3, S3_REGION: 'EU West' }, 'S3_REGION must be a region name'],
    [{ ...S3, S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT must be an absolute http(s) URL'],
    [{ ...S3, S3_SECRET_ACCESS_KEY: '' }, 'S3_SECRET_ACCESS_KEY is required with S3_ACCESS_KEY_ID'],
    [{ ...S3, S3_ACCESS_KEY_ID: '' }, 'S3_ACCESS_KEY_ID is required with S3_SECRET_ACCESS_KEY'],
    [{ ...S3, S3_PREFIX: 'a/../b' }, 'S3_PREFIX must be a key prefix'],
    [{ ...S3, S3_PREFIX: 'a//b' }, 'S3_PREFIX must be a key prefix'],
    [{ ...S3, S3_FORCE_PATH_STYLE: 'yes' }, 'S3_FORCE_PATH_STYLE must be true or false, got "yes"'],
  ])('should refuse %j naming the variable', (env, message) => {
    expect(() => loadConfig(env, '/srv')).toThrow(ConfigError);
    expect(() => loadConfig(env, '/srv')).toThrow(message);
  });
});
