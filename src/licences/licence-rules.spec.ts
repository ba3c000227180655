import { ENDING_SOON_MS, licenceStatus, licenceWarnings, LicenceTerms, refusalWithoutLicenceInForce } from './licence-rules';

describe('licence rules', () => {
  const now = 1_800_000_000_000;
  const base: LicenceTerms = { id: 'l', customerId: 'c', courseId: null, seatLimit: null, startsAtMs: null, endsAtMs: null, state: 'active' };
  const l = (change: Partial<LicenceTerms>): LicenceTerms => ({ ...base, ...change });

  it.each([
    ['active, no dates, no limit', {}, 0, 'usable'],
    ['starting now', { startsAtMs: now }, 0, 'usable'],
    ['starting a millisecond from now', { startsAtMs: now + 1 }, 0, 'not_started'],
    ['ending a millisecond from now', { endsAtMs: now + 1 }, 0, 'usable'],
    ['ending now (the end is exclusive)', { endsAtMs: now }, 0, 'expired'],
    ['one seat left', { seatLimit: 10 }, 9, 'usable'],
    ['at its limit', { seatLimit: 10 }, 10, 'seats_full'],
    ['above its limit (lowered after use)', { seatLimit: 5 }, 10, 'seats_full'],
    ['suspended, though full and expired', { state: 'suspended', seatLimit: 1, endsAtMs: now - 1 }, 1, 'suspended'],
    ['revoked, though not started', { state: 'revoked', startsAtMs: now + 1 }, 0, 'revoked'],
    ['expired and full: the dates speak before the seats', { endsAtMs: now - 1, seatLimit: 1 }, 1, 'expired'],
  ] as const)('%s is %s', (_what, change, seats, expected) => {
    expect(licenceStatus(l(change), seats, now)).toBe(expected);
  });

  it.each([
    ['no limit, no end', {}, 1000, []],
    ['79 % of the limit', { seatLimit: 100 }, 79, []],
    ['80 % of the limit', { seatLimit: 100 }, 80, ['seats_high']],
    ['4 of 5 seats', { seatLimit: 5 }, 4, ['seats_high']],
    ['at the limit', { seatLimit: 5 }, 5, ['seats_full']],
    ['above the limit', { seatLimit: 5 }, 7, ['seats_full']],
    ['ending in exactly 30 days', { endsAtMs: now + ENDING_SOON_MS }, 0, ['ending_soon']],
    ['ending in 30 days and a millisecond', { endsAtMs: now + ENDING_SOON_MS + 1 }, 0, []],
    ['already ended', { endsAtMs: now }, 0, []],
    ['full and ending soon', { seatLimit: 1, endsAtMs: now + 1000 }, 1, ['seats_full', 'ending_soon']],
  ] as const)('%s warns %j', (_what, change, seats, expected) => {
    expect(licenceWarnings(l(change), seats, now)).toEqual(expected);
  });

  it('names why no licence is in force, the one nearest to usable first', () => {
    expect(refusalWithoutLicenceInForce([], now)).toEqual({ reason: 'none' });
    const revoked = l({ state: 'revoked' });
    const ended = (ms: number) => l({ endsAtMs: now - ms });
    const starting = (ms: number) => l({ startsAtMs: now + ms });
    const suspended = l({ state: 'suspended' });
    expect(refusalWithoutLicenceInForce([revoked], now)).toEqual({ reason: 'revoked' });
    expect(refusalWithoutLicenceInForce([revoked, ended(5), ended(2)], now)).toEqual({ reason: 'expired', endedAtMs: now - 2 });
    expect(refusalWithoutLicenceInForce([ended(2), suspended, revoked], now)).toEqual({ reason: 'suspended' });
    expect(refusalWithoutLicenceInForce([suspended, starting(9), starting(3), ended(1)], now)).toEqual({ reason: 'not_started', startsAtMs: now + 3 });
  });
});
