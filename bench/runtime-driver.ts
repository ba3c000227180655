/**
 * Child process of bench/runtime.ts: the simulated learners (the load generator), in their own
 * process so the server has a core to itself (2-core machine), as in a real deployment. Talks to the
 * parent over IPC: the parent sends a level (learner URLs and tokens), the driver answers with the
 * commit latencies and, for the completing commits, when each answer arrived.
 *
 * Load model: closed loop. Each learner has one commit in flight at a time and sends the next as
 * soon as the previous one is answered (no think time), so commits/s is what the server sustains
 * at that many concurrent learners. About one commit in ten carries 64 KB of suspend data, the rest
 * about 2 KB (SCORM 1.2 `cmi` in scorm-again's JSON form, as the player sends it).
 */
import * as http from 'node:http';

export interface DriverLearner {
  sub: string;
  url: string;
  token: string;
}

export interface LevelRequest {
  type: 'level';
  label: string;
  learners: DriverLearner[];
  seconds: number;
  warmupSeconds: number;
  /** Send one completing commit per learner after the timed phase. */
  complete: boolean;
}

export interface LevelResult {
  type: 'result';
  label: string;
  commits: number;
  /** Every request sent, warm-up and completing commits included (for CPU per request). */
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Learners none of whose commits was answered within the timed phase (starved). */
  starved: number;
  /** learner sub → Date.now() when the completing commit's answer arrived. */
  doneAt: Record<string, number>;
}

interface Learner extends DriverLearner {
  target: URL;
  seq: number;
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

const BIG = 'S'.repeat(64 * 1024);
const SMALL = 'x'.repeat(2000);

function cmi(l: Learner, big: boolean, final: boolean): string {
  l.seq++;
  const suspend = (big ? BIG : SMALL) + l.seq;
  const core = {
    lesson_status: final ? 'completed' : 'incomplete',
    lesson_location: `page-${l.seq}`,
    exit: final ? '' : 'suspend',
    session_time: '00:00:05',
    score: final ? { raw: String(50 + (l.seq % 50)), min: '0', max: '100' } : { raw: '', min: '', max: '' },
  };
  return JSON.stringify({ session: 1, seq: l.seq, terminate: final, cmi: { suspend_data: suspend, core, interactions: [], objectives: [] } });
}

function post(agent: http.Agent, l: Learner, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: l.target.hostname,
        port: l.target.port,
        path: l.target.pathname,
        method: 'POST',
        agent,
        headers: { Authorization: `Bearer ${l.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`commit answered ${res.statusCode} ${text.slice(0, 200)}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function level(req: LevelRequest): Promise<LevelResult> {
  const learners: Learner[] = req.learners.map((l) => ({ ...l, target: new URL(l.url), seq: 0 }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: learners.length });
  let errors = 0;
  let requests = 0;
  let starved = 0;
  let firstError: string | undefined;
  const phase = async (seconds: number, latencies: number[] | null) => {
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      learners.map(async (l) => {
        let mine = 0;
        while (performance.now() < until) {
          try {
            requests++;
            const ms = await post(agent, l, cmi(l, l.seq % 10 === 9, false));
            latencies?.push(ms);
            mine++;
          } catch (e) {
            if (latencies) {
              errors++;
              firstError ??= (e as Error).message;
            }
          }
        }
        if (latencies && mine === 0) {
          starved++;
        }
      }),
    );
  };
  await phase(req.warmupSeconds, null);
  const latencies: number[] = [];
  const started = performance.now();
  await phase(req.seconds, latencies);
  const elapsed = (performance.now() - started) / 1000;
  const doneAt: Record<string, number> = {};
  if (req.complete) {
    await Promise.all(
      learners.map(async (l) => {
        try {
          requests++;
          await post(agent, l, cmi(l, false, true));
          doneAt[l.sub] = Date.now();
        } catch (e) {
          errors++;
          firstError ??= (e as Error).message;
        }
      }),
    );
  }
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    type: 'result',
    label: req.label,
    commits: latencies.length,
    requests,
    starved,
    errors,
    firstError,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    doneAt,
  };
}

process.on('message', (msg: LevelRequest | { type: 'exit' }) => {
  if (msg.type === 'exit') {
    process.exit(0);
  }
  if (msg.type === 'level') {
    void level(msg).then((r) => process.send?.(r));
  }
});
process.send?.({ type: 'ready' });
