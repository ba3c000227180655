import { LOGIN_BURST, LOGIN_PER_SECOND, LoginRateLimiter } from './login-rate-limiter';

describe(LoginRateLimiter.name, () => {
  it('should allow a burst, then refuse with a wait, then refill over time', () => {
    const l = new LoginRateLimiter();
    const t = 1_000_000;
    for (let i = 0; i < LOGIN_BURST; i++) {
      expect(l.take('203.0.113.7', t)).toBe(0);
    }
    expect(l.take('203.0.113.7', t)).toBeGreaterThan(0);
    expect(l.take('198.51.100.1', t)).toBe(0);
    expect(l.take('203.0.113.7', t + 1000)).toBe(0);
    let allowed = 0;
    for (let i = 0; i < 100; i++) {
      allowed += l.take('203.0.113.7', t + 1000) === 0 ? 1 : 0;
    }
    expect(allowed).toBe(LOGIN_PER_SECOND - 1);
  });

  it('should not limit loopback', () => {
    const l = new LoginRateLimiter();
    for (let i = 0; i < LOGIN_BURST * 2; i++) {
      expect(l.take('127.0.0.1', 0)).toBe(0);
      expect(l.take('::1', 0)).toBe(0);
    }
  });
});
