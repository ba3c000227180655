// Bundles the browser runtime (player/src → player/dist/player-scorm12.js and player-scorm2004.js) with
// esbuild and prints their sizes. Run by `npm run build`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * One bundle per SCORM version: a 1.2 course never downloads the 2004 runtime and its sequencing engine.
 * The server names the same files (PLAYER_SCRIPTS in src/player/player-page.ts).
 */
export const PLAYER_BUNDLES = [
  { version: '1.2', entry: 'entry-scorm12.ts', file: 'player-scorm12.js' },
  { version: '2004', entry: 'entry-scorm2004.ts', file: 'player-scorm2004.js' },
];

/**
 * scorm-again 3.4.3 caps cmi.suspend_data at 64,000 characters with a regex constant it does not let
 * us configure. The server's cap is MAX_SUSPEND_DATA_CHARS (Storyline and friends write more), so at
 * bundle time the suspend_data setter of each runtime (scorm12.js, scorm2004.js) is pointed at a
 * pattern built from the player bootstrap's `maxSuspendDataChars` (`globalThis.__bridgeMaxSuspendDataChars`).
 * The build fails if a runtime no longer has exactly that one setter, so an upgrade cannot drop this silently.
 */
const SUSPEND_SETTER = /("\.suspend_data",\s*suspend_data,\s*)scorm(?:12|2004)_regex\.CMIString64000/g;

function patchSuspendData(source, file) {
  const found = source.match(SUSPEND_SETTER)?.length ?? 0;
  if (found !== 1) {
    throw new Error(`expected 1 suspend_data setter in ${file}, found ${found}: check the suspend_data patch in player/build.mjs`);
  }
  const helper =
    'function __bridgeSuspendPattern() { var n = Math.floor(Number(globalThis.__bridgeMaxSuspendDataChars)) || 64000; return "^[\\\\s\\\\S]{0," + n + "}$"; }\n';
  return helper + source.replace(SUSPEND_SETTER, '$1__bridgeSuspendPattern()');
}

/**
 * The sequencing engine's patches (src/sequencing/engine-patches.json) apply in the browser as on the
 * server: the same `patchEngineSource` of src/sequencing/engine.ts, compiled here by esbuild.
 */
async function loadEnginePatcher() {
  const out = await build({
    entryPoints: [path.join(here, '../src/sequencing/engine.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`;
  return (await import(url)).patchEngineSource;
}

function runtimePatches(patchEngineSource) {
  return {
    name: 'bridge-runtime-patches',
    setup(b) {
      b.onLoad({ filter: /scorm-again[\\/]dist[\\/]esm[\\/]scorm(12|2004)\.js$/ }, async (args) => {
        let source = patchSuspendData(await fs.promises.readFile(args.path, 'utf8'), args.path);
        if (/scorm2004\.js$/.test(args.path)) {
          source = patchEngineSource(source, args.path);
        }
        return { contents: source, loader: 'js' };
      });
    },
  };
}

export async function buildPlayer({ minify = true, quiet = false } = {}) {
  // The dispatch scripts (src/dispatch/README.md): the bridge page's (content origin) and the package
  // page's (inside the zip a customer imports; runs on the LMS's origin, so an older target).
  for (const [entry, out, target] of [
    ['src/dispatch-bridge.ts', 'dist/dispatch-bridge.js', 'es2020'],
    ['src/dispatch-package.ts', 'dist/dispatch-package.js', 'es2017'],
  ]) {
    await build({ entryPoints: [path.join(here, entry)], outfile: path.join(here, out), bundle: true, format: 'iife', target: [target], platform: 'browser', minify, logLevel: 'warning' });
  }
  const plugin = runtimePatches(await loadEnginePatcher());
  const sizes = [];
  for (const { version, entry, file } of PLAYER_BUNDLES) {
    const outfile = path.join(here, 'dist', file);
    await build({
      entryPoints: [path.join(here, 'src', entry)],
      outfile,
      bundle: true,
      format: 'iife',
      target: ['es2020'],
      platform: 'browser',
      minify,
      sourcemap: true,
      legalComments: 'linked',
      logLevel: 'warning',
      plugins: [plugin],
    });
    const code = fs.readFileSync(outfile);
    sizes.push({ version, file, bytes: code.length, gzip: zlib.gzipSync(code, { level: 9 }).length });
  }
  if (!quiet) {
    for (const s of sizes) {
      console.log(`player bundle for SCORM ${s.version} courses: ${s.file} ${(s.bytes / 1024).toFixed(1)} KiB (${(s.gzip / 1024).toFixed(1)} KiB gzip)`);
    }
  }
  return sizes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPlayer();
}
