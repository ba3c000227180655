import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { benchLearners } from '../../bench/runtime-load';
import type { DriverLearner } from '../../bench/runtime-driver';
import { startAgsPlatform } from './ags-platform';
import { createTestApp, testDatabase, TEST_ADMIN_TOKEN } from './app';
import { RunningCluster, startCluster } from './cluster';
import { importFixture } from './player-entry';

/**
 * Losing an instance under load (issue 11, docs/deployment.md): the server runs in worker mode with two
 * workers on one PostgreSQL database, simulated learners commit as the player does (each on its own
 * keep-alive connection, a failed request retried with the same body), every learner's completing
 * commit queues a grade while the LMS's score endpoint hangs, and one worker is killed with SIGKILL
 * in the middle of the commits. Then the LMS recovers. Counted: commits acknowledged, acknowledged
 * commits missing from the database, learners whose connection died and whose retried commit
 * succeeded on the other worker, commits that failed for good, grades in the LMS's gradebook and
 * scores the LMS accepted twice. Used by test/e2e/instance-loss.e2e-spec.ts (short, exact counts) and
 * `npm run bench -- runtime --instances 2 --kill` (under the bench's load).
 */
export interface KillCounts {
  learners: number;
  commitsAcknowledged: number;
  /** Learners whose stored state is not their last acknowledged commit. */
  acknowledgedLost: number;
  /** Learners one of whose requests failed on a dead connection and was then answered by the other worker. */
  learnersMoved: number;
  /** Commits still unanswered after the player's retries. */
  commitsFailed: number;
  gradesExpected: number;
  gradesInGradebook: number;
  /** Learners whose gradebook score is not the one their completing commit reported. */
  gradesWrong: number;
  /**
   * Learners for whom the LMS accepted two final scores with different timestamps: the completion's
   * grade sent twice as two results. Must be 0.
   */
  scoresSentTwice: number;
  /**
   * The same score (same timestamp) accepted again: a send that timed out while the LMS held it, or
   * whose worker died before recording the answer, is sent again with its timestamp. AGS platforms ignore a score that is not newer than
   * the one they have, so the gradebook is unchanged; counted to show how often it happens.
   */
  scoresResent: number;
  /** grade_deliveries rows not `sent` at the end. */
  deliveriesNotSent: number;
  /** The killed worker's pid and the time from the kill to the last grade reaching the LMS. */
  killedPid: number;
  gradesDoneMs: number;
}

export interface KillOptions {
  learners: number;
  /** Closed-loop commits before the completing ones (ms), and after them, around the kill. */
  warmMs: number;
  aroundKillMs: number;
  /** The kill comes this long into `aroundKillMs`. */
  killAtMs: number;
}

interface Learner extends DriverLearner {
  agent: http.Agent;
  seq: number;
  acked: number;
  moved: boolean;
  score: number;
}

/** Player-like retry (player/src/transport.ts: network error or 5xx → the same body again after a backoff), shortened. */
const RETRIES = 5;
const RETRY_BASE_MS = 100;

export async function runKillScenario(opts: KillOptions, log: (line: string) => void = () => undefined): Promise<KillCounts> {
  if (!process.env.TEST_POSTGRES_URL) {
    throw new Error('the instance-loss scenario needs PostgreSQL (TEST_POSTGRES_URL)');
  }
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-kill-'));
  const database = (await testDatabase(storageDir))!;
  let appUrl = '';
  const lms = await startAgsPlatform({ toolJwksUrl: () => `${appUrl}/.well-known/jwks.json`, clientId: 'bench-client' });
  const env = {
    STORAGE_DIR: storageDir,
    DATABASE_URL: database.url,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    GRADE_HTTP_TIMEOUT_MS: '500', // a claim's lock: 4 × 500 + 1,000 ms
    GRADE_RETRY_BASE_MS: '100',
    GRADE_RETRY_MAX_MS: '500',
  };
  let cluster: RunningCluster | null = null;
  const learners: Learner[] = [];
  try {
    cluster = await startCluster({ ...env, WORKERS: '2', LOG_LEVEL: 'warn' });
    await cluster.waitReady(2);
    appUrl = cluster.appUrl;
    log(`two workers ready (pids ${cluster.readyPids.join(', ')}); ${opts.learners} learners`);
    // Course, platform and players through a third instance on the same database, closed before the load.
    const setup = await createTestApp({ ...env, KEEP_STORAGE: '1', LOG_LEVEL: 'silent' });
    try {
      const courseId = await importFixture(setup, 'scorm12-single-sco');
      for (const l of await (
        await benchLearners(setup, lms, courseId, true)
      )(opts.learners)) {
        const url = new URL(l.url);
        learners.push({
          ...l,
          url: cluster.contentUrl + url.pathname,
          agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
          seq: 0,
          acked: 0,
          moved: false,
          score: 0,
        });
      }
    } finally {
      await setup.close();
    }
    let acknowledged = 0;
    let failed = 0;
    let killedAt = 0;
    const commitUntil = async (until: number, body: (l: Learner) => unknown) => {
      await Promise.all(
        learners.map(async (l) => {
          do {
            l.seq++;
            const text = JSON.stringify(body(l));
            if (await commit(l, text, () => killedAt > 0)) {
              l.acked = l.seq;
              acknowledged++;
            } else {
              failed++;
            }
          } while (Date.now() < until);
        }),
      );
    };
    const progress = (l: Learner, completed: boolean) => cmiBody(l, completed);
    await commitUntil(Date.now() + opts.warmMs, (l) => progress(l, false));
    // The LMS stops answering score POSTs; every learner completes, which queues a grade each.
    lms.ags.hangNext(1_000_000);
    for (const l of learners) {
      l.score = 50 + (learners.indexOf(l) % 50);
    }
    await commitUntil(0, (l) => progress(l, true));
    const killedPid = cluster.readyPids[0];
    const killing = new Promise<void>((resolve) =>
      setTimeout(() => {
        killedAt = Date.now();
        process.kill(killedPid, 'SIGKILL');
        log(`killed worker pid ${killedPid} (SIGKILL) while commits were in flight and grades were being sent`);
        resolve();
      }, opts.killAtMs),
    );
    await commitUntil(Date.now() + opts.aroundKillMs, (l) => progress(l, true));
    await killing;
    // The LMS answers again: the survivor sends what was pending, including the dead worker's claims once their lock expires.
    lms.ags.recover();
    const deadline = Date.now() + 30_000;
    const gradeOf = (l: Learner) => [...lms.ags.results.values()].find((r) => r.score.userId === l.sub && r.score.gradingProgress === 'FullyGraded');
    const graded = () => learners.filter(gradeOf).length;
    while (graded() < learners.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const gradesDoneMs = Date.now() - killedAt;
    // Time for a second send of anything, if one were coming (a claim's lock is 3 s).
    await new Promise((r) => setTimeout(r, 3500));
    // The final scores the LMS accepted, per learner (a progress score accepted before the LMS stopped
    // answering is an earlier result, not a second send).
    const accepted = new Map<string, string[]>();
    for (const r of lms.ags.scoreRequests()) {
      if (r.status === 200 && r.score.gradingProgress === 'FullyGraded') {
        accepted.set(r.score.userId as string, [...(accepted.get(r.score.userId as string) ?? []), String(r.score.timestamp)]);
      }
    }
    const db = new Client({ connectionString: database.url });
    await db.connect();
    let stored: Array<{ sub: string; lastSequence: number; location: string }>;
    let notSent: number;
    try {
      stored = (
        await db.query(
          `SELECT l.sub, s."lastSequence", s.location FROM sco_states s JOIN attempts a ON a.id = s."attemptId" JOIN learners l ON l.id = a."learnerId"`,
        )
      ).rows;
      notSent = Number((await db.query(`SELECT count(*) AS n FROM grade_deliveries WHERE state <> 'sent'`)).rows[0].n);
    } finally {
      await db.end();
    }
    const bySub = new Map(stored.map((s) => [s.sub, s]));
    return {
      learners: learners.length,
      commitsAcknowledged: acknowledged,
      acknowledgedLost: learners.filter((l) => bySub.get(l.sub)?.lastSequence !== l.acked || bySub.get(l.sub)?.location !== `page-${l.acked}`).length,
      learnersMoved: learners.filter((l) => l.moved).length,
      commitsFailed: failed,
      gradesExpected: learners.length,
      gradesInGradebook: graded(),
      gradesWrong: learners.filter((l) => gradeOf(l)?.score.scoreGiven !== l.score).length,
      scoresSentTwice: [...accepted.values()].filter((stamps) => new Set(stamps).size > 1).length,
      scoresResent: [...accepted.values()].reduce((n, stamps) => n + stamps.length - new Set(stamps).size, 0),
      deliveriesNotSent: notSent,
      killedPid,
      gradesDoneMs,
    };
  } finally {
    for (const l of learners) {
      l.agent.destroy();
    }
    await cluster?.stop();
    await lms.stop();
    await database.drop();
    fs.rmSync(storageDir, { recursive: true, force: true });
  }
}

export function formatKillCounts(c: KillCounts): string {
  return (
    `learners ${c.learners}; commits acknowledged ${c.commitsAcknowledged}, acknowledged but lost ${c.acknowledgedLost}, failed after the player's retries ${c.commitsFailed}; ` +
    `learners moved to the surviving worker ${c.learnersMoved}; grades in the gradebook ${c.gradesInGradebook}/${c.gradesExpected} (${c.gradesDoneMs} ms after the kill), wrong ${c.gradesWrong}, ` +
    `doubled (two different scores accepted) ${c.scoresSentTwice}, the same score accepted again ${c.scoresResent}; deliveries not sent ${c.deliveriesNotSent}`
  );
}

/** A SCORM 1.2 commit as the player sends it: location page-<seq>; completed with the learner's score once `completed`. */
function cmiBody(l: Learner, completed: boolean): unknown {
  const core = {
    lesson_status: completed ? 'completed' : 'incomplete',
    lesson_location: `page-${l.seq}`,
    exit: 'suspend',
    session_time: '00:00:05',
    score: completed ? { raw: String(l.score), min: '0', max: '100' } : { raw: '', min: '', max: '' },
  };
  return { session: 1, seq: l.seq, terminate: false, cmi: { suspend_data: `state-${l.seq}`, core, interactions: [], objectives: [] } };
}

/** One commit with the player's retries; true when answered 200. Marks the learner moved when a retry after the kill succeeded. */
async function commit(l: Learner, body: string, afterKill: () => boolean): Promise<boolean> {
  let droppedAfterKill = false;
  for (let attempt = 0; ; attempt++) {
    const status = await post(l, body).catch(() => 0);
    if (status === 200) {
      l.moved ||= droppedAfterKill;
      return true;
    }
    if ((status !== 0 && status < 500) || attempt === RETRIES) {
      return false;
    }
    droppedAfterKill ||= status === 0 && afterKill();
    await new Promise((r) => setTimeout(r, RETRY_BASE_MS * 2 ** attempt));
  }
}

function post(l: Learner, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(l.url);
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: l.agent,
        headers: { Authorization: `Bearer ${l.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
