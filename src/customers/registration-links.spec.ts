import { linkStatus } from './registration-links.service';

describe('linkStatus', () => {
  const now = 1_800_000_000_000;
  const link = { revokedAtMs: null, uses: 0, maxUses: 1, expiresAtMs: null } as const;

  it.each([
    ['a fresh single-use link', {}, 'usable'],
    ['one use left of three', { uses: 2, maxUses: 3 }, 'usable'],
    ['all uses made', { uses: 1 }, 'used'],
    ['expiring a millisecond from now', { expiresAtMs: now + 1 }, 'usable'],
    ['expiring now', { expiresAtMs: now }, 'expired'],
    ['revoked, though unused and unexpired', { revokedAtMs: now - 5 }, 'revoked'],
    ['revoked after it was used up and expired (the owner’s decision is what is shown)', { revokedAtMs: now - 5, uses: 1, expiresAtMs: now - 10 }, 'revoked'],
    ['used up and expired', { uses: 1, expiresAtMs: now - 10 }, 'used'],
  ])('%s is %s', (_what, change, expected) => {
    expect(linkStatus({ ...link, ...change }, now)).toBe(expected);
  });
});
