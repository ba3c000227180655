// Bundles the browser runtime (player/src → player/dist/player.js) with esbuild. Run by `npm run build`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import * as fs from 'node:fs';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * scorm-again 3.4.3 caps cmi.suspend_data at 64,000 characters with a regex constant it does not let
 * us configure. The server's cap is MAX_SUSPEND_DATA_CHARS (Storyline and friends write more), so at
 * bundle time the two suspend_data setters are pointed at a pattern built from the player bootstrap's
 * `maxSuspendDataChars` (`globalThis.__bridgeMaxSuspendDataChars`). The build fails if the source no
 * longer has exactly those two setters, so an upgrade cannot drop this silently.
 */
const SUSPEND_SETTER = /("\.suspend_data",\s*suspend_data,\s*)scorm(?:12|2004)_regex\.CMIString64000/g;
const suspendDataLimit = {
  name: 'bridge-suspend-data-limit',
  setup(b) {
    b.onLoad({ filter: /scorm-again[\\/]dist[\\/]esm[\\/]scorm-again\.js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const found = source.match(SUSPEND_SETTER)?.length ?? 0;
      if (found !== 2) {
        throw new Error(`expected 2 suspend_data setters in ${args.path}, found ${found}: check the suspend_data patch in player/build.mjs`);
      }
      const helper =
        'function __bridgeSuspendPattern() { var n = Math.floor(Number(globalThis.__bridgeMaxSuspendDataChars)) || 64000; return "^[\\\\s\\\\S]{0," + n + "}$"; }\n';
      return { contents: helper + source.replace(SUSPEND_SETTER, '$1__bridgeSuspendPattern()'), loader: 'js' };
    });
  },
};

export async function buildPlayer({ minify = true } = {}) {
  // The dispatch scripts (src/dispatch/README.md): the bridge page's (content origin) and the package
  // page's (inside the zip a customer imports; runs on the LMS's origin, so an older target).
  for (const [entry, out, target] of [
    ['src/dispatch-bridge.ts', 'dist/dispatch-bridge.js', 'es2020'],
    ['src/dispatch-package.ts', 'dist/dispatch-package.js', 'es2017'],
  ]) {
    await build({ entryPoints: [path.join(here, entry)], outfile: path.join(here, out), bundle: true, format: 'iife', target: [target], platform: 'browser', minify, logLevel: 'warning' });
  }
  await build({
    entryPoints: [path.join(here, 'src/main.ts')],
    outfile: path.join(here, 'dist/player.js'),
    bundle: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    minify,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
    plugins: [suspendDataLimit],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPlayer();
}
