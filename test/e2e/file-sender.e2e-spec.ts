import * as fs from 'node:fs';
import * as http from 'node:http';
import { FileSender } from '../../src/content/file-sender';
import { createTestApp, TestApp } from '../support/app';
import { waitFor } from '../support/wait-for';
import { noise } from '../support/hostile-zips';
import { openFiles, openInServer } from '../support/open-files';
import { startTestS3, TestS3 } from '../support/s3';
import { connectTo, stall } from '../support/downloads';
import { importCourseFolder } from '../support/player-entry';

/**
 * Large course files from local storage are written by the file sender, a helper process, so that
 * their system calls do not hold up the commits on the server's event loop (CONTENT_SENDER=process,
 * the default; src/content/file-sender.ts). The server hands it the connection and takes it back
 * for the client's next request.
 */
describe('Large course files sent by the file sender (CONTENT_SENDER)', () => {
  let t: TestApp;
  let base: string;
  /** Over the 1 MB the content path holds in memory. */
  const big = noise(1_600_000, 21);
  const files = { 'media/big.bin': big, 'media/long.bin': noise(16_000_000, 23) };
  const sender = () => t.server.app.get(FileSender);

  beforeAll(async () => {
    t = await createTestApp();
    base = await importCourseFolder(t, files);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should send large files whole and in ranges, and answer what comes next on the same kept-alive connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const whole = await get(agent, base + 'media/big.bin', { 'X-Request-Id': 'sent-1' });
      expect(whole.status).toBe(200);
      expect(Buffer.compare(whole.body, big)).toBe(0);
      expect(whole.headers['content-length']).toBe(String(big.length));
      expect(whole.headers['cache-control']).toMatch(/^public, max-age=\d+, immutable$/);
      expect(whole.headers.etag).toMatch(/^"[0-9a-f]{8}-/);
      expect(whole.headers['accept-ranges']).toBe('bytes');
      expect(whole.headers['x-content-type-options']).toBe('nosniff');
      expect(whole.headers['x-request-id']).toBe('sent-1');
      expect(whole.headers.connection).toBe('keep-alive');
      expect(sender().pid).toBeDefined();

      const page = await get(agent, base + 'index.html');
      expect(page.status).toBe(200);
      expect(page.reused).toBe(true);

      const part = await get(agent, base + 'media/big.bin', { Range: 'bytes=1000000-1299999' });
      expect(part.status).toBe(206);
      expect(part.reused).toBe(true);
      expect(part.headers['content-range']).toBe(`bytes 1000000-1299999/${big.length}`);
      expect(Buffer.compare(part.body, big.subarray(1_000_000, 1_300_000))).toBe(0);

      const again = await get(agent, base + 'media/big.bin', { 'If-None-Match': whole.headers.etag as string });
      expect(again.status).toBe(304);
      expect(again.reused).toBe(true);
      const last = await get(agent, base + 'media/big.bin');
      expect(last.reused).toBe(true);
      expect(Buffer.compare(last.body, big)).toBe(0);
    } finally {
      agent.destroy();
    }
  });

  it('should answer a request pipelined behind a large file, in order, on the same connection', async () => {
    const page = await get(undefined, base + 'index.html');
    const answers = await pipelined([base + 'media/big.bin', base + 'index.html', base + 'media/big.bin']);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(Buffer.compare(answers[0].body, big)).toBe(0);
    expect(Buffer.compare(answers[1].body, page.body)).toBe(0);
    expect(Buffer.compare(answers[2].body, big)).toBe(0);
  });

  it('should answer many downloads at once with the right bytes', async () => {
    const bodies = await Promise.all(Array.from({ length: 12 }, () => get(undefined, base + 'media/big.bin')));
    bodies.forEach((res) => expect(Buffer.compare(res.body, big)).toBe(0));
  });

  it('should hold the file open in the sender, not in the server, while a client reads slowly, and close it when the client goes', async () => {
    const { res: stalled } = await stall(base + 'media/long.bin');
    const pid = sender().pid!;
    expect(openFiles(/\/long\.bin$/, pid)).toBe(1);
    expect(openFiles(/\/long\.bin$/, 'self')).toBe(0);
    stalled.destroy();
    await waitFor(() => openFiles(/\/long\.bin$/, pid) === 0, 5000, 'the sender to close the file');
  });

  it('should replace a sender that died: the download it was sending fails, the next ones get the right bytes', async () => {
    const { res: stalled } = await stall(base + 'media/long.bin');
    const ended = new Promise<boolean>((resolve) => stalled.once('close', () => resolve(stalled.complete)));
    const first = sender().pid!;
    process.kill(first, 'SIGKILL');
    stalled.resume(); // reads what had come, then finds the connection closed
    expect(await ended).toBe(false);
    // A request handed over just before the helper died is lost with it (as a crashed server's: the
    // connection closes with no answer, and a browser asks again); the next is answered, by the
    // server itself until it starts another sender.
    const meanwhile = await get(undefined, base + 'media/big.bin').catch(() => get(undefined, base + 'media/big.bin'));
    expect(Buffer.compare(meanwhile.body, big)).toBe(0);
    await waitFor(
      async () => {
        if (sender().pid !== undefined && sender().pid !== first) {
          return true;
        }
        await get(undefined, base + 'media/big.bin').catch(() => undefined); // until one is handed to a new sender
        return false;
      },
      10_000,
      'a new file sender',
    );
    const after = await get(undefined, base + 'media/big.bin');
    expect(Buffer.compare(after.body, big)).toBe(0);
  });

  it('should leave large files to the server with CONTENT_SENDER=server', async () => {
    const own = await createTestApp({ CONTENT_SENDER: 'server' });
    try {
      const ownBase = await importCourseFolder(own, files);
      const { res: stalled } = await stall(ownBase + 'media/long.bin');
      expect(openFiles(/\/long\.bin$/, 'self')).toBe(1);
      stalled.destroy();
      const res = await get(undefined, ownBase + 'media/big.bin');
      expect(Buffer.compare(res.body, big)).toBe(0);
      expect(own.server.app.get(FileSender).pid).toBeUndefined();
    } finally {
      await own.close();
    }
  });
});

// STORAGE=s3: the helper GETs the object itself by a URL the server presigns, and holds no credential.
describe('Large course files from an S3 bucket sent by the file sender', () => {
  let s3: TestS3;
  let t: TestApp;
  let base: string;
  const big = noise(1_600_000, 31);
  const sender = () => t.server.app.get(FileSender);
  const readsOf = (name: string) => s3.gets.filter((g) => new URL(g.url, 'http://s3').pathname.endsWith(name));

  // what the server logs (LOG_LEVEL=warn), as in request-id.e2e-spec.ts
  const lines: string[] = [];
  const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const unsent = (requestId: string) => lines.filter((l) => l.includes(`[req ${requestId}]`) && l.includes(' not sent: '));

  beforeAll(async () => {
    const capture = (chunk: string | Uint8Array): boolean => {
      // eslint-disable-next-line no-control-regex
      lines.push(...String(chunk).replace(/\u001b\[[0-9;]*m/g, '').split('\n').filter(Boolean));
      return true;
    };
    process.stdout.write = capture;
    process.stderr.write = capture;
    s3 = await startTestS3('tenant-s');
    t = await createTestApp({ ...s3.env, LOG_LEVEL: 'warn' });
    base = await importCourseFolder(t, { 'media/big.bin': big, 'media/second.bin': noise(1_200_000, 32) });
  });

  afterAll(async () => {
    await t.close();
    await s3.close();
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
  });

  it('should GET the object by a presigned URL, whole and in ranges, and keep the connection alive', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const whole = await get(agent, base + 'media/big.bin');
      expect(whole.status).toBe(200);
      expect(Buffer.compare(whole.body, big)).toBe(0);
      expect(whole.headers['content-length']).toBe(String(big.length));
      expect(whole.headers.connection).toBe('keep-alive');
      const part = await get(agent, base + 'media/big.bin', { Range: 'bytes=1000000-1299999' });
      expect(part.status).toBe(206);
      expect(part.reused).toBe(true);
      expect(Buffer.compare(part.body, big.subarray(1_000_000, 1_300_000))).toBe(0);
      const page = await get(agent, base + 'index.html');
      expect(page.status).toBe(200);
      expect(page.reused).toBe(true);
    } finally {
      agent.destroy();
    }
    const reads = readsOf('/media/big.bin');
    expect(reads.map((r) => r.headers.range)).toEqual([`bytes=0-${big.length - 1}`, 'bytes=1000000-1299999']);
    for (const read of reads) {
      const query = new URL(read.url, 'http://s3').searchParams;
      expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      expect(query.get('X-Amz-Expires')).toBe('300');
      expect(read.headers.authorization).toBeUndefined();
    }
    const environ = fs.readFileSync(`/proc/${sender().pid}/environ`, 'latin1');
    expect(environ).not.toContain('S3_');
    expect(environ).not.toContain(s3.env.S3_SECRET_ACCESS_KEY);
  });

  it('should hand the helper the same presigned URL for an object for a while (presigning is costly), its own to each object', async () => {
    const before = s3.gets.length;
    expect((await get(undefined, base + 'media/big.bin')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100)); // a URL signed a second later would differ (X-Amz-Date)
    expect((await get(undefined, base + 'media/big.bin')).status).toBe(200);
    expect((await get(undefined, base + 'media/second.bin')).status).toBe(200);
    const [first, again, other] = s3.gets.slice(before).map((g) => new URL(g.url, 'http://s3'));
    expect(again.href).toBe(first.href);
    expect(other.pathname).toMatch(/\/media\/second\.bin$/);
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(first.searchParams.get('X-Amz-Signature'));
  });

  it('should close the connection with nothing written when the bucket cannot be read, log why, and send again once it can', async () => {
    s3.fault = 'down';
    try {
      await expect(get(undefined, base + 'media/big.bin', { 'X-Request-Id': 's3-down-1' })).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect((await get(undefined, base + 'index.html')).status).toBe(200); // held in memory
    } finally {
      s3.fault = 'pass';
    }
    await waitFor(() => unsent('s3-down-1').length > 0, 5000, 'the warning');
    expect(unsent('s3-down-1')).toEqual([expect.stringMatching(/\[FileSender\] \[req s3-down-1\] course file [0-9a-f-]{36}\/media\/big\.bin not sent: (socket hang up|read ECONNRESET)$/)]);
    expect(lines.join('\n')).not.toContain('X-Amz-Signature'); // the presigned URL is never written
    const res = await get(undefined, base + 'media/big.bin');
    expect(Buffer.compare(res.body, big)).toBe(0);
  });

  it('should log nothing for a download its client leaves, sent by the helper or by the server', async () => {
    for (const mode of ['process', 'server'] as const) {
      t.config.contentSender = mode;
      try {
        const { res: left } = await stall(base + 'media/big.bin', { 'X-Request-Id': `s3-left-${mode}` });
        left.destroy();
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        t.config.contentSender = 'process';
      }
    }
    expect(unsent('s3-left-process')).toEqual([]);
    expect(unsent('s3-left-server')).toEqual([]);
  });

  it('should log why when the server streams the object itself (CONTENT_SENDER=server)', async () => {
    t.config.contentSender = 'server';
    s3.fault = 'down';
    try {
      await expect(get(undefined, base + 'media/big.bin', { 'X-Request-Id': 's3-down-2' })).rejects.toThrow(/socket hang up|ECONNRESET/);
    } finally {
      s3.fault = 'pass';
      t.config.contentSender = 'process';
    }
    await waitFor(() => unsent('s3-down-2').length > 0, 5000, 'the warning');
    expect(unsent('s3-down-2')).toEqual([expect.stringMatching(/\[FileSender\] \[req s3-down-2\] course file [0-9a-f-]{36}\/media\/big\.bin not sent: /)]);
  });
});

// The content listener's idle timeout (src/server.ts IDLE_TIMEOUT_MS, 2 min; 1 s here), kept by the
// server and by the file sender alike.
describe.each([['process'], ['server']])('A download whose client stops reading (CONTENT_SENDER=%s)', (mode) => {
  let t: TestApp;
  let base: string;
  const long = noise(16_000_000, 29);

  beforeAll(async () => {
    t = await createTestApp({ CONTENT_SENDER: mode }, { idleTimeoutMs: 1000 });
    base = await importCourseFolder(t, { 'media/long.bin': long });
  });

  afterAll(async () => {
    await t.close();
  });

  const open = () => openInServer(t, /\/long\.bin$/);

  it('should be closed once nothing has moved for the idle timeout, and its file with it', async () => {
    const { res: stalled } = await stall(base + 'media/long.bin');
    expect(open()).toBe(1);
    await new Promise((r) => setTimeout(r, 2500));
    // reading again: what the socket buffers held, then the end of a connection the server closed
    let got = 0;
    stalled.on('data', (c: Buffer) => (got += c.length));
    const complete = await new Promise<boolean>((resolve) => {
      stalled.once('close', () => resolve(stalled.complete));
      stalled.resume();
    });
    expect(complete).toBe(false);
    expect(got).toBeLessThan(long.length);
    await waitFor(() => open() === 0, 5000, 'the file to be closed');
  });

  it('should close a connection that sent half a request and nothing since, and keep one that is busy for longer', async () => {
    const half = await connectTo(base);
    const halfClosed = new Promise<number>((resolve) => half.once('close', () => resolve(Date.now())));
    const sentAt = Date.now();
    half.write(`GET ${new URL(base).pathname}media/long.bin HTTP/1.1\r\nHost: x\r\n`);
    // a download read slowly but steadily (at most 64 KB every 15 ms, about 4 MB/s) for two and a half
    // times the idle timeout: the server's writes are taken in bursts (Linux wakes a writer once a third
    // of its send buffer, over a MB on loopback, is free), about every third of a second
    const { res: slow, readToEnd } = await stall(base + 'media/long.bin');
    let reading = true;
    const reader = (async () => {
      while (reading) {
        if (slow.read(65_536) === null) {
          slow.read(); // less than 64 KB waiting: all of it
        }
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    // a failed expectation stops the reader and closes the half request, rather than leave them to hang the run
    try {
      await new Promise((r) => setTimeout(r, 2500));
      const halfLasted = (await Promise.race([halfClosed, new Promise<number>((r) => setTimeout(() => r(Infinity), 5000))])) - sentAt;
      expect(halfLasted).toBeGreaterThanOrEqual(1000);
      expect(halfLasted).toBeLessThan(1800); // at most a quarter more than 1 s, and a loaded machine's slack
      expect(slow.destroyed).toBe(false);
    } finally {
      reading = false;
      await reader;
      half.destroy();
    }
    const { complete, body } = await readToEnd();
    expect(complete).toBe(true);
    expect(Buffer.compare(body, long)).toBe(0);
  });
});


interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Sent on a connection an earlier request had used (keep-alive). */
  reused: boolean;
}

function get(agent: http.Agent | undefined, url: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/**
 * Sends every request of `urls` (one server's) on one connection in a single write (HTTP/1.1 pipelining: none waits
 * for the answer before it) and reads the answers back in order.
 */
async function pipelined(urls: string[]): Promise<Array<{ status: number; body: Buffer }>> {
  const { hostname } = new URL(urls[0]);
  const socket = await connectTo(urls[0]);
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const answers: Array<{ status: number; body: Buffer }> = [];
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) {
          return;
        }
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
        if (buffered.length < end + 4 + length) {
          return;
        }
        answers.push({ status: Number(head.split(' ')[1]), body: buffered.subarray(end + 4, end + 4 + length) });
        buffered = buffered.subarray(end + 4 + length);
        if (answers.length === urls.length) {
          socket.destroy();
          resolve(answers);
          return;
        }
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`the connection closed after ${answers.length} of ${urls.length} answers`)));
    socket.write(urls.map((url) => `GET ${new URL(url).pathname} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`).join(''));
  });
}
