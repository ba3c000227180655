import * as net from 'node:net';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { importFixture } from '../support/player-entry';
import { waitFor } from '../support/grades-harness';
import { ContentGrantService } from '../../src/content/content-grant.service';

/**
 * The change notices between instances (src/database/change-notices.ts, docs/deployment.md "What
 * instances share") when the connection that hears them dies without a word: instance b reaches
 * PostgreSQL through a TCP relay started here, which can go silent on b's listening connection
 * (the one that sent `LISTEN`) while its other connections carry on, as a firewall or NAT that
 * forgot an idle connection does: no reset, no error, the notices simply stop arriving.
 * PostgreSQL only: SQLite serves one process.
 */
const pg = process.env.TEST_POSTGRES_URL;
const describePg = pg ? describe : describe.skip;

interface Relay {
  url: string;
  /** Drops everything on the connections that sent LISTEN from now on, both ways, leaving them open; answers how many. */
  silenceListeners(): number;
  close(): Promise<void>;
}

/** A TCP relay to the database of `databaseUrl`; `url` is the same database through the relay. */
async function startRelay(databaseUrl: string): Promise<Relay> {
  const target = new URL(databaseUrl);
  const pairs = new Set<{ client: net.Socket; server: net.Socket; listens: boolean; silent: boolean }>();
  const relay = net.createServer((client) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    const pair = { client, server, listens: false, silent: false };
    pairs.add(pair);
    client.on('data', (d) => {
      if (!pair.silent) {
        pair.listens ||= d.includes('LISTEN ');
        server.write(d);
      }
    });
    server.on('data', (d) => !pair.silent && client.write(d));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('close', end).on('error', end);
    server.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((relay.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    silenceListeners() {
      const listeners = [...pairs].filter((p) => p.listens && !p.silent);
      listeners.forEach((p) => (p.silent = true));
      return listeners.length;
    },
    async close() {
      pairs.forEach((p) => (p.client.destroy(), p.server.destroy()));
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

describePg('change notices when the listening connection dies silently (skipped without TEST_POSTGRES_URL: npm run test:postgres)', () => {
  let a: TestApp;
  let b: TestApp;
  let relay: Relay;

  beforeAll(async () => {
    a = await createTestApp({ KEEP_STORAGE: '1' });
    relay = await startRelay(a.config.databaseUrl);
    b = await createTestApp({ DATABASE_URL: relay.url, STORAGE_DIR: a.storageDir, KEEP_STORAGE: '1' });
  });

  afterAll(async () => {
    await b?.close();
    await relay?.close();
    await a?.close();
  });

  it('should notice within seconds, listen again and drop what it keeps in memory (a course deleted meanwhile stops being served)', async () => {
    const courseId = await importFixture(a, 'scorm12-single-sco');
    const { currentVersion } = (await request(a.appUrl).get(`/api/courses/${courseId}`).set(a.auth).expect(200)).body as { currentVersion: { id: string } };
    const file = `${(await a.server.app.get(ContentGrantService).grantPrefix(currentVersion.id, 3600)).replace(a.contentUrl, b.contentUrl)}index.html`;
    expect((await fetch(file)).status).toBe(200); // now in b's memory

    expect(relay.silenceListeners()).toBe(1);
    await request(a.appUrl).delete(`/api/courses/${courseId}`).set(a.auth).expect(204);
    expect((await fetch(file)).status).toBe(200); // b missed the notice: still answered from memory
    await waitFor(async () => (await fetch(file)).status === 404, 20_000, 'b to find its listening connection dead and drop the deleted course');
    await request(b.appUrl).get('/api/courses').set(b.auth).expect(200); // b's other connections were never touched
  }, 40_000);
});
