import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export type LogLevel = 'silent' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';
const LOG_LEVELS: LogLevel[] = ['silent', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Every setting of the server, read and validated once at start-up (README.md "Configuration").
 * Nothing else in `src/` reads `process.env`.
 */
export class AppConfig {
  port: number;
  contentPort: number;
  /** Public base URL of the app origin (console, API, LTI), without a trailing slash. */
  publicUrl: string;
  /** Public base URL of the content origin (player, course files), without a trailing slash. */
  contentUrl: string;
  storageDir: string;
  /** `sqlite:<file>` (default, under storageDir) or `postgres://…`. */
  databaseUrl: string;
  /** Undefined when not configured: one is generated and kept under storageDir. */
  adminToken?: string;
  maxPackageBytes: number;
  maxUnpackedBytes: number;
  maxEntries: number;
  /** Largest allowed uncompressed/compressed ratio of one entry (zip bomb guard). */
  maxCompressionRatio: number;
  logLevel: LogLevel;
  /** How log lines are written: Nest's text lines (the default), or one JSON object per line for a log collector. */
  logFormat: 'text' | 'json';
  /** Grade outbox: first retry delay and cap of the exponential backoff (ms), and the AGS request timeout (ms). */
  gradeRetryBaseMs: number;
  gradeRetryMaxMs: number;
  gradeHttpTimeoutMs: number;
  /** Largest suspend_data (characters) a runtime commit may store; SCORM 1.2 asks for 4,096, real courses write far more (player/README.md). */
  maxSuspendDataChars: number;
  /** Most bytes of small course files the content path holds in memory (0: none). */
  contentCacheBytes: number;
  /** Most large course files streamed at once by a process (0: no limit; src/storage/file-streams.ts). */
  contentStreams: number;
  /** Who writes large course files from local storage: a helper process (the default) or the server's own event loop (src/content/file-sender.ts). */
  contentSender: 'process' | 'server';
  /**
   * The secret shared with nginx's `secure_link` in the offload mode (deploy/nginx/README.md): when
   * set, every grant also carries a keyed MD5 nginx can check by itself. Unset: grants as always.
   */
  contentLinkSecret?: string;
  /** Lifetime of the player's runtime bearer token (seconds). */
  runtimeTokenTtlSeconds: number;
  /**
   * Proxies whose X-Forwarded-For / X-Forwarded-Proto the app believes (Express's `trust proxy`):
   * `loopback`, `linklocal`, `uniquelocal`, addresses and CIDR ranges, comma-separated.
   */
  trustProxy: string;
  /** How long a stopping server (SIGTERM, SIGINT) lets the requests under way finish before it cuts them (ms; src/server.ts). */
  stopGraceMs: number;
  /** Server processes on this machine (worker mode, src/cluster.ts): 1 is one process, as always on SQLite. */
  workers: number;
  /** Where course versions live: `local` (STORAGE_DIR/content, the default) or `s3` (a bucket; uploads still pass through STORAGE_DIR/tmp). */
  storage: 'local' | 's3';
  /** The bucket settings when `storage` is `s3` (README.md "Object storage"). */
  s3?: S3Settings;
  /**
   * 'server' (every server process, each worker of a cluster too) sweeps storage at start and hourly;
   * the sweep leaves anything changed within the hour, so any number of processes may run it
   * (CourseImportService.sweep). A 'cli' process does not sweep.
   */
  role: 'server' | 'cli' = 'server';
  /** True when PUBLIC_URL / CONTENT_URL were given; otherwise they follow the listening ports. */
  explicitUrls: { public: boolean; content: boolean };

  get tmpDir(): string {
    return path.join(this.storageDir, 'tmp');
  }

  get contentDir(): string {
    return path.join(this.storageDir, 'content');
  }
}

export interface S3Settings {
  bucket: string;
  region: string;
  /** An S3-compatible server's URL (MinIO, Ceph, R2…); undefined for AWS S3 itself. */
  endpoint?: string;
  /** Both or neither; neither: the SDK's own chain (AWS_* variables, instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Put before every key (`<prefix>content/<versionId>/<path>`): '' or ending in '/'. */
  prefix: string;
  /** `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key` (MinIO and most servers without DNS per bucket). */
  forcePathStyle: boolean;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${value}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/** TRUST_PROXY: Express's named ranges, IP addresses and CIDR ranges, comma-separated (default loopback). */
function trustProxy(env: Env): string {
  const raw = (env.TRUST_PROXY ?? '').trim() || 'loopback';
  for (const part of raw.split(',').map((p) => p.trim())) {
    const [address, bits, ...rest] = part.split('/');
    const version = net.isIP(address);
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(part);
    const maskOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (version === 6 ? 128 : 32));
    if (!named && (!version || !maskOk || rest.length > 0)) {
      throw new ConfigError(`TRUST_PROXY must list loopback, linklocal, uniquelocal, IP addresses or CIDR ranges, comma-separated; "${part}" is none of them`);
    }
  }
  return raw;
}

/** Builds the configuration from an environment; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const config = new AppConfig();
  config.port = int(env, 'PORT', 3000, 0, 65535);
  config.contentPort = int(env, 'CONTENT_PORT', 3001, 0, 65535);
  if (config.port !== 0 && config.port === config.contentPort) {
    throw new ConfigError('PORT and CONTENT_PORT must differ: the content origin is kept apart from the app origin');
  }
  config.explicitUrls = { public: !!env.PUBLIC_URL, content: !!env.CONTENT_URL };
  config.publicUrl = url(env, 'PUBLIC_URL', `http://localhost:${config.port}`);
  config.contentUrl = url(env, 'CONTENT_URL', `http://localhost:${config.contentPort}`);
  if (config.explicitUrls.public && config.explicitUrls.content && new URL(config.publicUrl).origin === new URL(config.contentUrl).origin) {
    throw new ConfigError('PUBLIC_URL and CONTENT_URL must be different origins');
  }
  config.storageDir = path.resolve(cwd, env.STORAGE_DIR || 'storage');
  const db = env.DATABASE_URL?.trim();
  if (db && !/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(db)) {
    throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres://, got "${db}"`);
  }
  config.databaseUrl = db || `sqlite:${path.join(config.storageDir, 'bridge.sqlite')}`;
  const token = env.ADMIN_TOKEN?.trim();
  if (token !== undefined && token !== '' && token.length < 16) {
    throw new ConfigError('ADMIN_TOKEN must be at least 16 characters long');
  }
  config.adminToken = token || undefined;
  config.maxPackageBytes = int(env, 'MAX_PACKAGE_BYTES', 4 * 1024 ** 3, 1);
  config.maxUnpackedBytes = int(env, 'MAX_UNPACKED_BYTES', 8 * 1024 ** 3, 1);
  config.maxEntries = int(env, 'MAX_ENTRIES', 50_000, 1);
  config.maxCompressionRatio = int(env, 'MAX_COMPRESSION_RATIO', 200, 1);
  const level = (env.LOG_LEVEL || 'log').trim() as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }
  config.logLevel = level;
  const format = env.LOG_FORMAT?.trim() || 'text';
  if (format !== 'text' && format !== 'json') {
    throw new ConfigError(`LOG_FORMAT must be text or json (one JSON object per line), got "${format}"`);
  }
  config.logFormat = format;
  config.gradeRetryBaseMs = int(env, 'GRADE_RETRY_BASE_MS', 2000, 1);
  config.gradeRetryMaxMs = int(env, 'GRADE_RETRY_MAX_MS', 10 * 60_000, config.gradeRetryBaseMs);
  config.gradeHttpTimeoutMs = int(env, 'GRADE_HTTP_TIMEOUT_MS', 15_000, 50);
  config.maxSuspendDataChars = int(env, 'MAX_SUSPEND_DATA_CHARS', 256_000, 4096);
  config.contentCacheBytes = int(env, 'CONTENT_CACHE_MB', 64, 0, 1024 * 1024) * 1024 * 1024;
  config.contentStreams = int(env, 'CONTENT_STREAMS', 0, 0, 10_000);
  const sender = env.CONTENT_SENDER?.trim() || 'process';
  if (sender !== 'process' && sender !== 'server') {
    throw new ConfigError(`CONTENT_SENDER must be process (large files sent by a helper process) or server (by the server itself), got "${sender}"`);
  }
  config.contentSender = sender;
  config.runtimeTokenTtlSeconds = int(env, 'RUNTIME_TOKEN_TTL_SECONDS', 4 * 3600, 60);
  const linkSecret = env.CONTENT_LINK_SECRET?.trim();
  if (linkSecret && !/^[A-Za-z0-9_-]{32,128}$/.test(linkSecret)) {
    throw new ConfigError('CONTENT_LINK_SECRET must be 32 to 128 characters of A-Z, a-z, 0-9, _ and - (it is written into the nginx configuration)');
  }
  config.contentLinkSecret = linkSecret || undefined;
  config.trustProxy = trustProxy(env);
  config.stopGraceMs = int(env, 'STOP_GRACE_SECONDS', 8, 0, 3600) * 1000;
  const sqlite = config.databaseUrl.startsWith('sqlite:');
  config.workers = int(env, 'WORKERS', sqlite ? 1 : os.availableParallelism(), 1, 256);
  if (sqlite && config.workers > 1) {
    throw new ConfigError(`WORKERS=${config.workers} needs a PostgreSQL DATABASE_URL: a SQLite file belongs to one server process (docs/deployment.md)`);
  }
  config.storage = storageKind(env);
  config.s3 = config.storage === 's3' ? s3Settings(env) : undefined;
  return config;
}

const S3_VARIABLES = ['S3_BUCKET', 'S3_REGION', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_PREFIX', 'S3_FORCE_PATH_STYLE'];

function storageKind(env: Env): 'local' | 's3' {
  const kind = (env.STORAGE || 'local').trim();
  if (kind !== 'local' && kind !== 's3') {
    throw new ConfigError(`STORAGE must be local or s3, got "${kind}"`);
  }
  const stray = S3_VARIABLES.find((name) => env[name]);
  if (kind === 'local' && stray) {
    throw new ConfigError(`${stray} is set but STORAGE is not s3: set STORAGE=s3 to keep course files in the bucket, or remove ${stray}`);
  }
  return kind;
}

function s3Settings(env: Env): S3Settings {
  const bucket = env.S3_BUCKET?.trim();
  if (!bucket) {
    throw new ConfigError('S3_BUCKET is required when STORAGE=s3');
  }
  // S3's bucket naming rules (AWS, MinIO, Ceph and R2 share them)
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw new ConfigError(`S3_BUCKET must be a bucket name (3 to 63 lower-case letters, digits, dots and hyphens), got "${bucket}"`);
  }
  const region = (env.S3_REGION || 'us-east-1').trim();
  if (!/^[a-z0-9-]+$/.test(region)) {
    throw new ConfigError(`S3_REGION must be a region name such as eu-west-1 (or auto for R2), got "${region}"`);
  }
  const endpoint = env.S3_ENDPOINT?.trim() ? url(env, 'S3_ENDPOINT', '') : undefined;
  const accessKeyId = env.S3_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY?.trim();
  if (!!accessKeyId !== !!secretAccessKey) {
    throw new ConfigError(`${accessKeyId ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'} is required with ${accessKeyId ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY'} (or set neither to use the AWS SDK's own credentials)`);
  }
  const prefix = (env.S3_PREFIX ?? '').trim().replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((seg) => seg === '.' || seg === '..') || /[\0\\]|\/\//.test(prefix)) {
    throw new ConfigError(`S3_PREFIX must be a key prefix such as bridge/prod, got "${env.S3_PREFIX}"`);
  }
  const pathStyle = (env.S3_FORCE_PATH_STYLE || 'false').trim().toLowerCase();
  if (pathStyle !== 'true' && pathStyle !== 'false') {
    throw new ConfigError(`S3_FORCE_PATH_STYLE must be true or false, got "${env.S3_FORCE_PATH_STYLE}"`);
  }
  return {
    bucket,
    region,
    endpoint,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    prefix: prefix ? `${prefix}/` : '',
    forcePathStyle: pathStyle === 'true',
  };
}
