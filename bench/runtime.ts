/**
 * `npm run bench -- runtime`: simulated learners commit realistic SCORM 1.2 CMI payloads (about one
 * commit in ten carries 64 KB of suspend data, the rest ~2 KB) over HTTP to the runtime endpoint,
 * at 10, 100 and 500 concurrent learners, each with an AGS claim pointing at the AGS emulator. Each
 * learner ends with a completing commit; the time until its score is accepted by the emulator is
 * measured. Prints commits/s, p50/p99 commit latency and p99 time-to-score.
 *
 * Targets (issue 4): ≥ 2,000 commits/s and p99 < 50 ms at 100 concurrent on SQLite; time-to-score
 * p99 < 1 s. The load generator runs in the same process as the server (2 cores), so the figures
 * understate what a separate server process would do.
 *
 *   BENCH_SECONDS=5 BENCH_LEVELS=10,100,500 npm run bench -- runtime
 */
import * as http from 'node:http';
import { createTestApp } from '../test/support/app';
import { importFixture, launchContext, openPlayer } from '../test/support/player-entry';
import { startAgsPlatform } from '../test/support/emulator-ags';
import { PlatformsService } from '../src/platforms/platforms.service';

const SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);

interface Learner {
  sub: string;
  url: URL;
  token: string;
  seq: number;
}

function post(agent: http.Agent, l: Learner, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      { host: l.url.hostname, port: l.url.port, path: l.url.pathname, method: 'POST', agent, headers: { Authorization: `Bearer ${l.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`commit answered ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function cmi(l: Learner, big: boolean, final: boolean): string {
  l.seq++;
  const suspend = (big ? 'S'.repeat(64 * 1024) : 'x'.repeat(2000)) + l.seq;
  const core = {
    lesson_status: final ? 'completed' : 'incomplete',
    lesson_location: `page-${l.seq}`,
    exit: final ? '' : 'suspend',
    session_time: '00:00:05',
    score: final ? { raw: String(50 + (l.seq % 50)), min: '0', max: '100' } : { raw: '', min: '', max: '' },
  };
  return JSON.stringify({ session: 1, seq: l.seq, terminate: final, cmi: { suspend_data: suspend, core, interactions: [], objectives: [] } });
}

export async function run(): Promise<boolean> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const levels = (process.env.BENCH_LEVELS ?? '10,100,500').split(',').map(Number);
  let appUrl = '';
  const lms = await startAgsPlatform({ toolJwksUrl: () => `${appUrl}/.well-known/jwks.json`, clientId: 'bench-client' });
  const t = await createTestApp({ LOG_LEVEL: 'error', GRADE_RETRY_BASE_MS: '200', GRADE_RETRY_MAX_MS: '2000' });
  appUrl = t.appUrl;
  let ok = true;
  try {
    const platform = await t.server.app.get(PlatformsService, { strict: false }).create({
      name: 'bench LMS',
      issuer: lms.url,
      clientId: 'bench-client',
      authorizationEndpoint: `${lms.url}/auth`,
      tokenEndpoint: lms.tokenEndpoint,
      jwksUri: `${lms.url}/jwks`,
      deploymentIds: ['dep-1'],
    });
    const courseId = await importFixture(t, 'scorm12-single-sco');
    const lineitem = lms.ags.addLineItem();
    for (const n of levels) {
      const learners: Learner[] = [];
      for (let i = 0; i < n; i++) {
        const ctx = launchContext(courseId, { platformId: platform.id, issuer: lms.url, clientId: 'bench-client', ...(process.env.BENCH_NO_AGS ? {} : { ags: { scope: [SCORE], lineitem } }) });
        const { bootstrap: b } = await openPlayer(t, ctx);
        learners.push({ sub: ctx.sub, url: new URL(`${t.contentUrl}${b.runtimeBase}/scos/${encodeURIComponent(b.startItemId)}/commit`), token: b.token, seq: 0 });
      }
      const agent = new http.Agent({ keepAlive: true, maxSockets: n });
      const latencies: number[] = [];
      let errors = 0;
      const until = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        learners.map(async (l) => {
          while (performance.now() < until) {
            try {
              latencies.push(await post(agent, l, cmi(l, l.seq % 10 === 9, false)));
            } catch {
              errors++;
            }
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      // Completing commits: time from the commit's answer to the emulator accepting the score.
      const doneAt = new Map<string, number>();
      await Promise.all(
        learners.map(async (l) => {
          await post(agent, l, cmi(l, false, true));
          doneAt.set(l.sub, Date.now());
        }),
      );
      const deadline = Date.now() + 15_000;
      const arrived = new Map<string, number>();
      while (arrived.size < learners.length && Date.now() < deadline) {
        for (const r of lms.ags.scoreRequests()) {
          if (r.status === 200 && r.score.gradingProgress === 'FullyGraded' && doneAt.has(r.score.userId as string) && !arrived.has(r.score.userId as string)) {
            arrived.set(r.score.userId as string, r.at - doneAt.get(r.score.userId as string)!);
          }
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      agent.destroy();
      const toScore = [...arrived.values()];
      const rate = latencies.length / elapsed;
      const p50 = pct(latencies, 50);
      const p99 = pct(latencies, 99);
      const s99 = pct(toScore, 99);
      process.stdout.write(
        `${String(n).padStart(4)} learners: ${latencies.length} commits in ${elapsed.toFixed(1)} s = ${rate.toFixed(0)} commits/s, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, errors ${errors}; ` +
          `scores at LMS ${toScore.length}/${n}, time-to-score p99 ${s99.toFixed(0)} ms\n`,
      );
      if (n === 100 && (rate < 2000 || p99 >= 50)) {
        ok = false;
      }
      if (toScore.length < n || s99 >= 1000) {
        ok = false;
      }
    }
  } finally {
    await t.close();
    await lms.stop();
  }
  process.stdout.write(`targets (≥2,000 commits/s and p99 < 50 ms at 100; time-to-score p99 < 1 s): ${ok ? 'met' : 'MISSED'}\n`);
  return ok;
}
