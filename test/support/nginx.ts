import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { knownContentTypes } from '../../src/content/content-types';

/** Debian's nginx (the content bench's reference and the offload mode's test). */
export const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';

/** The shipped nginx configuration of the offload mode (deploy/nginx/README.md). */
export const NGINX_CONF_DIR = path.resolve(__dirname, '../../deploy/nginx');

export interface RunningNginx {
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * nginx in the foreground with one worker, as the current user (also when that is root), every path
 * it writes under `dir`; `http` is the body of its `http {}` block. Resolves once `port` accepts connections.
 */
export async function startNginx(dir: string, port: number, http: string): Promise<RunningNginx> {
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
user ${os.userInfo().username};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log error;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${http}
}
`,
  );
  const child = spawn(NGINX, ['-p', dir, '-e', `${dir}/error.log`, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await canConnect(port)) {
      return {
        process: child,
        async stop() {
          child.kill('SIGQUIT');
          await exited;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  const log = fs.existsSync(`${dir}/error.log`) ? fs.readFileSync(`${dir}/error.log`, 'utf8') : '';
  throw new Error(`nginx did not start: ${stderr}${log}`);
}

export function nginxVersion(): string {
  const r = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
  return /nginx\/(\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '?';
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A shipped template with its `${NAME}` placeholders filled in (what `envsubst` with the same names does). */
export function renderTemplate(file: string, values: Record<string, string>): string {
  return fs.readFileSync(file, 'utf8').replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * deploy/nginx/content-types.conf as it must be: the Content-Type the bridge answers for every
 * extension (src/content/content-types.ts), as nginx `types` plus the types nginx adds `charset=utf-8` to.
 * `npm run nginx:types` writes it.
 */
export function renderNginxContentTypes(): string {
  const byType = new Map<string, string[]>();
  const withCharset = new Set<string>();
  for (const [ext, contentType] of knownContentTypes()) {
    const [type, ...params] = contentType.split(';').map((p) => p.trim());
    if (params.some((p) => p.toLowerCase() === 'charset=utf-8')) {
      withCharset.add(type);
    }
    byType.set(type, [...(byType.get(type) ?? []), ext]);
  }
  const lines = [...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, exts]) => `    ${type} ${exts.join(' ')};`);
  return (
    `# Generated from src/content/content-types.ts by \`npm run nginx:types\`; a test fails when it is out of date.\n` +
    `types {\n${lines.join('\n')}\n}\n` +
    `default_type application/octet-stream;\n` +
    `charset utf-8;\n` +
    `charset_types ${[...withCharset].sort().join(' ')};\n`
  );
}

if (require.main === module && process.argv[2] === 'write-content-types') {
  fs.writeFileSync(path.join(NGINX_CONF_DIR, 'content-types.conf'), renderNginxContentTypes());
}
