import { setBounded } from './bounded-map';

describe('setBounded', () => {
  it('should keep at most max entries, dropping the oldest set first', () => {
    const map = new Map<string, number>();
    for (let i = 0; i < 10; i++) {
      setBounded(map, `k${i}`, i, 3);
      expect(map.size).toBe(Math.min(i + 1, 3));
    }
    expect([...map.keys()]).toEqual(['k7', 'k8', 'k9']);
  });

  it('should move a key set again to the newest place, so the least recently set goes first', () => {
    const map = new Map<string, number>();
    ['a', 'b', 'c'].forEach((k, i) => setBounded(map, k, i, 3));
    setBounded(map, 'a', 10, 3);
    setBounded(map, 'd', 3, 3);
    expect([...map]).toEqual([
      ['c', 2],
      ['a', 10],
      ['d', 3],
    ]);
  });

  it('should drop expired entries from the oldest on, and stop at the first live one', () => {
    const map = new Map<string, number>();
    let now = 0;
    const expired = (at: number) => now - at >= 100;
    for (const k of ['a', 'b', 'c']) {
      setBounded(map, k, now, 1000, expired);
      now += 40;
    } // a at 0, b at 40, c at 80; now 120
    setBounded(map, 'd', now, 1000, expired);
    expect([...map.keys()]).toEqual(['b', 'c', 'd']);
    now = 500;
    setBounded(map, 'e', now, 1000, expired);
    expect([...map.keys()]).toEqual(['e']);
    // a live entry ahead of an expired one stops the walk; the cap still holds, then the walk goes on
    setBounded(map, 'old', 0, 2, expired);
    expect([...map.keys()]).toEqual(['e', 'old']);
    setBounded(map, 'f', now, 2, expired);
    expect([...map.keys()]).toEqual(['f']);
  });
});
