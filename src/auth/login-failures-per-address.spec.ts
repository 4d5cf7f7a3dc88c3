import { configFixture } from '../../test/fixtures/config.fixture';
import { clientFixture } from '../../test/fixtures/user.fixture';
import { Mock, mockOf } from '../../test/utils';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { LoginFailuresPerAddress } from './login-failures-per-address';
import { Limit, RateLimiterService } from './rate-limiter.service';

const noAddress = Object.freeze({ ip: null, userAgent: 'unit-spec/1.0' });

describe(LoginFailuresPerAddress.name, () => {
  let limiter: Mock<RateLimiterService>;

  const build = (loginFailuresPerIp: number) =>
    new LoginFailuresPerAddress(limiter, configFixture.auth({ loginFailuresPerIp }));

  beforeEach(() => {
    limiter = mockOf<RateLimiterService>({ define: jest.fn((limit: Limit) => limit) });
  });

  describe('with LOGIN_FAILURES_PER_IP set', () => {
    const limit: Limit = Object.freeze({
      name: 'login-failures',
      max: 3,
      windowSeconds: 600,
      message: 'Too many failed logins from this address; try again later.',
    });
    let sut: LoginFailuresPerAddress;

    beforeEach(() => {
      sut = build(3);
    });

    it('defines one limit of that many failures per 10 minutes', () => {
      expect(limiter.define).toHaveBeenCalledTimes(1);
      expect(limiter.define).toHaveBeenCalledWith(limit);
    });

    it('counts an attempt against the client address', async () => {
      await expect(sut.reserve(clientFixture)).resolves.toBeUndefined();

      expect(limiter.consume).toHaveBeenCalledWith(limit, clientFixture.ip);
    });

    it('passes on the limiter’s 429 once the address has used up its failures', async () => {
      const spent = new ApiException(ErrorCode.LimitExceeded, limit.message, 42);
      limiter.consume.mockRejectedValue(spent);

      await expect(sut.reserve(clientFixture)).rejects.toBe(spent);
    });

    it('gives the attempt back to the same address on a success', async () => {
      await expect(sut.release(clientFixture)).resolves.toBeUndefined();

      expect(limiter.release).toHaveBeenCalledWith(limit, clientFixture.ip);
      expect(limiter.consume).not.toHaveBeenCalled();
    });

    it('counts clients without an address under one shared key', async () => {
      await sut.reserve(noAddress);
      await sut.release(noAddress);

      expect(limiter.consume).toHaveBeenCalledWith(limit, 'unknown');
      expect(limiter.release).toHaveBeenCalledWith(limit, 'unknown');
    });
  });

  describe('with LOGIN_FAILURES_PER_IP=0', () => {
    it('defines no limit, and neither counts nor releases anything', async () => {
      const sut = build(0);

      await expect(sut.reserve(clientFixture)).resolves.toBeUndefined();
      await expect(sut.release(clientFixture)).resolves.toBeUndefined();

      expect(limiter.define).not.toHaveBeenCalled();
      expect(limiter.consume).not.toHaveBeenCalled();
      expect(limiter.release).not.toHaveBeenCalled();
    });
  });
});
