import * as net from 'node:net';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { importFixture } from '../support/player-entry';
import { waitFor } from '../support/wait-for';
import { ContentGrantService } from '../../src/content/content-grant.service';
import { errorCode } from '../support/error-page';
import { PlatformEmulator } from '../support/platform-emulator';

/**
 * The change notices between instances (src/database/change-notices.ts, docs/deployment.md "What
 * instances share"): what one instance keeps in memory for launches follows a change made through
 * the other at once (well inside the copies' own 5 s lifetime), and the same when the connection that
 * hears the notices dies without a word: instance b reaches
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

describePg('launch rules kept in memory, changed through another instance (skipped without TEST_POSTGRES_URL: npm run test:postgres)', () => {
  let a: TestApp;
  let b: TestApp;
  let emu: PlatformEmulator;

  beforeAll(async () => {
    a = await createTestApp({ KEEP_STORAGE: '1' });
    b = await createTestApp({ DATABASE_URL: a.config.databaseUrl, STORAGE_DIR: a.storageDir, KEEP_STORAGE: '1' });
    emu = await PlatformEmulator.start({ toolUrl: b.appUrl });
  });

  afterAll(async () => {
    await emu?.stop();
    await b?.close();
    await a?.close();
  });

  it('should follow a suspended customer, a revoked licence, an archived course and a platform unassigned through a on b at once', async () => {
    const api = (method: 'post' | 'patch', path: string, body: object) => request(a.appUrl)[method](path).set(a.auth).send(body);
    const courseId = await importFixture(a, 'scorm12-single-sco');
    const platformId = ((await api('post', '/api/platforms', emu.registrationBody()).expect(201)).body as { id: string }).id;
    const customerId = ((await api('post', '/api/customers', { name: 'Northwind' }).expect(201)).body as { id: string }).id;
    await api('patch', `/api/platforms/${platformId}`, { customerId }).expect(200);
    const licenceId = ((await api('post', '/api/licences', { customerId }).expect(201)).body as { id: string }).id;
    let learners = 0;
    const launchOnB = async () => {
      const res = await emu.launch({ toolUrl: b.appUrl, courseId, claims: { sub: `learner-${++learners}` } });
      return res.status < 400 ? 'launched' : errorCode(res);
    };
    /** b answers `expected` within 1.5 s of the change (its copies live 5 s: only the notice can make it this soon). */
    const soon = (expected: string) => waitFor(async () => (await launchOnB()) === expected, 1500, `b to answer ${expected}`);

    expect(await launchOnB()).toBe('launched'); // b now keeps the registration, the customers and the licences

    await api('patch', `/api/customers/${customerId}`, { state: 'suspended' }).expect(200);
    await soon('lti_customer_suspended');
    await api('patch', `/api/customers/${customerId}`, { state: 'active' }).expect(200);
    await soon('launched');

    await api('patch', `/api/licences/${licenceId}`, { state: 'revoked' }).expect(200);
    await soon('lti_licence_revoked');
    await api('patch', `/api/licences/${licenceId}`, { state: 'active' }).expect(200);
    await soon('launched');

    // Archiving sends no notice: nothing b keeps depends on it (the picker reads the courses on each
    // opening, and an archived course's links keep launching).
    const picker = async () => (await emu.launch({ toolUrl: b.appUrl, messageType: 'deep-linking', claims: { sub: 'teacher' } })).text;
    expect(await picker()).toContain(`value="${courseId}"`);
    await request(a.appUrl).post(`/api/courses/${courseId}/archive`).set(a.auth).expect(200);
    expect(await picker()).not.toContain(`value="${courseId}"`);
    expect(await launchOnB()).toBe('launched');
    await request(a.appUrl).post(`/api/courses/${courseId}/unarchive`).set(a.auth).expect(200);
    expect(await picker()).toContain(`value="${courseId}"`);

    await api('patch', `/api/platforms/${platformId}`, { customerId: null }).expect(200);
    await soon('lti_platform_unassigned');
  });
});
