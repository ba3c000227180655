import { ConsoleLogger } from '@nestjs/common';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AppLogger, RequestFields } from './app-logger';

/** What AppLogger writes, through Nest's own line format (its timestamp kept for the second it shows). */
describe('AppLogger', () => {
  let written: string[];

  beforeEach(() => {
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  const fields = (n: number): RequestFields => ({ method: 'GET', path: `/content/v/<grant>/${n}.html`, status: 200, durationMs: 0.2, outcome: 'sent' });
  const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

  it("should show Nest's timestamp of the current second, from one second to the next", () => {
    jest.useFakeTimers({ now: new Date('2026-12-04T10:00:00.100Z') });
    const logger = new AppLogger('log');
    const nest = new ConsoleLogger();
    const stampOf = () => (nest as unknown as { getTimestamp(): string }).getTimestamp();
    const expected: string[] = [];
    for (const ms of [0, 800, 100, 1000, 59_000]) {
      jest.advanceTimersByTime(ms);
      logger.log('a line', 'Test');
      expected.push(stampOf());
    }
    expect(new Set(expected).size).toBe(4); // 10:00:00 twice, then :01, :02 and :01:01
    expect(written).toHaveLength(5);
    written.forEach((line, i) => expect(line).toContain(`${expected[i]} `));
  });

  it('should write the request lines of one turn of the event loop together, once the turn ends, as Nest would format them', async () => {
    const logger = new AppLogger('log');
    for (const n of [1, 2, 3]) {
      logger.logRequest(`id-${n}`, `GET /content/v/<grant>/${n}.html 200 0.2 ms`, fields(n));
    }
    expect(written).toEqual([]);
    await endOfTurn();
    expect(written).toHaveLength(1);
    const lines = written[0].split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual(
      [1, 2, 3].map((n) =>
        expect.stringMatching(
          new RegExp(`^\\[Nest\\] ${process.pid}  - .+     LOG \\[Request\\] \\[req id-${n}\\] GET /content/v/<grant>/${n}\\.html 200 0\\.2 ms$`),
        ),
      ),
    );
  });

  it('should write the held request lines before any other line, so the log keeps the order of events', async () => {
    const logger = new AppLogger('log');
    const stderr: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), written.push(`stderr: ${String(chunk)}`), true));
    logger.logRequest('id-1', 'GET /one 200 0.1 ms', fields(1));
    logger.warn('after the first request', 'Test');
    logger.logRequest('id-2', 'GET /two 500 0.1 ms', fields(2));
    logger.error('after the second', 'Error: boom\n    at somewhere', 'Test');
    await endOfTurn();
    expect(written).toEqual([
      expect.stringContaining('[req id-1] GET /one 200'),
      expect.stringContaining('[Test] after the first request'),
      expect.stringContaining('[req id-2] GET /two 500'),
      expect.stringMatching(/^stderr: .*\[Test\] after the second/),
      'stderr: Error: boom\n    at somewhere\n',
    ]);
  });

  it('should give each request line its fields with LOG_FORMAT=json', async () => {
    const logger = new AppLogger('log', 'json');
    logger.logRequest('id-7', 'GET /content/v/<grant>/7.html 200 0.2 ms', fields(7));
    await endOfTurn();
    expect(JSON.parse(written.join(''))).toEqual({
      level: 'log',
      pid: process.pid,
      timestamp: expect.any(Number),
      context: 'Request',
      message: 'GET /content/v/<grant>/7.html 200 0.2 ms',
      requestId: 'id-7',
      ...fields(7),
    });
  });

  it('should write nothing for a request below the level, and no colours where stdout is not a terminal', async () => {
    new AppLogger('warn').logRequest('id-1', 'GET /one 200 0.1 ms', fields(1));
    await endOfTurn();
    expect(written).toEqual([]);
    new AppLogger('log').log('plain', 'Test');
    // eslint-disable-next-line no-control-regex
    expect(written[0]).not.toMatch(/\u001b\[/);
  });

  it('should still write the held lines when the process dies of an uncaught error', () => {
    const script = [
      `const { AppLogger } = require(${JSON.stringify(path.join(__dirname, 'app-logger.ts'))});`,
      `new AppLogger('log').logRequest('id-last', 'GET /last 200 0.1 ms', { method: 'GET', path: '/last', status: 200, durationMs: 0.1, outcome: 'sent' });`,
      `throw new Error('fatal');`,
    ].join('\n');
    const child = spawnSync(process.execPath, ['-r', path.join(__dirname, '../../bench/register.js'), '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('Error: fatal');
    expect(child.stdout).toMatch(/\[Request\] \[req id-last\] GET \/last 200 0\.1 ms\n$/);
  });
});
