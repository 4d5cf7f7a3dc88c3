import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { Redis } from '../redis/redis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The per-IP counts with REDIS_URL: in Redis (@nest-lab/throttler-storage-redis), one budget
 * per address across every instance, while Redis is available; in this process's memory
 * (@nestjs/throttler's own storage) while it is not, or when a count fails, so an outage
 * turns the shared limit into a per-instance one and never into a 5xx. Nothing to switch
 * back: each count goes to Redis again as soon as it is available.
 */
export class PerIpThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('Throttler');
  private failing = false;

  constructor(
    private readonly redis: Pick<Redis, 'available'>,
    private readonly shared: ThrottlerStorage,
    private readonly memory: ThrottlerStorage & Partial<OnApplicationShutdown> = new ThrottlerStorageService(),
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.redis.available) {
      try {
        const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
        this.failing = false;
        return record;
      } catch (error) {
        if (!this.failing) this.logger.warn(`Counting in memory: Redis failed (${(error as Error).message})`);
        this.failing = true;
      }
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown?.();
  }
}

/** The throttler's storage option: undefined without REDIS_URL, so it keeps its own in-memory storage. */
export function perIpThrottlerStorage(redis: Redis): PerIpThrottlerStorage | undefined {
  if (!redis.client) return undefined;
  return new PerIpThrottlerStorage(redis, new ThrottlerStorageRedisService(redis.client));
}
