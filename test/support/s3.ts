import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import S3rver from 's3rver';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** s3rver's fixed key pair: it checks every request's signature against it. */
const ACCESS_KEY = 'S3RVER';
export const TEST_BUCKET = 'bridge-courses';

/**
 * How the S3 endpoint the bridge talks to behaves: `pass` forwards to s3rver; `deny-writes` answers
 * every upload request (PUT, multipart POST) with S3's `AccessDenied`, as a bucket policy refusing
 * writes would, and lets reads and deletes through; `down` drops every connection (the server gone);
 * `silent` takes every request and never answers (a store that hangs).
 */
export type S3Fault = 'pass' | 'deny-writes' | 'down' | 'silent';

export interface TestS3 {
  /** STORAGE=s3 and the S3_* settings for createTestApp. */
  env: Record<string, string>;
  fault: S3Fault;
  /** Switches to `fault` once this many upload requests (PUT) have gone through: a failure midway through an import. */
  faultAfterPuts(puts: number, fault: S3Fault): void;
  /**
   * Holds every delete request (DeleteObject, DeleteObjects) until `release` is called, as a slow
   * object store would while a large course's objects go: `held` resolves once one is waiting.
   */
  holdDeletes(): { held: Promise<void>; release: () => void };
  /** Every key in the bucket (under any prefix), sorted. */
  keys(): Promise<string[]>;
  /** Requests the endpoint saw, by method (reads, writes and deletes are counted to show what the bridge did). */
  requests: Record<string, number>;
  /** Every GET the endpoint saw, as sent: the object reads and how they were signed. */
  gets: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** STORAGE=s3 and the S3_* settings for s3rver (or a proxy in front of it) at `endpoint`, with the bucket TEST_BUCKET. */
export function s3rverEnv(endpoint: string): Record<string, string> {
  return {
    STORAGE: 's3',
    S3_BUCKET: TEST_BUCKET,
    S3_REGION: 'us-east-1',
    S3_ENDPOINT: endpoint,
    S3_ACCESS_KEY_ID: ACCESS_KEY,
    S3_SECRET_ACCESS_KEY: ACCESS_KEY,
    S3_FORCE_PATH_STYLE: 'true',
  };
}

/**
 * Starts s3rver (an S3-compatible server storing objects in a temp folder) on a free port behind a
 * small proxy whose behaviour the test can change (`fault`). The bridge reaches it only through
 * the standard S3 API with path-style addressing, as it would MinIO or Ceph.
 */
export async function startTestS3(prefix = ''): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-s3-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: TEST_BUCKET, configs: [] }] });
  const upstream = await s3rver.run();
  const requests: Record<string, number> = {};
  const gets: TestS3['gets'] = [];
  const sockets = new Set<net.Socket>();
  const state = {
    fault: 'pass' as S3Fault,
    later: null as { puts: number; fault: S3Fault } | null,
    hold: null as { seen: () => void; released: Promise<void> } | null,
  };
  const isDelete = (req: http.IncomingMessage) =>
    req.method === 'DELETE' || (req.method === 'POST' && new URL(req.url!, 'http://x').searchParams.has('delete'));
  const setFault = (f: S3Fault) => {
    state.fault = f;
    if (f === 'down') {
      sockets.forEach((s) => s.destroy());
    }
  };
  const proxy = http.createServer((req, res) => {
    requests[req.method!] = (requests[req.method!] ?? 0) + 1;
    if (req.method === 'GET') {
      gets.push({ url: req.url!, headers: req.headers });
    }
    if (state.later && req.method === 'PUT' && requests.PUT > state.later.puts) {
      setFault(state.later.fault);
      state.later = null;
    }
    if (state.fault === 'down') {
      req.socket.destroy();
      return;
    }
    if (state.fault === 'silent') {
      req.resume();
      return;
    }
    if (state.fault === 'deny-writes' && (req.method === 'PUT' || (req.method === 'POST' && !isDelete(req)))) {
      req.resume();
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return;
    }
    const pass = () => {
      const forward = http.request({ host: upstream.address, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      res.on('close', () => forward.destroy());
      req.pipe(forward);
    };
    if (state.hold && isDelete(req)) {
      state.hold.seen();
      void state.hold.released.then(pass);
    } else {
      pass();
    }
  });
  proxy.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${upstream.port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: ACCESS_KEY },
  });
  return {
    env: { ...s3rverEnv(endpoint), ...(prefix ? { S3_PREFIX: prefix } : {}) },
    get fault() {
      return state.fault;
    },
    set fault(f: S3Fault) {
      state.later = null;
      setFault(f);
    },
    faultAfterPuts(puts: number, fault: S3Fault) {
      state.later = { puts: (requests.PUT ?? 0) + puts, fault };
    },
    holdDeletes() {
      let seen!: () => void;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (seen = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      state.hold = { seen, released };
      return {
        held,
        release: () => {
          state.hold = null;
          release();
        },
      };
    },
    requests,
    gets,
    async keys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async close() {
      client.destroy();
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      proxy.closeAllConnections();
      await s3rver.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
