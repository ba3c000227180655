import * as http from 'node:http';
import * as net from 'node:net';
import { gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { ScoState } from '../../src/attempts/sco-state.entity';
import { createTestApp, TestApp } from '../support/app';
import { importFixture, launchContext, openPlayer, type BootstrapJson } from '../support/player-entry';

/**
 * The commit route's HTTP edges. A commit sent as the player sends it (JSON, text/plain holding JSON,
 * a form with `payload`, in UTF-8) is answered by the content listener's lean path before Express
 * (src/attempts/runtime-commits.ts); anything else (a compressed body, another charset, a trailing
 * slash) goes on to the Nest controller and its body parsers. Both must answer alike: the same
 * statuses, error shapes and headers, and nothing stored from a refused commit.
 */

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

function post(url: string, headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Runtime commit route (lean path and the Nest path it passes on to)', () => {
  let t: TestApp;
  let course12: string;

  beforeAll(async () => {
    t = await createTestApp();
    course12 = await importFixture(t, 'scorm12-single-sco');
  });

  afterAll(async () => {
    await t.close();
  });

  const commit = (seq: number, suspendData = `seq ${seq}`) => ({ session: 1, seq, cmi: { suspend_data: suspendData, core: { lesson_status: 'incomplete', lesson_location: '', exit: '', session_time: '00:00:00' } } });
  const open = async () => {
    const { bootstrap: b } = await openPlayer(t, launchContext(course12));
    return { b, url: `${t.contentUrl}${b.runtimeBase}/scos/${encodeURIComponent(b.startItemId)}/commit`, auth: { Authorization: `Bearer ${b.token}` } };
  };
  const stored = (b: BootstrapJson) => t.server.app.get(DataSource).getRepository(ScoState).findOne({ where: { attemptId: b.attemptId, itemId: b.startItemId } });

  it('should answer a commit with the result, no-store, the request id and no ETag', async () => {
    const { b, url, auth } = await open();
    const res = await post(url, { ...auth, 'Content-Type': 'application/json', 'X-Request-Id': 'commit-lean-1' }, JSON.stringify(commit(1)));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: true, errorCode: 0, applied: true });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-request-id']).toBe('commit-lean-1');
    expect(res.headers.etag).toBeUndefined();
    // A byte order mark before the JSON and a charset parameter are read as JSON readers do.
    const bom = await post(url, { ...auth, 'Content-Type': 'text/plain;charset=UTF-8' }, `\uFEFF${JSON.stringify(commit(2))}`);
    expect(bom.body).toEqual({ result: true, errorCode: 0, applied: true });
    expect((await stored(b))?.suspendData).toBe('seq 2');
  });

  it('should apply the commits the lean path passes on (a gzip body, a trailing slash, another JSON type) exactly as the others', async () => {
    const { b, url, auth } = await open();
    const gz = await post(url, { ...auth, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, gzipSync(JSON.stringify(commit(1))));
    expect([gz.status, gz.body]).toEqual([200, { result: true, errorCode: 0, applied: true }]);
    const slash = await post(`${url}/`, { ...auth, 'Content-Type': 'application/json', 'X-Request-Id': 'commit-nest-1' }, JSON.stringify(commit(2)));
    expect([slash.status, slash.body]).toEqual([200, { result: true, errorCode: 0, applied: true }]);
    expect(slash.headers['cache-control']).toBe('no-store');
    expect(slash.headers['x-request-id']).toBe('commit-nest-1');
    const vendor = await post(url, { ...auth, 'Content-Type': 'application/vnd.bridge+json' }, JSON.stringify(commit(1)));
    expect([vendor.status, vendor.body]).toEqual([200, { result: true, errorCode: 0, applied: false, reason: 'stale' }]);
    expect((await stored(b))?.suspendData).toBe('seq 2');
  });

  it.each([
    ['application/json', '{"session":1,'],
    ['text/plain', 'not json'],
    ['application/x-www-form-urlencoded', 'payload=%7B%22session%22'],
    ['application/json', ''],
  ])('should refuse a body that is not JSON (%s %j) with commit_invalid and store nothing', async (type, body) => {
    const { b, url, auth } = await open();
    const res = await post(url, { ...auth, 'Content-Type': type }, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'commit_invalid', message: 'The commit body is not valid JSON.' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await stored(b)).toBeNull();
  });

  it.each([
    ['application/json', 'null'],
    ['application/json', '[1]'],
    ['text/plain', '"a string"'],
  ])('should refuse JSON that is not an object (%s %s) with commit_invalid', async (type, body) => {
    const { url, auth } = await open();
    const res = await post(url, { ...auth, 'Content-Type': type }, body);
    expect([res.status, res.body]).toEqual([400, { error: 'commit_invalid', message: 'The commit body is not a JSON object.' }]);
  });

  it('should refuse a form of more than 1,000 parameters with 413 payload_too_large, on both paths, and store nothing', async () => {
    const { b, url, auth } = await open();
    const payload = `payload=${encodeURIComponent(JSON.stringify(commit(1)))}`;
    const refused = { error: 'payload_too_large', message: 'The form body has more than the 1000 parameters this address accepts.' };
    const many = payload + '&x='.repeat(1000);
    const lean = await post(url, { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, many);
    expect([lean.status, lean.body]).toEqual([413, refused]);
    // the same refusal from the body parser (a trailing slash goes to Nest)
    const nest = await post(`${url}/`, { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, many);
    expect([nest.status, nest.body]).toEqual([413, refused]);
    expect(await stored(b)).toBeNull();
    // 1,000 parameters are still read
    const enough = await post(url, { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, payload + '&x='.repeat(999));
    expect([enough.status, enough.body.applied]).toEqual([200, true]);
  });

  it('should refuse a body over the limit of its type with 413 payload_too_large, on both paths, and store nothing', async () => {
    const { b, url, auth } = await open();
    const json = JSON.stringify(commit(1, 'x'.repeat(10 * 1024 * 1024)));
    const lean = await post(url, { ...auth, 'Content-Type': 'application/json' }, json);
    expect(lean.status).toBe(413);
    expect(lean.body).toEqual({ error: 'payload_too_large', message: 'The request body is larger than the 10 MB this address accepts.' });
    expect(lean.headers['cache-control']).toBe('no-store');
    // the same refusal from the body parsers (a trailing slash goes to Nest)
    const nest = await post(`${url}/`, { ...auth, 'Content-Type': 'application/json' }, json);
    expect([nest.status, nest.body]).toEqual([lean.status, lean.body]);
    const form = await post(url, { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ payload: JSON.stringify(commit(1, 'y'.repeat(2 * 1024 * 1024))) }).toString());
    expect([form.status, form.body]).toEqual([413, { error: 'payload_too_large', message: 'The request body is larger than the 2 MB this address accepts.' }]);
    expect(await stored(b)).toBeNull();
    // the connection still answers the next commit
    const next = await post(url, { ...auth, 'Content-Type': 'application/json' }, JSON.stringify(commit(2)));
    expect(next.body).toEqual({ result: true, errorCode: 0, applied: true });
  });

  it('should refuse a charset or encoding it cannot read with 415, not a server error', async () => {
    const { url, auth } = await open();
    const charset = await post(url, { ...auth, 'Content-Type': 'application/json; charset=bogus' }, JSON.stringify(commit(1)));
    expect([charset.status, charset.body]).toEqual([415, { error: 'unsupported_media_type', message: 'Unsupported charset "BOGUS".' }]);
    const encoding = await post(url, { ...auth, 'Content-Type': 'application/json', 'Content-Encoding': 'x-unknown' }, JSON.stringify(commit(1)));
    expect([encoding.status, encoding.body]).toEqual([415, { error: 'unsupported_media_type', message: 'Unsupported content encoding "x-unknown".' }]);
  });

  it('should refuse a wrong, missing or foreign token in the header or the body with the same 401 and 403', async () => {
    const { b, url } = await open();
    const other = await open();
    const invalid = { error: 'runtime_token_invalid', message: 'The player session is not valid; relaunch the course from your LMS.' };
    const wrong = await post(url, { Authorization: `Bearer ${b.token.slice(0, -2)}AA`, 'Content-Type': 'application/json' }, JSON.stringify(commit(1)));
    expect([wrong.status, wrong.body]).toEqual([401, invalid]);
    const none = await post(url, { 'Content-Type': 'text/plain' }, JSON.stringify(commit(1)));
    expect([none.status, none.body]).toEqual([401, invalid]);
    const inBody = await post(url, { 'Content-Type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ payload: JSON.stringify({ ...commit(1), token: 'not-a-token' }) }).toString());
    expect([inBody.status, inBody.body]).toEqual([401, invalid]);
    const foreign = await post(url, { 'Content-Type': 'text/plain' }, JSON.stringify({ ...commit(1), token: other.b.token }));
    expect([foreign.status, foreign.body.error]).toEqual([403, 'attempt_mismatch']);
    expect(await stored(b)).toBeNull();
  });

  it('should store nothing from a commit whose client goes away mid-body, and go on answering', async () => {
    const { b, url, auth } = await open();
    const target = new URL(url);
    const socket = net.connect(Number(target.port), target.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    const head = `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nAuthorization: ${auth.Authorization}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`;
    socket.write(head + JSON.stringify(commit(1)).slice(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await stored(b)).toBeNull();
    const next = await post(url, { ...auth, 'Content-Type': 'application/json' }, JSON.stringify(commit(2)));
    expect(next.body).toEqual({ result: true, errorCode: 0, applied: true });
  });
});
