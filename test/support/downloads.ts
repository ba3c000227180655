import * as http from 'node:http';
import * as net from 'node:net';

/**
 * A download whose client took its first bytes and then stopped reading: `res` is paused (the
 * server's writes back up behind it); `readToEnd` reads on and resolves once the answer closes, with
 * whether it came whole and every byte it brought, the first ones included.
 */
export function stall(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ res: http.IncomingMessage; readToEnd(): Promise<{ complete: boolean; body: Buffer }> }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        const ended = new Promise<{ complete: boolean; body: Buffer }>((done) =>
          res.once('close', () => done({ complete: res.complete, body: Buffer.concat(chunks) })),
        );
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('data', () => {
          res.pause();
          resolve({ res, readToEnd: () => (res.resume(), ended) });
        });
      })
      .once('error', reject);
  });
}

/** A raw TCP connection to the server of `url` (for what an HTTP client library would not send). */
export function connectTo(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname);
    socket.once('connect', () => resolve(socket)).once('error', reject);
  });
}

/** A supertest parser that keeps a binary body as it came (`.buffer(true).parse(binary as never)`). */
export function binary(res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}
