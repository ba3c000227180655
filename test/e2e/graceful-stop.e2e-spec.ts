import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestApp, TEST_ADMIN_TOKEN, TestApp } from '../support/app';
import { startCluster } from '../support/cluster';
import { slowUpload, uploading } from '../support/slow-upload';
import { waitFor } from '../support/wait-for';
import { noise } from '../support/hostile-zips';
import { buildFixtureZip } from '../support/scorm-package.builder';
import { connectTo, stall } from '../support/downloads';
import { importCourseFolder } from '../support/player-entry';

/**
 * A server that stops (SIGTERM, or RunningServer.close with a grace period: src/server.ts) takes no
 * new connection, lets what it is answering finish — an upload, a course file sent by the server or
 * by its file sender — with the connection closed after it, and cuts what is left at the deadline.
 * What a rolling deploy behind a load balancer needs: no request under way lost.
 */
describe('Stopping with requests under way (STOP_GRACE_SECONDS)', () => {
  it('should finish an upload under way (Connection: close), refuse new connections and close idle ones, then stop', async () => {
    const t = await createTestApp();
    try {
      const idle = await idleConnection(t.appUrl);
      const upload = slowUpload(t, await buildFixtureZip('scorm12-single-sco', { files: { 'media/pad.bin': noise(400_000, 41) } }));
      await waitFor(() => uploading(t), 10_000, 'the upload to reach the server');

      const started = Date.now();
      const closing = t.server.close(10_000);
      await idle.closed;
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(connectTo(t.appUrl)).rejects.toThrow(/ECONNREFUSED/);

      upload.finish();
      const res = await upload.response;
      expect(res.status).toBe(201);
      expect(res.headers.connection).toBe('close');
      expect(JSON.parse(res.body).currentVersion.scos).toHaveLength(1);
      await closing;
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await t.close();
    }
  });

  describe.each([['process'], ['server']])('a large course file under way (CONTENT_SENDER=%s)', (mode) => {
    let t: TestApp;
    let base: string;
    const long = noise(16_000_000, 43);

    beforeEach(async () => {
      t = await createTestApp({ CONTENT_SENDER: mode });
      base = await importCourseFolder(t, { 'media/long.bin': long });
    });

    afterEach(async () => {
      await t.close();
    });

    it('should be sent to its end, then its connection closed and the server stopped', async () => {
      const download = await stall(base + 'media/long.bin');
      const closing = t.server.close(10_000);
      const stopped = trackSettled(closing);
      await new Promise((r) => setTimeout(r, 300));
      expect(stopped()).toBe(false); // waits for the download
      const got = await download.readToEnd();
      expect(got.complete).toBe(true);
      expect(Buffer.compare(got.body, long)).toBe(0);
      await closing;
    });

    it('should be cut at the deadline when its client does not read it', async () => {
      const download = await stall(base + 'media/long.bin');
      const started = Date.now();
      await t.server.close(700);
      expect(Date.now() - started).toBeGreaterThanOrEqual(650);
      expect(Date.now() - started).toBeLessThan(3000);
      const got = await download.readToEnd();
      expect(got.complete).toBe(false);
      expect(got.body.length).toBeLessThan(long.length);
    });
  });

  // the process as `npm start` runs it: SIGTERM is the graceful stop, a second signal cuts
  describe('the server process', () => {
    const storageDirs: string[] = [];
    const start = async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-stop-'));
      storageDirs.push(dir);
      const server = await startCluster({ STORAGE_DIR: dir, ADMIN_TOKEN: TEST_ADMIN_TOKEN, LOG_LEVEL: 'log', STOP_GRACE_SECONDS: '30' });
      const upload = slowUpload({ appUrl: server.appUrl, auth: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }, await buildFixtureZip('scorm12-single-sco'));
      await waitFor(() => uploading({ config: { tmpDir: path.join(dir, 'tmp') } }), 10_000, 'the upload to reach the server');
      return { server, upload };
    };

    afterAll(() => storageDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    it('should finish an upload under way on SIGTERM, then exit 0', async () => {
      const { server, upload } = await start();
      try {
        const exited = server.stop(); // SIGTERM
        await new Promise((r) => setTimeout(r, 300));
        upload.finish();
        const res = await upload.response;
        expect(res.status).toBe(201);
        expect(res.headers.connection).toBe('close');
        expect(await exited).toBe(0);
        expect(server.output()).toContain('[Bootstrap] SIGTERM: stopping; the requests under way have up to 30 s (STOP_GRACE_SECONDS)');
        expect(server.output()).toMatch(/\[Bootstrap\] stopped\n/);
      } finally {
        await server.stop();
      }
    }, 120_000);

    it('should stop at once on a second signal', async () => {
      const { server, upload } = await start();
      try {
        const started = Date.now();
        server.primary.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 300));
        server.primary.kill('SIGINT');
        await expect(upload.response).rejects.toThrow(/socket hang up|ECONNRESET/);
        expect(await server.stop()).toBe(1);
        expect(Date.now() - started).toBeLessThan(5000); // not the 30 s grace
        expect(server.output()).toContain('SIGINT again: stopping now');
      } finally {
        await server.stop();
      }
    }, 120_000);
  });
});

describe('Idle kept-alive connections of a stopping server', () => {
  it('should answer a request sent on one just after the stop began (Connection: close), as a proxy reusing it would, and close the others shortly', async () => {
    const t = await createTestApp();
    try {
      const reused = await idleConnection(t.appUrl);
      const untouched = await idleConnection(t.appUrl);
      const started = Date.now();
      const closing = t.server.close(10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(connectTo(t.appUrl)).rejects.toThrow(/ECONNREFUSED/); // no new connection
      const answer = await reused.ask('/health');
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
      await reused.closed;
      await untouched.closed;
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(Date.now() - started).toBeLessThan(3000);
      await closing;
    } finally {
      await t.close();
    }
  });
});

/** A kept-alive connection that has had its answer and sits idle; `closed` resolves when the server closes it. */
async function idleConnection(url: string): Promise<{ closed: Promise<void>; ask: (path: string) => Promise<string> }> {
  const socket = await connectTo(url);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  /** Sends a GET for `path` on the connection; resolves with what came back first (the answer's head at least), or '' if it closed first. */
  const ask = (path: string) => {
    const answered = new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(String(chunk))));
    if (!socket.destroyed) {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    }
    return Promise.race([answered, closed.then(() => '')]);
  };
  await ask('/health');
  return { closed, ask };
}

function trackSettled(p: Promise<unknown>): () => boolean {
  let settled = false;
  void p.finally(() => (settled = true));
  return () => settled;
}
