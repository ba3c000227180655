/**
 * Child process of bench/launch.ts: runs the platform emulator AND the simulated browsers, so the
 * server process has a core to itself (2-core machine). Talks to the parent over IPC.
 *
 * One "complete launch" as a browser sees it: GET /lti/login (302) → GET the platform's authorization
 * endpoint (the emulator signs an RS256 id_token) → POST /lti/launch (hand-off page) → GET the player
 * page on the content origin (launch code redeemed, runtime token minted, bootstrap inlined). The
 * player page must carry its bootstrap, or the launch counts as a failure. Learners rotate through a
 * pool (`BENCH_LEARNERS`, default 1000) on one resource link: the first launch of each creates its
 * learner and attempt, later ones resume it. For a SCORM 2004 course (`BENCH_SCORM=2004`) it also
 * counts the player pages whose bootstrap carries the compiled sequencing (`activityTree`). The
 * browsers keep their connections open (bench/keep-alive-browser.ts), as browsers do.
 */
import { PlatformEmulator } from '../test/support/platform-emulator';
import { keepAliveTransport } from './keep-alive-browser';

export interface Go {
  type: 'go';
  toolUrl: string;
  courseId: string;
  levels: number[];
  seconds: number;
  warmupSeconds: number;
  /** Client id to launch as (the reference server has its own). */
  clientId?: string;
  /** GET the player page named by the hand-off page (default true). */
  followPlayer?: boolean;
}

export interface LevelFigure {
  concurrency: number;
  launches: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** This process's CPU time over the level (the emulator signing id_tokens and the browsers), ms. */
  driverCpuMs: number;
  firstFailure?: string;
  /** Player pages whose bootstrap carried the compiled sequencing (SCORM 2004). */
  withSequencing: number;
  /** Size of the last player page (bootstrap inlined), bytes. */
  pageBytes: number;
}

/** Messages to the parent: `mark` brackets each measured level so the parent can read its own CPU use. */
export type DriverMessage =
  | { type: 'ready'; registration: Record<string, unknown>; issuer: string; jwksUri: string; authorizationEndpoint: string }
  | { type: 'mark'; phase: 'start' | 'end'; concurrency: number }
  | { type: 'done'; figures: LevelFigure[] };

const LEARNERS = Number(process.env.BENCH_LEARNERS ?? 1000);
let nextLearner = 0;

function pct(sorted: number[], p: number): number {
  if (!sorted.length) {
    return NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

let withSequencing = 0;
let pageBytes = 0;

/** One complete launch; a string says why it failed. */
async function oneLaunch(emu: PlatformEmulator, go: Go): Promise<string | null> {
  const sub = `bench-learner-${nextLearner++ % LEARNERS}`;
  const res = await emu.launch({ toolUrl: go.toolUrl, courseId: go.courseId, clientId: go.clientId, claims: { sub } });
  if (res.stage !== 'launch' || res.status >= 400) {
    return `${res.stage} ${res.status} ${res.text.slice(0, 200)}`;
  }
  if (go.followPlayer === false) {
    return null;
  }
  const url = /data-player-url="([^"]+)"/.exec(res.text)?.[1]?.replace(/&amp;/g, '&');
  if (!url) {
    return `hand-off page names no player URL: ${res.text.slice(0, 200)}`;
  }
  const page = await keepAliveTransport(url, { method: 'GET', headers: {} });
  const html = page.text;
  if (page.status !== 200 || !html.includes('id="bridge-bootstrap"')) {
    return `player ${page.status} ${html.slice(0, 200)}`;
  }
  pageBytes = Buffer.byteLength(html);
  if (html.includes('"activityTree"')) {
    withSequencing++;
  }
  return null;
}

async function level(emu: PlatformEmulator, go: Go, concurrency: number, seconds: number, measured: boolean): Promise<LevelFigure> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  if (measured) {
    process.send?.({ type: 'mark', phase: 'start', concurrency } satisfies DriverMessage);
  }
  withSequencing = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const failure = await oneLaunch(emu, go);
        if (failure === null) {
          latencies.push(performance.now() - t0);
        } else {
          failures++;
          firstFailure ??= failure;
        }
      } catch (e) {
        failures++;
        firstFailure ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  if (measured) {
    process.send?.({ type: 'mark', phase: 'end', concurrency } satisfies DriverMessage);
  }
  latencies.sort((a, b) => a - b);
  const used = process.cpuUsage(cpu);
  return {
    concurrency,
    driverCpuMs: (used.user + used.system) / 1000,
    launches: latencies.length,
    failures,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    firstFailure,
    withSequencing,
    pageBytes,
  };
}

async function main(): Promise<void> {
  const emu = await PlatformEmulator.start();
  emu.record = false;
  emu.browserTransport = keepAliveTransport;
  process.send?.({
    type: 'ready',
    registration: emu.registrationBody(),
    issuer: emu.issuer,
    jwksUri: `${emu.url}/jwks`,
    authorizationEndpoint: emu.authorizationEndpoint,
  } satisfies DriverMessage);
  process.on('message', (msg: Go | { type: 'add-client'; clientId: string; redirectUri: string } | { type: 'stop' }) => {
    if (msg.type === 'stop') {
      void emu.stop().then(() => process.exit(0));
      return;
    }
    if (msg.type === 'add-client') {
      emu.addClient(msg.clientId, 'bench-ref-deployment', msg.redirectUri);
      return;
    }
    if (msg.type !== 'go') {
      return;
    }
    void (async () => {
      const figures: LevelFigure[] = [];
      for (const c of msg.levels) {
        await level(emu, msg, c, msg.warmupSeconds, false);
        figures.push(await level(emu, msg, c, msg.seconds, true));
      }
      process.send?.({ type: 'done', figures } satisfies DriverMessage);
    })();
  });
}

void main();
