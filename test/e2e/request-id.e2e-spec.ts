import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';
import { importCourseFolder, importFixture, launchContext, openPlayer } from '../support/player-entry';
import { binary } from '../support/downloads';
import { noise } from '../support/hostile-zips';
import { waitFor } from '../support/wait-for';
import { buildFixtureZip } from '../support/scorm-package.builder';

/**
 * Request ids (issue 8): every request gets an id (the caller's sane `X-Request-Id`, or a new one),
 * answered in the same header, and every log line written while serving it carries `[req <id>]`.
 * The server runs at LOG_LEVEL=log and what its logger writes to stdout/stderr is captured.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

describe('request ids', () => {
  let t: TestApp;
  const lines: string[] = [];
  const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

  beforeAll(async () => {
    const capture = (chunk: string | Uint8Array): boolean => {
      lines.push(...String(chunk).replace(ANSI, '').split('\n').filter(Boolean));
      return true;
    };
    process.stdout.write = capture;
    process.stderr.write = capture;
    t = await createTestApp({ LOG_LEVEL: 'log' });
  });

  afterAll(async () => {
    await t?.close();
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
  });

  const linesWith = (text: string) => lines.filter((l) => l.includes(text));
  /** Request lines are written when the event loop's turn ends (src/logging/stdout-lines.ts), not always before the client has its answer. */
  const requestLines = (...ids: string[]) =>
    waitFor(() => ids.every((id) => lines.some((l) => l.includes(`[Request] [req ${id}]`))), 5000, `the request lines of ${ids.join(', ')}`);
  const platform = (n: string) => ({
    name: `LMS ${n}`,
    issuer: `https://lms-${n}.example`,
    clientId: 'c1',
    authorizationEndpoint: `https://lms-${n}.example/auth`,
    tokenEndpoint: `https://lms-${n}.example/token`,
    jwksUri: `https://lms-${n}.example/jwks`,
    deploymentIds: ['1'],
  });

  it("answers the caller's sane id in X-Request-Id, and a fresh one otherwise", async () => {
    const kept = await request(t.appUrl).get('/health').set('X-Request-Id', 'lb-7f3a.42:alpha/beta+=').expect(200);
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.42:alpha/beta+=');
    const none = await request(t.appUrl).get('/health').expect(200);
    expect(none.headers['x-request-id']).toMatch(UUID);
    const next = await request(t.appUrl).get('/health').expect(200);
    expect(next.headers['x-request-id']).toMatch(UUID);
    expect(next.headers['x-request-id']).not.toBe(none.headers['x-request-id']);
    for (const insane of ['two words', 'a'.repeat(129), 'x\ty', 'id<script>']) {
      const res = await request(t.appUrl).get('/health').set('X-Request-Id', insane).expect(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
    // The content origin too, and on an answer the origin partition refuses.
    const content = await request(t.contentUrl).get('/api/courses').set('X-Request-Id', 'on-content').expect(404);
    expect(content.headers['x-request-id']).toBe('on-content');
  });

  it("puts the id in every line a request writes: the service's, the exception filter's and the request line", async () => {
    await request(t.appUrl).post('/api/platforms').set(t.auth).set('X-Request-Id', 'req-platform-1').send(platform('one')).expect(201);
    await requestLines('req-platform-1');
    const registered = linesWith('issuer=https://lms-one.example');
    expect(registered).toHaveLength(1);
    expect(registered[0]).toMatch(/\[PlatformsService\] \[req req-platform-1\] platform .* registered/);
    expect(linesWith('POST /api/platforms 201')).toEqual([expect.stringMatching(/\[Request\] \[req req-platform-1\] POST \/api\/platforms 201 [\d.]+ ms$/)]);

    await request(t.appUrl).get('/api/courses?secret=not-logged').set('X-Request-Id', 'req-refused-1').expect(401);
    await requestLines('req-refused-1');
    const refused = lines.filter((l) => l.includes('req-refused-1'));
    expect(refused).toEqual([
      expect.stringContaining('[HTTP] [req req-refused-1] GET /api/courses → 401 unauthorized'),
      expect.stringContaining('[Request] [req req-refused-1] GET /api/courses 401'),
    ]);
    expect(lines.join('\n')).not.toContain('not-logged');
  });

  it("never writes a customer's registration link token: the request line and the filter's line mask it", async () => {
    const token = 'secret-link-token-0123456789';
    await request(t.appUrl).get(`/lti/register/${token}?openid_configuration=x`).set('X-Request-Id', 'req-link-1').expect(404);
    await requestLines('req-link-1');
    const mine = lines.filter((l) => l.includes('req-link-1'));
    expect(mine).toEqual([
      expect.stringContaining('GET /lti/register/<link token> → 404 lti_registration_link_unknown'),
      expect.stringContaining('[Request] [req req-link-1] GET /lti/register/<link token> 404'),
    ]);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('never writes an instructor view token: both lines mask it', async () => {
    const token = 'c2VjcmV0LXZpZXctdG9rZW4.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    await request(t.appUrl).post(`/lti/instructor/${token}/preview`).set('X-Request-Id', 'req-view-1').expect(401);
    await requestLines('req-view-1');
    expect(lines.filter((l) => l.includes('req-view-1'))).toEqual([
      expect.stringContaining('POST /lti/instructor/<view token>/preview → 401 instructor_view_invalid'),
      expect.stringContaining('[Request] [req req-view-1] POST /lti/instructor/<view token>/preview 401'),
    ]);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('keeps parallel requests apart', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `parallel-${i}`);
    await Promise.all(
      ids.map((id, i) =>
        request(t.appUrl)
          .post('/api/platforms')
          .set(t.auth)
          .set('X-Request-Id', id)
          .send(platform(`p${i}`))
          .expect(201),
      ),
    );
    ids.forEach((id, i) => {
      const mine = linesWith(`issuer=https://lms-p${i}.example`);
      expect(mine).toEqual([expect.stringContaining(`[req ${id}] platform`)]);
    });
  });

  it('follows a request through a streamed upload and the import it runs', async () => {
    const zip = await buildFixtureZip('scorm12-single-sco');
    const res = await request(t.appUrl)
      .post('/api/courses')
      .set(t.auth)
      .set('X-Request-Id', 'req-upload-1')
      .attach('package', zip, { filename: 'c.zip', contentType: 'application/zip' })
      .expect(201);
    expect(res.headers['x-request-id']).toBe('req-upload-1');
    expect(linesWith('[CourseImportService]').filter((l) => l.includes('Imported course'))).toEqual([
      expect.stringContaining('[req req-upload-1] Imported course'),
    ]);
  });

  it('puts the id on the lines of a runtime commit, answered before Express by the lean path', async () => {
    const course = await importFixture(t, 'scorm12-single-sco');
    const { bootstrap: b } = await openPlayer(t, launchContext(course));
    const path = `${b.runtimeBase}/scos/${encodeURIComponent(b.startItemId)}/commit`;
    const body = { session: 1, seq: 1, cmi: { core: { lesson_status: 'incomplete' } } };
    const refused = await request(t.contentUrl).post(path).set('X-Request-Id', 'req-commit-1').set('Content-Type', 'text/plain').send(JSON.stringify({ ...body, token: 'forged' })).expect(401);
    await requestLines('req-commit-1');
    expect(refused.headers['x-request-id']).toBe('req-commit-1');
    expect(lines.filter((l) => l.includes('req-commit-1'))).toEqual([
      expect.stringContaining(`[HTTP] [req req-commit-1] POST ${path} → 401 runtime_token_invalid`),
      expect.stringMatching(new RegExp(`\\[Request\\] \\[req req-commit-1\\] POST ${path} 401 [\\d.]+ ms$`)),
    ]);
    await request(t.contentUrl).post(path).set({ Authorization: `Bearer ${b.token}`, 'X-Request-Id': 'req-commit-2' }).send(body).expect(200);
    await requestLines('req-commit-2');
    expect(lines.filter((l) => l.includes('req-commit-2'))).toEqual([expect.stringMatching(new RegExp(`\\[Request\\] \\[req req-commit-2\\] POST ${path} 200 [\\d.]+ ms$`))]);
  });

  it("never writes a course file's grant, a launch code or a dispatch token: the lines mask them and keep the rest", async () => {
    const created = await request(t.appUrl).post('/api/courses').set(t.auth).attach('package', await buildFixtureZip('scorm12-multi-sco'), 'c.zip').expect(201);
    const file = new URL(created.body.currentVersion.scos[0].url as string).pathname;
    const [, , versionId, grant, ...rest] = file.split('/');
    const masked = `/content/${versionId}/<grant>/${rest.join('/')}`;
    await request(t.contentUrl).get(file).set('X-Request-Id', 'req-file-1').expect(200);
    const forged = `${grant.split('.')[0]}.forged-signature-0123456789`;
    await request(t.contentUrl).get(file.replace(grant, forged)).set('X-Request-Id', 'req-file-2').expect(403);
    await request(t.appUrl).get(`/content/grants/${versionId}/${forged}`).set('X-Request-Id', 'req-file-3');
    await request(t.contentUrl).get('/player/secret-launch-code-0123456789').set('X-Request-Id', 'req-code-1');
    await request(t.contentUrl).get('/dispatch/secret-dispatch-token-0123456789').set('X-Request-Id', 'req-dispatch-1');
    await requestLines('req-file-1', 'req-file-2', 'req-file-3', 'req-code-1', 'req-dispatch-1');
    const of = (id: string) => lines.filter((l) => l.includes(`[req ${id}]`));
    expect(of('req-file-1')).toEqual([expect.stringContaining(`[Request] [req req-file-1] GET ${masked} 200`)]);
    expect(of('req-file-2')).toEqual([expect.stringContaining(`GET ${masked} → 403`), expect.stringContaining(`[Request] [req req-file-2] GET ${masked} 403`)]);
    expect(of('req-file-3').join('\n')).toContain(`GET /content/grants/${versionId}/<grant> `);
    expect(of('req-code-1').join('\n')).toContain('GET /player/<launch code> ');
    expect(of('req-dispatch-1').join('\n')).toContain('GET /dispatch/<dispatch token> ');
    const all = lines.join('\n');
    for (const secret of [grant, forged, 'secret-launch-code', 'secret-dispatch-token']) {
      expect(all).not.toContain(secret);
    }
  });

  it("says in a large file's request line that the file sender's helper wrote the answer", async () => {
    const base = await importCourseFolder(t, { 'media/big.bin': noise(1_600_000, 41) });
    await request(base + 'media/big.bin').get('').set('X-Request-Id', 'req-big-1').buffer(true).parse(binary as never).expect(200);
    const path = `${new URL(base).pathname.replace(/^(\/content\/[^/]+\/)[^/]+/, '$1<grant>')}media/big.bin`;
    await requestLines('req-big-1');
    expect(lines.filter((l) => l.includes('[req req-big-1]'))).toEqual([expect.stringMatching(new RegExp(`\\[Request\\] \\[req req-big-1\\] GET ${path} 200 \\(sent by the file sender\\) [\\d.]+ ms$`))]);
  });

  it('at LOG_LEVEL=warn writes no request lines, and the warnings still carry the id', async () => {
    const quiet = await createTestApp({ LOG_LEVEL: 'warn' });
    try {
      const res = await request(quiet.appUrl).get('/api/platforms').set('X-Request-Id', 'quiet-1').expect(401);
      expect(res.headers['x-request-id']).toBe('quiet-1');
      expect(lines.filter((l) => l.includes('quiet-1'))).toEqual([expect.stringContaining('WARN [HTTP] [req quiet-1] GET /api/platforms → 401')]);
    } finally {
      await quiet.close();
    }
  });

  it('writes no id on lines outside a request (start-up work)', () => {
    const startup = linesWith('Nest application successfully started');
    expect(startup).toHaveLength(1);
    expect(startup[0]).not.toContain('[req ');
  });

  it('at LOG_FORMAT=json writes every line as one JSON object, with the request id as a field', async () => {
    const from = lines.length;
    const structured = await createTestApp({ LOG_LEVEL: 'log', LOG_FORMAT: 'json' });
    try {
      await request(structured.appUrl).get('/api/platforms').set('X-Request-Id', 'json-1').expect(401);
      await request(structured.appUrl).get('/health').set('X-Request-Id', 'json-2').expect(200);
    } finally {
      await structured.close();
    }
    const objects = lines.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>); // throws on a line that is not JSON
    const shape = { level: expect.any(String), pid: process.pid, timestamp: expect.any(Number), context: expect.any(String), message: expect.any(String) };
    expect(objects.find((o) => o.message === 'Nest application successfully started')).toEqual(shape); // start-up: no request id
    expect(objects.filter((o) => o.requestId === 'json-1')).toEqual([
      { ...shape, level: 'warn', context: 'HTTP', message: expect.stringMatching(/^GET \/api\/platforms → 401/), requestId: 'json-1' },
      {
        ...shape,
        level: 'log',
        context: 'Request',
        message: expect.stringMatching(/^GET \/api\/platforms 401 [\d.]+ ms$/),
        requestId: 'json-1',
        // the request line's parts as fields, for a collector to filter on
        method: 'GET',
        path: '/api/platforms',
        status: 401,
        durationMs: expect.any(Number),
        outcome: 'sent',
      },
    ]);
    expect(objects.filter((o) => o.requestId === 'json-2')).toEqual([
      { ...shape, level: 'log', context: 'Request', message: expect.stringMatching(/^GET \/health 200 /), requestId: 'json-2', method: 'GET', path: '/health', status: 200, durationMs: expect.any(Number), outcome: 'sent' },
    ]);
  });
});
