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
  '.html': 'text/html; charset=utf-8',
};

/** Names a page may load from `/console/assets/`: flat, lower-case (no path, no index.html, no tsconfig or .d.ts). */
export const ASSET_NAME = /^[a-z0-9-]+\.(js|css|svg)$/;

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
