/**
 * Child process of bench/launch.ts: runs the platform emulator AND the simulated browsers, so the
 * server process has a core to itself (2-core machine). Talks to the parent over IPC.
 */
import { PlatformEmulator } from '../test/support/platform-emulator';

interface Go {
  type: 'go';
  toolUrl: string;
  courseId: string;
  levels: number[];
  seconds: number;
  warmupSeconds: number;
}

export interface LevelFigure {
  concurrency: number;
  launches: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  firstFailure?: string;
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) {
    return NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function level(emu: PlatformEmulator, go: Go, concurrency: number, seconds: number): Promise<LevelFigure> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await emu.launch({ toolUrl: go.toolUrl, courseId: go.courseId });
        if (res.stage === 'launch' && res.status < 400) {
          latencies.push(performance.now() - t0);
        } else {
          failures++;
          firstFailure ??= `${res.stage} ${res.status} ${res.text.slice(0, 200)}`;
        }
      } catch (e) {
        failures++;
        firstFailure ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { concurrency, launches: latencies.length, failures, seconds: elapsed, perSecond: latencies.length / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99), firstFailure };
}

async function main(): Promise<void> {
  const emu = await PlatformEmulator.start();
  emu.record = false;
  process.send?.({ type: 'ready', registration: emu.registrationBody() });
  process.on('message', (msg: Go) => {
    if (msg.type !== 'go') {
      return;
    }
    void (async () => {
      emu.useTool(msg.toolUrl);
      const figures: LevelFigure[] = [];
      for (const c of msg.levels) {
        await level(emu, msg, c, msg.warmupSeconds);
        figures.push(await level(emu, msg, c, msg.seconds));
      }
      process.send?.({ type: 'done', figures });
      await emu.stop();
      process.exit(0);
    })();
  });
}

void main();
