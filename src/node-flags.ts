/**
 * The Node flags a server process runs with: `npm start`, the workers of worker mode (src/cluster.ts)
 * and the benches. V8 reads them when the process starts; they cannot be set later, nor in
 * NODE_OPTIONS.
 *
 * `--no-memory-reducer`: V8's memory reducer shrinks the heap after about 8 s without work, its young
 * generation back to 1 MB, and a server's short-lived per-request objects never make it grow again:
 * after every quiet spell each request paid for a collection every few milliseconds, and a 2 KB
 * course file cost about 31 µs of CPU instead of 22 (docs/deployment.md, "Node's memory reducer").
 * Without it a server keeps the memory of its last burst.
 */
export const SERVER_NODE_FLAGS = ['--no-memory-reducer'];

/** The server's flags `execArgv` lacks (by default: this process was started without). */
export function missingServerFlags(execArgv = process.execArgv): string[] {
  return SERVER_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}

/** `execArgv` with the server's flags it lacks added (a worker forked by the primary). */
export function withServerFlags(execArgv: string[]): string[] {
  return [...execArgv, ...missingServerFlags(execArgv)];
}
