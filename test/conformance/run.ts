import * as fs from 'node:fs';
import * as path from 'node:path';
import { NOT_HEADLESS } from './headless';
import { CaseReplay, LearnerStore } from './replay';

/**
 * `npm run conformance -- [folder]`: replays every CTS case folder under `folder` (default: the
 * vendored ADL cases, test/conformance/adl-cases) in natural name order for one learner, prints
 * `PASS|FAIL|HEADLESS <case> — <why>` per case and the summary line, and exits 1 on any failure
 * (docs/sequencing.md, "Conformance replayer").
 */

export const DEFAULT_CASES = path.join(__dirname, 'adl-cases');

export type Verdict = 'PASS' | 'FAIL' | 'HEADLESS';

export interface RunResult {
  lines: string[];
  verdicts: Map<string, Verdict>;
  passed: number;
  failed: number;
  headless: number;
  summary: string;
}

/** The case folders under `folder` (those holding a `.properties` script), in natural name order. */
export function caseFolders(folder: string): string[] {
  return fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.readdirSync(path.join(folder, d.name)).some((f) => f.endsWith('.properties')))
    .map((d) => d.name)
    .sort(new Intl.Collator('en', { numeric: true }).compare);
}

/** Replays every case of `folder` for one learner; `print` receives each line as it is decided. */
export function runCases(folder: string, print: (line: string) => void = () => undefined): RunResult {
  const store = new LearnerStore();
  const result: RunResult = { lines: [], verdicts: new Map(), passed: 0, failed: 0, headless: 0, summary: '' };
  const started = Date.now();
  for (const name of caseFolders(folder)) {
    let passed: boolean;
    let why: string;
    try {
      ({ passed, why } = CaseReplay.fromFolder(path.join(folder, name), store).run());
    } catch (err) {
      passed = false;
      why = `replay error: ${(err as Error).message}`;
    }
    const verdict: Verdict = passed ? 'PASS' : NOT_HEADLESS[name] !== undefined ? 'HEADLESS' : 'FAIL';
    const line = verdict === 'HEADLESS' ? `HEADLESS ${name} — ${NOT_HEADLESS[name]} (replay: ${why})` : `${verdict} ${name} — ${why}`;
    result.verdicts.set(name, verdict);
    result[verdict === 'PASS' ? 'passed' : verdict === 'FAIL' ? 'failed' : 'headless']++;
    result.lines.push(line);
    print(line);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  result.summary = `${result.passed} passed, ${result.failed} failed, ${result.headless} cannot pass headlessly (${seconds} s)`;
  return result;
}

function main(): void {
  const folder = path.resolve(process.argv[2] ?? DEFAULT_CASES);
  if (!fs.existsSync(folder)) {
    console.error(`No such folder: ${folder} (usage: npm run conformance -- <folder of case folders>)`);
    process.exit(2);
  }
  if (caseFolders(folder).length === 0) {
    console.error(`No case folders (with a .properties script) under ${folder}`);
    process.exit(2);
  }
  const r = runCases(folder, (line) => console.log(line));
  console.log(r.summary);
  process.exit(r.failed > 0 ? 1 : 0);
}

if (require.main === module) {
  main();
}
