import { Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { mockOf } from '../../test/utils';
import { PerIpThrottlerStorage } from './per-ip-throttler-storage';

const record = (totalHits: number) => ({ totalHits, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
const args = ['default:127.0.0.1', 60_000, 10, 60_000, 'default'] as const;

describe(PerIpThrottlerStorage.name, () => {
  const redis = { available: true };
  const shared = mockOf<ThrottlerStorage>();
  const memory = mockOf<ThrottlerStorage>();
  let sut: PerIpThrottlerStorage;

  beforeEach(() => {
    jest.resetAllMocks();
    redis.available = true;
    shared.increment.mockResolvedValue(record(7));
    memory.increment.mockResolvedValue(record(1));
    sut = new PerIpThrottlerStorage(redis, shared, memory);
  });

  it('counts in Redis while it is available', async () => {
    await expect(sut.increment(...args)).resolves.toEqual(record(7));

    expect(shared.increment).toHaveBeenCalledWith(...args);
    expect(memory.increment).not.toHaveBeenCalled();
  });

  it('counts in memory while Redis is unavailable, without asking it', async () => {
    redis.available = false;

    await expect(sut.increment(...args)).resolves.toEqual(record(1));

    expect(shared.increment).not.toHaveBeenCalled();
    expect(memory.increment).toHaveBeenCalledWith(...args);
  });

  it('counts in memory when a count in Redis fails, and never throws; says so once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    shared.increment.mockRejectedValue(new Error('Command timed out'));

    await expect(sut.increment(...args)).resolves.toEqual(record(1));
    await expect(sut.increment(...args)).resolves.toEqual(record(1));

    expect(memory.increment).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('goes back to Redis by itself once it answers again', async () => {
    redis.available = false;
    await sut.increment(...args);
    redis.available = true;

    await expect(sut.increment(...args)).resolves.toEqual(record(7));
  });

  it('keeps real counts in memory by default, and stops their sweep on shutdown', async () => {
    redis.available = false;
    const real = new PerIpThrottlerStorage(redis, shared);

    await real.increment(...args);
    const second = await real.increment(...args);

    expect(second.totalHits).toBe(2);
    const stop = jest.spyOn(ThrottlerStorageService.prototype, 'onApplicationShutdown');
    real.onApplicationShutdown();
    expect(stop).toHaveBeenCalled();
  });
});
