import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SERVER_NODE_FLAGS } from '../src/node-flags';

/**
 * The server the import benchmark measures, as a process of its own (so its RSS is the server's
 * alone): how it is started (transpiled src/, dist/ or ts-node), its start-up on free ports with a
 * temporary storage folder, its stop, and its peak RSS.
 */

/** The project root, and the bench's output folder (gitignored). */
export const ROOT = path.resolve(__dirname, '..');
export const OUT = path.join(__dirname, 'out');
export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcd';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * How to start the server. Default: every src/ file transpiled (no type check, as ts-node
 * transpile-only does, but ahead of time so the measured RSS holds no compiler) into
 * bench/out/server/, a private copy that other work rebuilding dist/ cannot remove mid-run.
 * BENCH_SERVER=dist runs `npm run build` and dist/main.js; BENCH_SERVER=ts-node runs src/main.ts.
 */
export function serverCommand(): string[] {
  const mode = process.env.BENCH_SERVER ?? 'transpile';
  if (mode === 'ts-node') {
    return [...SERVER_NODE_FLAGS, '-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/main.ts')];
  }
  if (mode === 'dist') {
    process.stdout.write('building the server (npm run build)…\n');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) {
      throw new Error('npm run build failed; run without BENCH_SERVER=dist to transpile src/ instead');
    }
    return [...SERVER_NODE_FLAGS, path.join(ROOT, 'dist/main.js')];
  }
  return [...SERVER_NODE_FLAGS, transpileServer()];
}

function transpileServer(): string {
  // Loaded lazily: only this fallback needs the compiler.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, ROOT);
  const outDir = path.join(OUT, 'server');
  fs.rmSync(outDir, { recursive: true, force: true });
  const walk = (dir: string): void => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) {
        walk(full);
      } else if (d.name.endsWith('.ts') && !d.name.endsWith('.spec.ts') && !d.name.endsWith('.d.ts')) {
        const out = ts.transpileModule(fs.readFileSync(full, 'utf8'), { compilerOptions: { ...options, sourceMap: false }, fileName: full });
        const target = path.join(outDir, path.relative(path.join(ROOT, 'src'), full)).replace(/\.ts$/, '.js');
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, out.outputText);
      } else if (d.name.endsWith('.json')) {
        // data a module imports (src/sequencing/engine-patches.json)
        const target = path.join(outDir, path.relative(path.join(ROOT, 'src'), full));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(full, target);
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return path.join(outDir, 'main.js');
}

export interface Server {
  child: ChildProcess;
  port: number;
  storage: string;
  stop: () => Promise<void>;
}

/** Starts the server on free ports with a temporary storage folder; `env` adds to (or overrides) its environment, e.g. a DATABASE_URL. */
export async function startServer(args: string[], env: Record<string, string> = {}): Promise<Server> {
  const storage = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'bench-storage-'));
  const port = await freePort();
  let contentPort = await freePort();
  while (contentPort === port) {
    contentPort = await freePort();
  }
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), CONTENT_PORT: String(contentPort), STORAGE_DIR: storage, ADMIN_TOKEN, LOG_LEVEL: 'warn', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the server exited with code ${child.exitCode} during start-up`);
    }
    const status = await new Promise<number>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/health' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
    });
    if (status === 200) {
      break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the server did not answer GET /health within 60 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    port,
    storage,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await fs.promises.rm(storage, { recursive: true, force: true });
    },
  };
}

/** Peak resident set of a process: VmHWM (kernel-tracked high-water mark), cross-checked by sampling VmRSS. */
export function rssSampler(pid: number): { stop: () => number } {
  const read = (field: string): number => {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  let peak = read('VmRSS');
  const timer = setInterval(() => {
    peak = Math.max(peak, read('VmRSS'));
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, read('VmHWM'));
    },
  };
}
