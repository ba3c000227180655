import request from 'supertest';
import { DataSource } from 'typeorm';
import { Platform } from '../../src/platforms/platform.entity';
import { createTestApp, TestApp } from '../support/app';
import { PlatformEmulator } from '../support/platform-emulator';
import { buildFixtureZip } from '../support/scorm-package.builder';

/**
 * The issuer rule of a platform registration (issue 9, from a newcomer's walk of the console): an
 * absolute https URL (http only on localhost), stored in canonical form so the same LMS typed with
 * and without a trailing slash is one registration, old rows included; an LMS whose `iss` carries
 * the slash still launches.
 */
describe('Platform issuer rule', () => {
  let t: TestApp;
  const api = () => request(t.appUrl);
  const body = (issuer: string, clientId = 'client-1') => ({
    name: 'Campus LMS',
    issuer,
    clientId,
    authorizationEndpoint: 'https://lms.example.edu/auth',
    tokenEndpoint: 'https://lms.example.edu/token',
    jwksUri: 'https://lms.example.edu/jwks',
    deploymentIds: ['1'],
  });

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['http://lms.example.edu', 'uses http, which is allowed only for localhost or 127.0.0.1'],
    ['lms.example.edu', 'is not an absolute URL'],
    ['ftp://lms.example.edu', 'uses ftp, not https'],
    ['https://lms.example.edu/?tenant=1', 'has a query or fragment (?… or #…)'],
    ['https://lms.example.edu/#x', 'has a query or fragment (?… or #…)'],
    ['https://admin:secret@lms.example.edu', 'carries a user name or password'],
  ])('refuses the issuer %s in words naming the field', async (issuer, said) => {
    const res = await api().post('/api/platforms').set(t.auth).send(body(issuer)).expect(400);
    expect(res.body).toEqual({ error: 'platform_invalid', message: expect.stringContaining(`issuer ${said}: it must be an absolute https URL`) });
    expect((await api().get('/api/platforms').set(t.auth)).body).toEqual([]);
  });

  it('stores the canonical form and refuses the same LMS typed another way as a duplicate', async () => {
    const created = await api().post('/api/platforms').set(t.auth).send(body('  https://LMS.Example.edu:443/  ')).expect(201);
    expect(created.body.issuer).toBe('https://lms.example.edu');
    for (const same of ['https://lms.example.edu', 'https://lms.example.edu/', 'https://lms.example.edu//']) {
      const dup = await api().post('/api/platforms').set(t.auth).send(body(same)).expect(409);
      expect(dup.body).toEqual({ error: 'platform_exists', message: expect.stringContaining('“Campus LMS” with issuer "https://lms.example.edu" and client id "client-1"') });
    }
    // another client id of the same issuer is another registration (hosted Canvas)
    await api().post('/api/platforms').set(t.auth).send(body('https://lms.example.edu/', 'client-2')).expect(201);
    // a path is part of the issuer: only its trailing slash is dropped
    const tenant = await api().post('/api/platforms').set(t.auth).send(body('https://lms.example.edu/tenant-a/')).expect(201);
    expect(tenant.body.issuer).toBe('https://lms.example.edu/tenant-a');
    // an edit cannot make two registrations one
    const clash = await api().patch(`/api/platforms/${tenant.body.id}`).set(t.auth).send({ issuer: 'https://lms.example.edu/' }).expect(409);
    expect(clash.body.error).toBe('platform_exists');
    const local = await api().post('/api/platforms').set(t.auth).send(body('http://localhost:8080/', 'local')).expect(201);
    expect(local.body.issuer).toBe('http://localhost:8080');
    await api().post('/api/platforms').set(t.auth).send(body('http://127.0.0.1:9/', 'loopback')).expect(201);
  });

  it('finds a registration stored before the rule (trailing slash) as a duplicate', async () => {
    const db = t.server.app.get(DataSource);
    const old = await api().post('/api/platforms').set(t.auth).send(body('https://old.example.edu', 'legacy')).expect(201);
    await db.getRepository(Platform).update({ id: old.body.id as string }, { issuer: 'https://old.example.edu/' });
    const dup = await api().post('/api/platforms').set(t.auth).send(body('https://old.example.edu', 'legacy')).expect(409);
    expect(dup.body.message).toContain('issuer "https://old.example.edu/"');
  });
});

describe('An LMS whose iss ends in a slash', () => {
  it('is registered without the slash and still logs in and launches', async () => {
    const t = await createTestApp();
    const emu = await PlatformEmulator.start({ toolUrl: t.appUrl });
    try {
      emu.issuer = `${emu.url}/`; // what the LMS sends in its login and id_token
      const reg = await request(t.appUrl).post('/api/platforms').set(t.auth).send(emu.registrationBody()).expect(201);
      expect(reg.body.issuer).toBe(emu.url);
      const course = await request(t.appUrl)
        .post('/api/courses')
        .set(t.auth)
        .attach('package', await buildFixtureZip('scorm12-single-sco'), { filename: 'c.zip', contentType: 'application/zip' })
        .expect(201);
      const launch = await emu.launch({ toolUrl: t.appUrl, courseId: course.body.id as string });
      expect(launch.text).toMatch(/data-player-url="/);
    } finally {
      await emu.stop();
      await t.close();
    }
  });
});
