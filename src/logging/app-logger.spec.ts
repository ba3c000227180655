import { ConsoleLogger } from '@nestjs/common';
import { AppLogger } from './app-logger';

/** What AppLogger writes, through Nest's own line format (its timestamp kept for the second it shows). */
describe('AppLogger', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it("should show Nest's timestamp of the current second, from one second to the next", () => {
    jest.useFakeTimers({ now: new Date('2026-12-04T10:00:00.100Z') });
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
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
});
