/**
 * The content bench's bare Node reference (bench/content.ts): a plain `node:http` server in a process
 * of its own, no framework, no grant, no request id, serving the bench's files from the folder named
 * by its argument — what Node itself reaches on this machine, beside which the bridge's figures read
 * as the cost of its own path. A file up to 1 MB is answered from memory with its headers
 * (both made at its first request), a larger one with `stat` and `fs.createReadStream` in 256 KB reads per request. Sends
 * `{ port }` once it listens; exits with its parent.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

const root = process.argv[2];
const SMALL_FILE_MAX = 1024 * 1024;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.png': 'image/png' };
/** Small files by URL: their bytes and headers, from their first request on. */
const held = new Map<string, { body: Buffer; headers: http.OutgoingHttpHeaders }>();

function headers(file: string, stat: fs.Stats): http.OutgoingHttpHeaders {
  return {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    ETag: `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`,
    'Last-Modified': stat.mtime.toUTCString(),
    'Cache-Control': 'private, max-age=3600, immutable',
    'X-Content-Type-Options': 'nosniff',
  };
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  const small = held.get(url);
  if (small) {
    res.writeHead(200, small.headers).end(small.body);
    return;
  }
  const file = path.join(root, path.normalize(decodeURIComponent(url.split('?')[0])));
  fs.stat(file, (err, stat) => {
    if (err || !stat.isFile()) {
      res.writeHead(404).end();
    } else if (stat.size <= SMALL_FILE_MAX) {
      const read = { body: fs.readFileSync(file), headers: headers(file, stat) };
      held.set(url, read);
      res.writeHead(200, read.headers).end(read.body);
    } else {
      res.writeHead(200, headers(file, stat));
      fs.createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(res);
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
process.on('disconnect', () => process.exit(0));
