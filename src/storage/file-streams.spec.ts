import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { type FileReads, sendChunks, sendFile, STALL_MS, streamsAtOnce } from './file-streams';

/** The limit these tests set (CONTENT_STREAMS=8). */
const STREAMS_AT_ONCE = 8;

/** A client socket: takes a chunk only when `take` is called (its write callback waits till then). */
function client() {
  const got: Buffer[] = [];
  const pending: Array<() => void> = [];
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      got.push(chunk);
      pending.push(done);
    },
  });
  return {
    out,
    got,
    /** Takes every chunk written so far (the socket drains). */
    take: () => pending.splice(0).forEach((done) => done()),
  };
}

/** A file's chunks; counts how many streams have started reading. */
let started = 0;
async function* file(chunks: number): AsyncGenerator<Buffer> {
  started++;
  for (let i = 0; i < chunks; i++) {
    yield Buffer.from([i]);
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sendChunks (large course files streamed at once)', () => {
  beforeAll(() => streamsAtOnce(STREAMS_AT_ONCE));
  afterAll(() => streamsAtOnce(0));
  beforeEach(() => {
    started = 0;
  });

  it(`should stream at most ${STREAMS_AT_ONCE} files at once, starting the next when one ends, first come first served`, async () => {
    // clients that read at once; files whose second chunk comes when the test says (a slow disk)
    const n = STREAMS_AT_ONCE + 3;
    const gates = Array.from({ length: n }, () => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    });
    const got: number[][] = Array.from({ length: n }, () => []);
    const sends = gates.map((gate, i) =>
      sendChunks(
        new Writable({ write: (chunk: Buffer, _e, done) => (got[i].push(chunk[0]), done()) }),
        (async function* () {
          started++;
          yield Buffer.from([0]);
          await gate.opened;
          yield Buffer.from([1]);
        })(),
      ),
    );
    await turn();
    expect(started).toBe(STREAMS_AT_ONCE);
    expect(got.map((g) => g.length)).toEqual([...Array(STREAMS_AT_ONCE).fill(1), 0, 0, 0]);
    gates[3].open(); // one ends: its place goes to the first one waiting
    await sends[3];
    await turn();
    expect(started).toBe(STREAMS_AT_ONCE + 1);
    expect(got.map((g) => g.length).slice(STREAMS_AT_ONCE)).toEqual([1, 0, 0]);
    gates.forEach((gate) => gate.open());
    await Promise.all(sends);
    expect(got.every((g) => g.join() === '0,1')).toBe(true);
  });

  it('should lend the place of a client that stopped reading to the next one, and take it back when the client reads again', async () => {
    const stalled = Array.from({ length: STREAMS_AT_ONCE }, client);
    const stalledSends = stalled.map((c) => sendChunks(c.out, file(2)));
    const next = client();
    const nextSend = sendChunks(next.out, file(1));
    await turn();
    expect(next.got).toHaveLength(0); // waiting for a place
    await sleep(STALL_MS + 50);
    expect(next.got).toHaveLength(1); // a stalled client lent its place
    next.take();
    await nextSend;
    stalled.forEach((c) => c.take());
    await sleep(10);
    stalled.forEach((c) => c.take());
    await Promise.all(stalledSends);
    expect(stalled.every((c) => c.got.length === 2)).toBe(true);
  });

  it('should give a place back to a download whose client reads again before one not yet started', async () => {
    const order: string[] = [];
    const source = (name: string, chunks: number) =>
      (async function* () {
        order.push(`${name} chunk 0`);
        yield Buffer.from([0]);
        for (let i = 1; i < chunks; i++) {
          order.push(`${name} chunk ${i}`);
          yield Buffer.from([i]);
        }
      })();
    const first = Array.from({ length: STREAMS_AT_ONCE }, client);
    const second = Array.from({ length: STREAMS_AT_ONCE }, client);
    const last = client();
    const sends = [
      ...first.map((c, i) => sendChunks(c.out, source(`first ${i}`, 2))),
      ...second.map((c, i) => sendChunks(c.out, source(`second ${i}`, 2))),
      sendChunks(last.out, source('last', 1)),
    ];
    await sleep(STALL_MS + 50); // the first ones stalled and lent their places to the second ones
    expect(order.filter((e) => e.endsWith('chunk 0'))).toHaveLength(2 * STREAMS_AT_ONCE);
    first[0].take(); // its client reads again, while `last` is still waiting to start
    await sleep(STALL_MS + 50); // the second ones stalled in turn: their places go to first 0, then to last
    expect(order.filter((e) => e === 'first 0 chunk 1' || e === 'last chunk 0')).toEqual(['first 0 chunk 1', 'last chunk 0']);
    const everyone = [...first, ...second, last];
    let finished = false;
    void Promise.all(sends).then(() => (finished = true));
    while (!finished) {
      everyone.forEach((c) => c.take());
      await sleep(5);
    }
    expect(everyone.every((c) => c.got.length === (c === last ? 1 : 2))).toBe(true);
  });

  it('should stream every file at once when no limit is set (CONTENT_STREAMS=0, the default)', async () => {
    streamsAtOnce(0);
    try {
      const clients = Array.from({ length: 3 * STREAMS_AT_ONCE }, client);
      const sends = clients.map((c) => sendChunks(c.out, file(1)));
      await turn();
      expect(started).toBe(3 * STREAMS_AT_ONCE);
      clients.forEach((c) => c.take());
      await Promise.all(sends);
    } finally {
      streamsAtOnce(STREAMS_AT_ONCE);
    }
  });

  it('should reject and give its place back when the client goes away mid-file', async () => {
    const gone = client();
    const send = sendChunks(gone.out, file(3));
    await turn();
    gone.out.destroy();
    await expect(send).rejects.toThrow();
    // every place is free again: as many streams as allowed start at once
    const clients = Array.from({ length: STREAMS_AT_ONCE }, client);
    started = 0;
    const sends = clients.map((c) => sendChunks(c.out, file(1)));
    await turn();
    expect(started).toBe(STREAMS_AT_ONCE);
    clients.forEach((c) => c.take());
    await Promise.all(sends);
  });
});

describe.each<FileReads>(['threads', 'blocking'])('sendFile (reads on %s)', (reads) => {
  const CHUNK = 256 * 1024;
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-streams-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A file of random bytes (`size` not a whole number of reads, so its last read is shorter). */
  function randomFile(name: string, size: number): { file: string; bytes: Buffer } {
    const bytes = randomBytes(size);
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return { file, bytes };
  }

  /** A client that copies each chunk when written and takes it (its write callback) only a little later. */
  function slowClient() {
    const got: Buffer[] = [];
    const out = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, done) {
        got.push(Buffer.from(chunk));
        setTimeout(done, 1);
      },
    });
    return { out, body: () => Buffer.concat(got) };
  }

  it('should write exactly the byte range asked for, across read boundaries', async () => {
    const { file, bytes } = randomFile('ranges.bin', 3 * CHUNK + 1000);
    const ranges = [
      { start: 0, end: bytes.length - 1 },
      { start: CHUNK - 10, end: 2 * CHUNK + 10 },
      { start: 5, end: 5 },
      { start: bytes.length - 1, end: bytes.length - 1 },
    ];
    for (const range of ranges) {
      const c = slowClient();
      await sendFile(c.out, file, range, reads);
      expect(c.body().equals(bytes.subarray(range.start, range.end + 1))).toBe(true);
    }
  });

  it('should reuse a read buffer only once its chunk is written out: files sent at once keep their own bytes', async () => {
    const files = [1, 2, 3, 4].map((i) => randomFile(`at-once-${i}.bin`, i * CHUNK + 777 * i));
    for (let round = 0; round < 3; round++) {
      const clients = files.map(slowClient);
      await Promise.all(files.map(({ file, bytes }, i) => sendFile(clients[i].out, file, { start: 0, end: bytes.length - 1 }, reads)));
      files.forEach(({ bytes }, i) => expect(clients[i].body().equals(bytes)).toBe(true));
    }
  });

  it('should reject when the file is shorter than the range (it changed after its size was known)', async () => {
    const { file, bytes } = randomFile('shrinks.bin', 2 * CHUNK + 100);
    const c = slowClient();
    fs.truncateSync(file, CHUNK + 5);
    await expect(sendFile(c.out, file, { start: 0, end: bytes.length - 1 }, reads)).rejects.toThrow('the file is shorter than it was');
  });
});
