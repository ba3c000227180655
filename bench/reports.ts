/**
 * `npm run bench -- reports`: the usage reports (src/reports) over a large client, on a real server.
 *
 * Fills a database with the app's own schema: 2 customers, each with one LMS (platform), and 20
 * courses are made over HTTP (the admin API, real fixture zips); the learners, resource links,
 * attempts (BENCH_ATTEMPTS, default 120,000: each learner on 1 to 3 courses, plus a preview per 100
 * learners that no report counts), their SCO states (one per SCO of the version: 1 or 6) and an NRPS
 * roster per LMS are written with bulk SQL in the bench process, as the runtime would have stored them.
 * Runs on a SQLite file, and on a fresh PostgreSQL database too with
 * BENCH_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres).
 *
 * Each report is then asked over HTTP from a fresh server process (bench/import-server.ts: src/
 * transpiled, a process of its own): customer A's report and course 2's report (a course of 6 SCOs,
 * used by both customers), each as JSON and CSV, and the customers overview. Printed per report: the
 * first request's wall time, server CPU (from /proc) and peak RSS growth over the RSS before it (the
 * kernel's high-water mark, reset through /proc/<pid>/clear_refs just before), then the median wall
 * time and server CPU of BENCH_REPEAT (default 3) more requests. The reference, measured in the same
 * run with the same database: `SELECT count(*)` of the scope's SCO states, and one streaming pass with
 * the DB driver over the scope's attempts joined with their SCO states (better-sqlite3 iterate(); a
 * PostgreSQL cursor fetched 2,000 rows at a time), with this process's CPU and peak RSS growth.
 *
 * The figures are checked against what was inserted: attempts, learners, completions, passed, failed
 * and enrolled-not-started, per customer and per course line. A wrong figure fails the bench.
 *
 * BENCH_DATABASES=sqlite or postgres runs one of them only; BENCH_HEAP_MB the heap caps (comma-separated).
 *
 *   BENCH_ATTEMPTS=120000 BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- reports
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { buildFixtureZip } from '../test/support/scorm-package.builder';
import { courseItems } from '../src/scorm/result-rules';
import type { ParsedManifest } from '../src/scorm/manifest.types';
import { ADMIN_TOKEN, serverCommand, startServer, type Server } from './import-server';
import { median } from './stats';
import { cpuMsByPid, ownCpuMs } from './proc-cpu';

const COURSES = 20;
const CUSTOMERS = ['Acme Corp', 'Beta College'];
const LEARNER_ROLE = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
/** Roster per LMS: the first ROSTERED learners (started some courses) and NEVER who never launched. */
const ROSTERED = 2_000;
const NEVER = 500;

/** The four results an attempt can have here (every SCO of the attempt stored the same). */
const OUTCOMES = [
  { completion: 'completed', success: 'passed', raw: 80 },
  { completion: 'completed', success: 'failed', raw: 40 },
  { completion: 'incomplete', success: 'unknown', raw: null },
  { completion: 'completed', success: 'unknown', raw: null },
] as const;

/** SQL with `?` placeholders, run on SQLite or PostgreSQL. */
interface Db {
  kind: 'sqlite' | 'postgres';
  url: string;
  exec(sql: string, params?: unknown[]): Promise<void>;
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Streams the rows of `sql` to `each` (bounded memory), returning the count. */
  stream(sql: string, params: unknown[], each: (row: Record<string, unknown>) => void): Promise<number>;
  close(): Promise<void>;
  drop(): Promise<void>;
}

/** The part of better-sqlite3's API the bench uses (the package ships no types). */
interface SqliteDb {
  prepare(sql: string): { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[]; iterate(...params: unknown[]): IterableIterator<unknown> };
  close(): void;
}
const Sqlite = createRequire(__filename)('better-sqlite3') as new (file: string) => SqliteDb;

async function openDb(kind: 'sqlite' | 'postgres', dir: string): Promise<Db> {
  if (kind === 'sqlite') {
    const file = path.join(dir, 'reports.sqlite');
    let db: SqliteDb | null = null;
    const conn = () => (db ??= new Sqlite(file));
    const plain = (params: unknown[]) => params.map((v) => (typeof v === 'boolean' ? Number(v) : v));
    return {
      kind,
      url: `sqlite:${file}`,
      exec: async (sql, params = []) => void conn().prepare(sql).run(...plain(params)),
      all: async <T>(sql: string, params: unknown[] = []) => conn().prepare(sql).all(...plain(params)) as T[],
      stream: async (sql, params, each) => {
        let n = 0;
        for (const row of conn().prepare(sql).iterate(...plain(params))) {
          each(row as Record<string, unknown>);
          n++;
        }
        return n;
      },
      close: async () => {
        db?.close();
        db = null;
      },
      drop: async () => undefined,
    };
  }
  const admin = process.env.BENCH_POSTGRES_URL!;
  const name = `bench_reports_${randomBytes(4).toString('hex')}`;
  const adminQuery = async (sql: string) => {
    const c = new Client({ connectionString: admin });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  let client: Client | null = null;
  const conn = async () => {
    if (!client) {
      client = new Client({ connectionString: url.toString() });
      await client.connect();
    }
    return client;
  };
  const numbered = (sql: string) => {
    let i = 0;
    return sql.replace(/\?/g, () => `$${++i}`);
  };
  return {
    kind,
    url: url.toString(),
    exec: async (sql, params = []) => void (await (await conn()).query(numbered(sql), params)),
    all: async <T>(sql: string, params: unknown[] = []) => (await (await conn()).query(numbered(sql), params)).rows as T[],
    stream: async (sql, params, each) => {
      const c = await conn();
      await c.query('BEGIN');
      try {
        await c.query({ text: `DECLARE bench_cursor NO SCROLL CURSOR FOR ${numbered(sql)}`, values: params });
        let n = 0;
        for (;;) {
          const rows = (await c.query('FETCH 2000 FROM bench_cursor')).rows;
          if (rows.length === 0) {
            break;
          }
          for (const r of rows) {
            each(r);
          }
          n += rows.length;
        }
        return n;
      } finally {
        await c.query('COMMIT');
      }
    },
    close: async () => {
      await client?.end();
      client = null;
    },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Inserts rows in multi-row statements (500 rows each), all in one transaction. */
async function insertRows(db: Db, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const per = 500;
  const cols = columns.map((c) => `"${c}"`).join(', ');
  const one = `(${columns.map(() => '?').join(', ')})`;
  await db.exec('BEGIN');
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    await db.exec(`INSERT INTO "${table}" (${cols}) VALUES ${chunk.map(() => one).join(', ')}`, chunk.flat());
  }
  await db.exec('COMMIT');
}

/** A date as TypeORM writes it to both drivers' datetime/timestamp columns (UTC). */
const sqlDate = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

async function api<T>(server: Server, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${server.port}${url}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined || body instanceof FormData ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}

/** What the bench wrote, and the figures each report line must show. */
interface Expected {
  customers: string[];
  courses: string[];
  /** Per customer index and course index: attempts, learner ids, completions, passed, failed, not started. */
  lines: Array<Array<{ attempts: number; learners: Set<string>; completions: number; passed: number; failed: number; notStarted: number }>>;
  attempts: number;
  states: number;
}

/** The customers, LMSs and courses over HTTP; the learners, attempts, SCO states and rosters with bulk SQL. */
async function fill(db: Db, attemptsWanted: number): Promise<Expected> {
  const server = await startServer(serverCommand(), { DATABASE_URL: db.url, WORKERS: '1' });
  const customers: string[] = [];
  const platforms: string[] = [];
  const courses: string[] = [];
  try {
    for (const [i, name] of CUSTOMERS.entries()) {
      const customerId = (await api<{ id: string }>(server, 'POST', '/api/customers', { name })).id;
      customers.push(customerId);
      const platform = await api<{ id: string }>(server, 'POST', '/api/platforms', {
        name: `LMS ${i + 1}`,
        issuer: `https://lms${i + 1}.example.edu`,
        clientId: `client-${i + 1}`,
        authorizationEndpoint: `https://lms${i + 1}.example.edu/auth`,
        tokenEndpoint: `https://lms${i + 1}.example.edu/token`,
        jwksUri: `https://lms${i + 1}.example.edu/jwks`,
        deploymentIds: ['1'],
        customerId,
      });
      platforms.push(platform.id);
    }
    const zips = [await buildFixtureZip('scorm12-single-sco'), await buildFixtureZip('scorm12-multi-sco')];
    for (let c = 0; c < COURSES; c++) {
      const form = new FormData();
      form.append('package', new Blob([new Uint8Array(zips[c % 2])], { type: 'application/zip' }), 'course.zip');
      const id = (await api<{ id: string }>(server, 'POST', '/api/courses?onDuplicate=separate', form)).id;
      await api(server, 'PATCH', `/api/courses/${id}`, { title: `Course ${String(c + 1).padStart(2, '0')}` });
      courses.push(id);
    }
  } finally {
    await server.stop();
  }
  const versions = await db.all<{ id: string; courseId: string; manifest: string | ParsedManifest }>('SELECT "id", "courseId", "manifest" FROM "course_versions"');
  const versionOf = new Map(versions.map((v) => [v.courseId, { id: v.id, scos: courseItems(typeof v.manifest === 'string' ? (JSON.parse(v.manifest) as ParsedManifest) : v.manifest).items.filter((i) => i.scormType === 'sco') }]));

  const learnersPerLms = Math.ceil(attemptsWanted / 2 / platforms.length);
  const now = Date.now();
  const expected: Expected = {
    customers,
    courses,
    lines: customers.map(() => courses.map(() => ({ attempts: 0, learners: new Set<string>(), completions: 0, passed: 0, failed: 0, notStarted: 0 }))),
    attempts: 0,
    states: 0,
  };
  const links: unknown[][] = [];
  const learners: unknown[][] = [];
  const attempts: unknown[][] = [];
  const states: unknown[][] = [];
  const rosters: unknown[][] = [];
  const members: unknown[][] = [];
  let n = 0;
  for (const [p, platformId] of platforms.entries()) {
    const linkIds = courses.map((courseId, c) => {
      const id = randomUUID();
      links.push([id, platformId, '1', `link-${c}`, courseId, `Course ${c + 1}`, 'ctx-1']);
      return id;
    });
    const startedBy: Array<Set<number>> = courses.map(() => new Set());
    for (let i = 0; i < learnersPerLms; i++) {
      const learnerId = randomUUID();
      learners.push([learnerId, platformId, `u${i}`, `Learner ${i}`]);
      for (let k = 0; k <= i % 3; k++) {
        const c = (i * 7 + k) % COURSES;
        const attemptId = randomUUID();
        const outcome = OUTCOMES[n % OUTCOMES.length];
        const at = now - ((n * 37) % (90 * 86_400_000));
        n++;
        attempts.push([attemptId, learnerId, linkIds[c], versionOf.get(courses[c])!.id, 1, false, sqlDate(at), sqlDate(at), 1]);
        for (const sco of versionOf.get(courses[c])!.scos) {
          const raw = outcome.raw;
          states.push([randomUUID(), attemptId, sco.itemId, outcome.completion, outcome.success, raw === null ? null : raw / 100, raw, raw === null ? null : 0, raw === null ? null : 100, sqlDate(at)]);
        }
        const line = expected.lines[p][c];
        line.attempts++;
        line.learners.add(learnerId);
        line.completions += outcome.completion === 'completed' ? 1 : 0;
        line.passed += outcome.success === 'passed' ? 1 : 0;
        line.failed += outcome.success === 'failed' ? 1 : 0;
        startedBy[c].add(i);
        if (i % 100 === 0 && k === 0) {
          // an instructor's preview: never counted
          attempts.push([randomUUID(), learnerId, linkIds[c], versionOf.get(courses[c])!.id, 2, true, sqlDate(at), sqlDate(at), 1]);
        }
      }
    }
    const rosterId = randomUUID();
    const subs = [...Array.from({ length: Math.min(ROSTERED, learnersPerLms) }, (_, i) => `u${i}`), ...Array.from({ length: NEVER }, (_, i) => `never${i}`)];
    rosters.push([rosterId, platformId, 'ctx-1', 'Context 1', '1', `https://lms${p + 1}.example.edu/nrps`, 'ok', now, now, subs.length, subs.length]);
    for (const sub of subs) {
      members.push([randomUUID(), rosterId, sub, `Member ${sub}`, JSON.stringify([LEARNER_ROLE]), 'Active']);
    }
    for (const [c, started] of startedBy.entries()) {
      expected.lines[p][c].notStarted = subs.filter((s) => !(s.startsWith('u') && started.has(Number(s.slice(1))))).length;
    }
  }
  expected.attempts = n;
  expected.states = states.length;
  const t0 = Date.now();
  await insertRows(db, 'resource_links', ['id', 'platformId', 'deploymentId', 'resourceLinkId', 'courseId', 'title', 'contextId'], links);
  await insertRows(db, 'learners', ['id', 'platformId', 'sub', 'name'], learners);
  await insertRows(db, 'attempts', ['id', 'learnerId', 'resourceLinkId', 'courseVersionId', 'number', 'preview', 'lastLaunchedAt', 'updatedAt', 'launchCount'], attempts);
  await insertRows(db, 'sco_states', ['id', 'attemptId', 'itemId', 'completionStatus', 'successStatus', 'scoreScaled', 'scoreRaw', 'scoreMin', 'scoreMax', 'updatedAt'], states);
  await insertRows(db, 'rosters', ['id', 'platformId', 'contextId', 'contextTitle', 'deploymentId', 'membershipsUrl', 'state', 'fetchedAtMs', 'triedAtMs', 'memberCount', 'learnerCount'], rosters);
  await insertRows(db, 'roster_members', ['id', 'rosterId', 'userId', 'name', 'roles', 'status'], members);
  if (db.kind === 'postgres') {
    await db.exec('VACUUM ANALYZE'); // what autovacuum would have done by then (SQLite: the app runs no ANALYZE)
  }
  process.stdout.write(
    `${db.kind}: filled ${learners.length} learners, ${n} counted attempts (+${attempts.length - n} previews), ${states.length} SCO states, ${members.length} roster members in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  return expected;
}

interface Figures {
  learners: number;
  attempts: number;
  completions: number;
  passed: number;
  failed: number;
  enrolledNotStarted: number | null;
}

/** Every figure the bench can know of a report, against what was inserted; the first difference, or null. */
function checkReport(kind: 'customer' | 'course', body: Record<string, unknown>, e: Expected, courseIndex = 1): string | null {
  const want = (cells: Array<Expected['lines'][number][number]>): Figures => {
    const learners = new Set<string>();
    cells.forEach((l) => l.learners.forEach((id) => learners.add(id)));
    return {
      learners: learners.size,
      attempts: cells.reduce((a, l) => a + l.attempts, 0),
      completions: cells.reduce((a, l) => a + l.completions, 0),
      passed: cells.reduce((a, l) => a + l.passed, 0),
      failed: cells.reduce((a, l) => a + l.failed, 0),
      enrolledNotStarted: cells.reduce((a, l) => a + l.notStarted, 0),
    };
  };
  const pick = (f: Figures): Figures => ({ learners: f.learners, attempts: f.attempts, completions: f.completions, passed: f.passed, failed: f.failed, enrolledNotStarted: f.enrolledNotStarted });
  const pairs: Array<[string, Figures, Figures]> = [];
  if (kind === 'customer') {
    pairs.push(['totals', pick(body.totals as Figures), want(e.lines[0])]);
    for (const line of body.courses as Array<Figures & { courseId: string }>) {
      pairs.push([`course ${line.courseId}`, pick(line), want([e.lines[0][e.courses.indexOf(line.courseId)]])]);
    }
  } else {
    pairs.push(['totals', pick(body.totals as Figures), want(e.lines.map((l) => l[courseIndex]))]);
    for (const line of body.customers as Array<Figures & { customerId: string }>) {
      pairs.push([`customer ${line.customerId}`, pick(line), want([e.lines[e.customers.indexOf(line.customerId)][courseIndex]])]);
    }
  }
  for (const [what, got, wanted] of pairs) {
    if (JSON.stringify(got) !== JSON.stringify(wanted)) {
      return `${what}: got ${JSON.stringify(got)}, inserted ${JSON.stringify(wanted)}`;
    }
  }
  return null;
}

const rssOf = (pid: number, field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
/** Resets the process's peak RSS (VmHWM) to its current RSS (Linux: clear_refs 5). */
const resetPeak = (pid: number) => fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

interface Measured {
  coldMs: number;
  coldCpuMs: number;
  peakGrowth: number;
  warmMs: number;
  warmCpuMs: number;
  bytes: number;
}

/** One report from a fresh server: the first request with its memory, then `repeat` more for time and CPU. */
async function measureReport(db: Db, url: string, repeat: number, check: (body: Record<string, unknown>) => string | null, csv: boolean): Promise<Measured> {
  const server = await startServer(serverCommand(), { DATABASE_URL: db.url, WORKERS: '1' });
  try {
    const pid = server.child.pid!;
    const ask = async () => {
      const cpu0 = cpuMsByPid([pid]).get(pid)!;
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${server.port}${url}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, Accept: csv ? 'text/csv' : 'application/json' } });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) {
        throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
      }
      return { ms, cpuMs: cpuMsByPid([pid]).get(pid)! - cpu0, text };
    };
    await new Promise((r) => setTimeout(r, 300)); // start-up's own allocations settle
    const before = rssOf(pid, 'VmRSS');
    resetPeak(pid);
    const cold = await ask();
    const peakGrowth = rssOf(pid, 'VmHWM') - before;
    if (!csv) {
      const wrong = check(JSON.parse(cold.text) as Record<string, unknown>);
      if (wrong) {
        throw new Error(`${url}: ${wrong}`);
      }
    }
    const warm = [];
    for (let i = 0; i < repeat; i++) {
      warm.push(await ask());
    }
    return { coldMs: cold.ms, coldCpuMs: cold.cpuMs, peakGrowth, warmMs: median(warm.map((w) => w.ms)), warmCpuMs: median(warm.map((w) => w.cpuMs)), bytes: Buffer.byteLength(cold.text) };
  } finally {
    await server.stop();
  }
}

/**
 * The report from a fresh server whose V8 old space is capped at `heapMb` (--max-old-space-size): V8
 * then collects before the heap passes the cap, so whether the report is answered at all shows the
 * memory it really keeps (not the garbage a roomy heap lets pile up); a server that runs out of heap
 * dies and the request gets no answer.
 */
async function measureCapped(db: Db, url: string, heapMb: number): Promise<string> {
  const server = await startServer([`--max-old-space-size=${heapMb}`, ...serverCommand()], { DATABASE_URL: db.url, WORKERS: '1' });
  try {
    const pid = server.child.pid!;
    await new Promise((r) => setTimeout(r, 300));
    const before = rssOf(pid, 'VmRSS');
    resetPeak(pid);
    const t0 = performance.now();
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}${url}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      await res.text();
      return `${res.status} in ${(performance.now() - t0).toFixed(0)} ms, peak RSS +${mb(rssOf(pid, 'VmHWM') - before)} MB`;
    } catch (err) {
      const exited = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5_000);
        server.child.once('exit', () => resolve(true));
        if (server.child.exitCode !== null || server.child.signalCode !== null) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      const how = exited ? `the server died: ${server.child.signalCode ?? `exit code ${server.child.exitCode}`}, its log above says why` : 'the server did not answer';
      return `no answer (${err instanceof Error ? err.message : String(err)}; ${how})`;
    }
  } finally {
    await server.stop();
  }
}

/** The reference: count(*) and one streaming pass over the scope's attempts with their SCO states, in this process. */
async function reference(db: Db, scope: { customerId?: string; courseId?: string }): Promise<{ countMs: number; count: number; passMs: number; passCpuMs: number; peakGrowth: number; rows: number }> {
  const where = [`a."preview" = ?`, ...(scope.customerId ? ['p."customerId" = ?'] : []), ...(scope.courseId ? ['l."courseId" = ?'] : [])].join(' AND ');
  const params = [false, ...(scope.customerId ? [scope.customerId] : []), ...(scope.courseId ? [scope.courseId] : [])];
  const from = `FROM "attempts" a JOIN "resource_links" l ON l."id" = a."resourceLinkId" JOIN "platforms" p ON p."id" = l."platformId" LEFT JOIN "sco_states" s ON s."attemptId" = a."id" WHERE ${where}`;
  let t0 = performance.now();
  const count = Number((await db.all<{ n: number | string }>(`SELECT count(*) AS n ${from}`, params))[0].n);
  const countMs = performance.now() - t0;
  global.gc?.();
  const before = rssOf(process.pid, 'VmRSS');
  resetPeak(process.pid);
  const cpu0 = ownCpuMs();
  t0 = performance.now();
  let completed = 0;
  const rows = await db.stream(
    `SELECT a."id", a."learnerId", a."updatedAt", a."lastLaunchedAt", l."courseId", p."customerId", s."itemId", s."completionStatus", s."successStatus", s."scoreScaled", s."updatedAt" AS "stateUpdatedAt" ${from}`,
    params,
    (r) => {
      completed += r.completionStatus === 'completed' ? 1 : 0;
    },
  );
  const passMs = performance.now() - t0;
  const passCpuMs = ownCpuMs() - cpu0;
  const peakGrowth = rssOf(process.pid, 'VmHWM') - before;
  if (rows !== count || completed > rows) {
    throw new Error(`reference: streamed ${rows} rows, count(*) ${count}`);
  }
  return { countMs, count, passMs, passCpuMs, peakGrowth, rows };
}

export async function run(): Promise<boolean> {
  const attemptsWanted = Number(process.env.BENCH_ATTEMPTS ?? 120_000);
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  const heapCaps = (process.env.BENCH_HEAP_MB ?? '64').split(',').filter(Boolean).map(Number);
  // BENCH_DATABASES=postgres: that one only
  const kinds = (process.env.BENCH_DATABASES?.split(',') ?? (process.env.BENCH_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'])) as Array<'sqlite' | 'postgres'>;
  let ok = true;
  for (const kind of kinds) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-reports-'));
    const db = await openDb(kind, dir);
    try {
      const e = await fill(db, attemptsWanted);
      const customerA = e.customers[0];
      const course2 = e.courses[1]; // a course of 6 SCOs
      const reports: Array<{ label: string; url: string; csv: boolean; check: (b: Record<string, unknown>) => string | null; scope: { customerId?: string; courseId?: string } }> = [
        { label: 'customer A report JSON', url: `/api/customers/${customerA}/report`, csv: false, check: (b) => checkReport('customer', b, e), scope: { customerId: customerA } },
        { label: 'customer A report CSV', url: `/api/customers/${customerA}/report?format=csv`, csv: true, check: () => null, scope: { customerId: customerA } },
        { label: 'course 2 report JSON', url: `/api/reports/courses/${course2}`, csv: false, check: (b) => checkReport('course', b, e), scope: { courseId: course2 } },
        { label: 'course 2 report CSV', url: `/api/reports/courses/${course2}?format=csv`, csv: true, check: () => null, scope: { courseId: course2 } },
        { label: 'customers overview JSON', url: '/api/reports/customers', csv: false, check: () => null, scope: {} },
      ];
      const scopeAttempts = (s: { customerId?: string; courseId?: string }) =>
        e.lines.reduce((sum, line, p) => sum + line.reduce((a, l, c) => a + (s.customerId && e.customers[p] !== s.customerId ? 0 : s.courseId && e.courses[c] !== s.courseId ? 0 : l.attempts), 0), 0);
      process.stdout.write(`${kind}: each report from a fresh server; cold = its first request (peak RSS growth over the RSS before it), warm = median of ${repeat} more\n`);
      for (const r of reports) {
        const m = await measureReport(db, r.url, repeat, r.check, r.csv);
        await db.close(); // the server's reads and the reference's never overlap
        const ref = await reference(db, r.scope);
        await db.close();
        process.stdout.write(
          `  ${r.label.padEnd(24)} ${String(scopeAttempts(r.scope)).padStart(7)} attempts, ${String(ref.rows).padStart(7)} rows: ` +
            `cold ${m.coldMs.toFixed(0)} ms (server CPU ${m.coldCpuMs.toFixed(0)} ms), peak RSS +${mb(m.peakGrowth)} MB; ` +
            `warm ${m.warmMs.toFixed(0)} ms (CPU ${m.warmCpuMs.toFixed(0)} ms); answer ${(m.bytes / 1024).toFixed(0)} KB | ` +
            `reference count(*) ${ref.countMs.toFixed(0)} ms, streaming pass ${ref.passMs.toFixed(0)} ms (CPU ${ref.passCpuMs.toFixed(0)} ms, peak RSS +${mb(ref.peakGrowth)} MB); ` +
            `CPU ratio report/pass ${(m.warmCpuMs / Math.max(1, ref.passCpuMs)).toFixed(1)}x\n`,
        );
      }
      for (const heapMb of heapCaps) {
        for (const r of reports.filter((x) => !x.csv)) {
          process.stdout.write(`  ${r.label.padEnd(24)} with the server's heap capped at ${heapMb} MB: ${await measureCapped(db, r.url, heapMb)}\n`);
        }
      }
      process.stdout.write(`${kind}: figures checked against the ${e.attempts} attempts inserted: right\n`);
    } catch (err) {
      ok = false;
      process.stdout.write(`${kind}: FAILED ${err instanceof Error ? err.message : String(err)}\n`);
    } finally {
      await db.close();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return ok;
}
