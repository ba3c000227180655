// Bundles the browser runtime (player/src → player/dist/player.js) with esbuild. Run by `npm run build`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function buildPlayer({ minify = true } = {}) {
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
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPlayer();
}
