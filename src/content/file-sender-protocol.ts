/** What the server and its file sender (file-sender.ts, file-sender-process.ts) share; no framework, so the helper starts fast. */
import type { Socket } from 'node:net';

/** What the server sends the helper with a connection: the answer's head and the file's inclusive byte range. */
export interface SendFile {
  head: string;
  /** The file's path on the local disk, or an http(s) URL to GET it from (a presigned S3 URL). */
  source: string;
  start: number;
  end: number;
  /** The server's idle timeout (ms): a connection on which nothing moves for this long is closed. */
  idleMs: number;
  /** The request's id and the file as the server names it (versionId/path), for the server's log line when it fails. */
  requestId: string;
  name: string;
}

/**
 * What the helper sends the server: a connection given back after its file (`back`, with the
 * socket), or a file that could not be sent for a reason not the client's (`failed`: the server logs it).
 */
export type FromHelper = { type: 'back' } | { type: 'failed'; requestId: string; name: string; reason: string };

/**
 * Stops Node reading a connection (libuv's read, below the stream): what the client sends next stays
 * in the kernel for whichever process reads the connection after this one. False when it cannot.
 */
export function stopReading(socket: Socket): boolean {
  const handle = (socket as unknown as { _handle?: { readStop?: () => number } })._handle;
  return typeof handle?.readStop === 'function' && handle.readStop() === 0;
}
