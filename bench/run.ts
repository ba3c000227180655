/**
 * `npm run bench [-- name…]`: runs the named benchmarks, or all of them. To add one, write
 * bench/<name>.ts exporting `run(): Promise<boolean | void>` (false = a target was missed) and add
 * it to BENCHES below. Exit code 1 when any bench misses a target or fails.
 */
type Bench = () => Promise<{ run: () => Promise<boolean | void> }>;

const BENCHES: Record<string, Bench> = {
  import: () => import('./import'),
  runtime: () => import('./runtime'),
  launch: () => import('./launch'),
  content: () => import('./content'),
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    process.stderr.write(`Unknown bench: ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
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
