import request from 'supertest';
import { DataSource } from 'typeorm';
import { Attempt } from '../../src/attempts/attempt.entity';
import { ResourceLink } from '../../src/attempts/resource-link.entity';
import { createTestApp, TestApp } from '../support/app';
import { ManualClock } from '../support/manual-clock';
import { SESSION_TTL_SECONDS } from '../../src/admin/console-session.service';
import { buildFixtureZip } from '../support/scorm-package.builder';

/** Console sessions over real HTTP: cookie flags, CSRF and Origin checks, sign-out, preview, OpenAPI, CSP. */
describe('Console: sessions, CSRF, preview and API description (e2e)', () => {
  let app: TestApp;
  let courseId: string;
  const clock = new ManualClock();

  async function signIn(): Promise<{ cookie: string; csrf: string; setCookie: string }> {
    const res = await request(app.appUrl).post('/console/session').set('Origin', app.appUrl).send({ token: app.token }).expect(200);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0] ?? '';
    return { cookie: setCookie.split(';')[0], csrf: res.body.csrfToken as string, setCookie };
  }

  beforeAll(async () => {
    app = await createTestApp({}, { clock });
    const zip = await buildFixtureZip('scorm12-single-sco');
    const res = await request(app.appUrl).post('/api/courses').set(app.auth).attach('package', zip, { filename: 'c.zip', contentType: 'application/zip' }).expect(201);
    courseId = res.body.id;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('exchanges the admin token for an HttpOnly, SameSite=Strict cookie that opens the API for reads', async () => {
    const { cookie, csrf, setCookie } = await signIn();
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toContain(app.token);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const list = await request(app.appUrl).get('/api/courses').set('Cookie', cookie).expect(200);
    expect(list.body.map((c: { id: string }) => c.id)).toContain(courseId);
    const me = await request(app.appUrl).get('/console/session').set('Cookie', cookie).expect(200);
    expect(me.body).toMatchObject({ signedIn: true, csrfToken: csrf });
  });

  it('refuses a wrong token, a form post, and a sign-in from another site', async () => {
    const wrong = await request(app.appUrl).post('/console/session').send({ token: 'nope' }).expect(401);
    expect(wrong.body.error).toBe('unauthorized');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const form = await request(app.appUrl).post('/console/session').type('form').send({ token: app.token }).expect(415);
    expect(form.body.error).toBe('json_required');
    const cross = await request(app.appUrl).post('/console/session').set('Origin', 'https://evil.example').send({ token: app.token }).expect(403);
    expect(cross.body.error).toBe('cross_origin_refused');
  });

  it('limits sign-ins per client address: 10 at once, then one every 6 s, wrong tokens included', async () => {
    const from = (ip: string) => request(app.appUrl).post('/console/session').set('X-Forwarded-For', ip);
    for (let i = 0; i < 9; i++) {
      await from('198.51.100.20').send({ token: 'wrong' }).expect(401);
    }
    await from('198.51.100.20').send({ token: app.token }).expect(200);
    const refused = await from('198.51.100.20').send({ token: app.token }).expect(429);
    expect(refused.body.error).toBe('sign_in_rate_limited');
    expect(refused.headers['retry-after']).toBe('6');
    await from('198.51.100.21').send({ token: app.token }).expect(200); // another address has its own counter
    clock.advance(5000);
    await from('198.51.100.20').send({ token: app.token }).expect(429);
    clock.advance(1000);
    await from('198.51.100.20').send({ token: app.token }).expect(200);
    await from('198.51.100.20').send({ token: app.token }).expect(429);
    // Where the counters are: rows every instance shares on PostgreSQL (one per address); this one
    // process's memory on SQLite, so a sign-in or an LTI login costs no write there.
    const [{ n }] = await app.server.app.get(DataSource).query<Array<{ n: string | number }>>('SELECT count(*) AS n FROM rate_limits');
    expect(Number(n)).toBe(app.config.databaseUrl.startsWith('postgres') ? 2 : 0);
  });

  it('state-changing requests with the cookie need the X-CSRF-Token of that session and a same-origin Origin', async () => {
    const a = await signIn();
    const b = await signIn();
    const body = { name: 'X', issuer: 'https://lms.example', clientId: 'c1', authorizationEndpoint: 'https://lms.example/auth', tokenEndpoint: 'https://lms.example/token', jwksUri: 'https://lms.example/jwks', deploymentIds: ['1'] };
    const none = await request(app.appUrl).post('/api/platforms').set('Cookie', a.cookie).send(body).expect(403);
    expect(none.body.error).toBe('csrf_token_invalid');
    await request(app.appUrl).post('/api/platforms').set('Cookie', a.cookie).set('X-CSRF-Token', b.csrf).send(body).expect(403); // another session's token
    const evil = await request(app.appUrl).post('/api/platforms').set('Cookie', a.cookie).set('X-CSRF-Token', a.csrf).set('Origin', 'https://evil.example').send(body).expect(403);
    expect(evil.body.error).toBe('cross_origin_refused');
    const ok = await request(app.appUrl).post('/api/platforms').set('Cookie', a.cookie).set('X-CSRF-Token', a.csrf).set('Origin', app.appUrl).send(body).expect(201);
    await request(app.appUrl).delete(`/api/platforms/${ok.body.id}`).set('Cookie', a.cookie).set('X-CSRF-Token', a.csrf).expect(204);
    // bearer requests need no CSRF token
    await request(app.appUrl).get('/api/platforms').set(app.auth).expect(200);
  });

  it('a forged or expired cookie is no session', async () => {
    const { cookie } = await signIn();
    const [name, value] = cookie.split('=');
    const [id, exp, mac] = value.split('.');
    await request(app.appUrl).get('/api/courses').set('Cookie', `${name}=${id}.${Number(exp) + 1000}.${mac}`).expect(401);
    await request(app.appUrl).get('/api/courses').set('Cookie', `${name}=${id}.${Math.floor(clock.now() / 1000) - 10}.${mac}`).expect(401);
    await request(app.appUrl).get('/api/courses').set('Cookie', `${name}=${id}.${exp}.${'A'.repeat(43)}`).expect(401);
  });

  it('a session ends when its working day is over on the server clock', async () => {
    const { cookie } = await signIn();
    clock.advance(SESSION_TTL_SECONDS * 1000 - 1000);
    await request(app.appUrl).get('/api/courses').set('Cookie', cookie).expect(200);
    clock.advance(1000);
    await request(app.appUrl).get('/api/courses').set('Cookie', cookie).expect(401);
    await request(app.appUrl).get('/console/session').set('Cookie', cookie).expect(200, { signedIn: false });
  });

  it('sign-out needs the CSRF token, clears the cookie and ends the session', async () => {
    const { cookie, csrf } = await signIn();
    await request(app.appUrl).delete('/console/session').set('Cookie', cookie).expect(403);
    const out = await request(app.appUrl).delete('/console/session').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/bridge_console=;.*Max-Age=0/);
    await request(app.appUrl).get('/api/courses').set('Cookie', cookie).expect(401); // even if the browser kept it
    const me = await request(app.appUrl).get('/console/session').set('Cookie', cookie).expect(200);
    expect(me.body).toEqual({ signedIn: false });
  });

  it('preview: a one-time player URL on the content origin, a preview attempt as a test learner, no AGS', async () => {
    const res = await request(app.appUrl).post(`/api/courses/${courseId}/preview`).set(app.auth).expect(201);
    expect(res.body.url.startsWith(`${app.contentUrl}/player/`)).toBe(true);
    const db = app.server.app.get(DataSource);
    const attempt = await db.getRepository(Attempt).findOneByOrFail({ id: res.body.attemptId });
    expect(attempt.preview).toBe(true);
    const link = await db.getRepository(ResourceLink).findOneByOrFail({ id: attempt.resourceLinkId });
    expect(link).toMatchObject({ courseId, platformId: 'console-preview', agsLineItemUrl: null, agsLineItemsUrl: null });
    const player = await request(app.contentUrl).get(new URL(res.body.url).pathname).expect(200);
    expect(player.text).toContain('"preview":true');
    // the same preview attempt resumes; stats do not count previews as learners
    const again = await request(app.appUrl).post(`/api/courses/${courseId}/preview`).set(app.auth).expect(201);
    expect(again.body.attemptId).toBe(res.body.attemptId);
    const stats = await request(app.appUrl).get('/api/course-stats').set(app.auth).expect(200);
    expect(stats.body.find((s: { courseId: string }) => s.courseId === courseId)).toBeUndefined();
    await request(app.appUrl).post('/api/courses/00000000-0000-0000-0000-000000000000/preview').set(app.auth).expect(404);
    await request(app.appUrl).post(`/api/courses/${courseId}/preview`).expect(401);
    await request(app.contentUrl).post(`/api/courses/${courseId}/preview`).set(app.auth).expect(404); // never on the content origin
  });

  it('serves the console with a strict CSP on the app origin only, and no file outside its folder', async () => {
    await request(app.appUrl).get('/').expect(302).expect('Location', '/console/');
    const page = await request(app.appUrl).get('/console/').expect(200);
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.text).not.toMatch(/<script>(?!<)/); // no inline script
    const js = await request(app.appUrl).get('/console/assets/console.js').expect(200).expect('Content-Type', /javascript/);
    // served from memory with a content ETag: a page load revalidates instead of downloading again
    expect(js.headers.etag).toMatch(/^"[\w-]{27}"$/);
    await request(app.appUrl).get('/console/assets/console.js').set('If-None-Match', js.headers.etag).expect(304);
    await request(app.appUrl).get('/console/assets/router.js').set('If-None-Match', js.headers.etag).expect(200);
    await request(app.appUrl).get('/favicon.ico').expect(200).expect('Content-Type', /image\/svg\+xml/);
    await request(app.appUrl).get('/console/assets/tsconfig.json').expect(404);
    await request(app.appUrl).get('/console/assets/types.d.ts').expect(404);
    await request(app.appUrl).get('/console/assets/..%2Fconsole.controller.ts').expect(404);
    await request(app.appUrl).get('/console/assets/index.html').expect(404);
    await request(app.contentUrl).get('/console/').expect(404);
  });

  it('describes /api/* in OpenAPI 3 at /api/docs.json, with a readable page at /api/docs', async () => {
    const doc = (await request(app.appUrl).get('/api/docs.json').expect(200)).body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/api/courses', '/api/courses/{id}', '/api/courses/{id}/versions', '/api/courses/{id}/archive', '/api/courses/{id}/unarchive', '/api/platforms', '/api/attempts', '/api/grade-deliveries/{id}/resend', '/lti/config']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/player') || p.startsWith('/runtime') || p === '/lti/launch')).toEqual([]);
    expect(doc.paths['/api/courses'].post.requestBody.content['multipart/form-data'].schema.properties.package.format).toBe('binary');
    expect(doc.paths['/api/courses'].post.parameters).toEqual([expect.objectContaining({ name: 'onDuplicate', in: 'query', schema: expect.objectContaining({ enum: ['new-version', 'separate'] }) })]);
    expect(doc.paths['/api/courses/{id}'].delete.summary).toContain('course_in_use');
    expect(doc.components.securitySchemes.admin).toMatchObject({ type: 'http', scheme: 'bearer' });
    // summaries, bodies and queries come from the controllers' decorators and DTO classes
    for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string }>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(`${method} ${p}: ${op.summary ?? 'no summary'}`).not.toMatch(/no summary$/);
      }
    }
    const schema = (op: { requestBody: { content: Record<string, { schema: { $ref: string } }> } }) =>
      doc.components.schemas[op.requestBody.content['application/json'].schema.$ref.split('/').pop() as string];
    const platform = schema(doc.paths['/api/platforms'].post);
    expect(platform.required).toEqual(expect.arrayContaining(['name', 'issuer', 'clientId', 'authorizationEndpoint', 'tokenEndpoint', 'jwksUri']));
    expect(platform.properties.deploymentIds).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(schema(doc.paths['/api/platforms/{id}'].patch).required ?? []).toEqual([]);
    expect(Object.keys(schema(doc.paths['/api/courses/{id}'].patch).properties)).toEqual(['title', 'gradePolicy']);
    const attemptsParams = doc.paths['/api/attempts'].get.parameters as { name: string }[];
    expect([...attemptsParams].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      expect.objectContaining({ name: 'courseId', in: 'query', required: true }),
      expect.objectContaining({ name: 'customerId', in: 'query', required: false }),
      expect.objectContaining({ name: 'format', in: 'query', required: false, schema: expect.objectContaining({ enum: ['json', 'csv'] }) }),
      expect.objectContaining({ name: 'previews', in: 'query', required: false, schema: expect.objectContaining({ enum: ['true', 'false'] }) }),
    ]);
    const html = await request(app.appUrl).get('/api/docs').expect(200);
    expect(html.text).toContain('swagger');
  });
});
