/**
 * `npm run bench [-- name… [--instances N] [--kill] [--beside-runtime]]`: runs the named benchmarks, or all of them. To add one, write
 * bench/<name>.ts exporting `run(): Promise<boolean | void>` (false = a target was missed) and add
 * it to BENCHES below. Exit code 1 when any bench misses a target or fails.
 */
import { missingServerFlags } from '../src/node-flags';

type Bench = () => Promise<{ run: () => Promise<boolean | void> }>;

const BENCHES: Record<string, Bench> = {
  import: () => import('./import'),
  runtime: () => import('./runtime'),
  launch: () => import('./launch'),
  content: () => import('./content'),
  reports: () => import('./reports'),
  'request-lines': () => import('./request-lines'),
};

/** Options that take a value (`--instances 2`): the value is not a bench name. */
const VALUED = ['--instances'];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const names = args.filter((a, i) => !a.startsWith('-') && !VALUED.includes(args[i - 1]));
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    process.stderr.write(`Unknown bench: ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  const missing = missingServerFlags();
  if (missing.length) {
    // the benches that run the server in this process would measure it as `npm start` does not run it
    process.stdout.write(`started without ${missing.join(' ')} (npm run bench passes it): the servers in this process are measured without it\n`);
  }
  let ok = true;
  for (const name of names.length ? names : Object.keys(BENCHES)) {
    process.stdout.write(`\n== bench ${name} ==\n`);
    try {
      const passed = await (await BENCHES[name]()).run();
      ok = ok && passed !== false;
    } catch (err) {
      ok = false;
      process.stderr.write(`bench ${name} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    }
  }
  process.exit(ok ? 0 : 1);
}

void main();
