import { matchingStep, newTotpSecret, otpauthUri } from './totp';

/** RFC 6238 Appendix B's SHA-1 key, "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP (RFC 6238)', () => {
  it.each([
    [59, '287082', 1],
    [1111111109, '081804', 37037036],
    [1234567890, '005924', 41152263],
    [2000000000, '279037', 66666666],
  ])("at T=%i accepts Appendix B's code %s, of step %i", (seconds, code, step) => {
    expect(matchingStep(RFC_SECRET, code, seconds * 1000)).toBe(step);
  });

  it('accepts the step before and after (a drifting clock), and no further', () => {
    expect(matchingStep(RFC_SECRET, '287082', 89_000)).toBe(1);
    expect(matchingStep(RFC_SECRET, '287082', 30_000 - 29_000)).toBe(1);
    expect(matchingStep(RFC_SECRET, '287082', 120_000)).toBeUndefined();
    expect(matchingStep(RFC_SECRET, '287083', 59_000)).toBeUndefined();
  });

  it('makes 160-bit secrets, and the URI apps scan', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri(secret, 'Acme SSO', 'alice'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme SSO:alice');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'Acme SSO',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
