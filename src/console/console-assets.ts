import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One console file held in memory, with the ETag browsers revalidate against (`Cache-Control: no-cache`). */
export interface ConsoleAsset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.html': 'text/html; charset=utf-8',
};

/** Names a page may load from `/console/assets/`: flat, lower-case (no path, no index.html, no tsconfig or .d.ts). */
export const ASSET_NAME = /^[a-z0-9-]+\.(js|css|svg|png)$/;

/**
 * The tool's icon at stable public addresses of the app origin: what an LMS shows beside the tool
 * (`logo_uri` of Dynamic Registration, the "Icon URL" of a manual set-up) and the browser tab's icon.
 * `favicon.svg` is the drawing; `icon.png` is it rendered at 256×256 for LMSs that want a raster image
 * (made with `chromium --headless --window-size=256,256 --screenshot` of a page showing the SVG at that size).
 */
export const TOOL_ICON = { svg: { path: '/icon.svg', file: 'favicon.svg' }, png: { path: '/icon.png', file: 'icon.png' } } as const;

/** The folder of the console's static files: beside this file (src/ under ts-node, dist/ when copied), else the source tree. */
function publicDir(): string {
  const candidates = [path.join(__dirname, 'public'), path.resolve(__dirname, '../../src/console/public'), path.resolve(process.cwd(), 'src/console/public')];
  return candidates.find((d) => fs.existsSync(path.join(d, 'index.html'))) ?? candidates[0];
}

/**
 * Reads the console's page and its modules once, at start-up: the folder is part of the release, so
 * the files do not change while the server runs, and a request never touches the disk.
 */
export function loadConsoleAssets(dir = publicDir()): Map<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  for (const name of fs.readdirSync(dir)) {
    if (name !== 'index.html' && !ASSET_NAME.test(name)) {
      continue;
    }
    const body = fs.readFileSync(path.join(dir, name));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(name, { body, type: TYPES[path.extname(name)], etag });
  }
  return assets;
}
