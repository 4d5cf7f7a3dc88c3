import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { isUniqueViolation } from '../database/database-errors';
import { RateLimitEntity } from './entities/rate-limit.entity';

export interface Limit {
  name: string;
  max: number;
  windowSeconds: number;
}

/**
 * Counts hits per key in fixed windows, in the database so that all instances agree; used
 * where the key is an account name (per-IP limits stay in memory, see @nestjs/throttler).
 */
@Injectable()
export class RateLimiterService {
  constructor(@InjectRepository(RateLimitEntity) private readonly limits: Repository<RateLimitEntity>) {}

  /** Counts a hit; 429 with Retry-After once the window's allowance is spent. */
  async consume(limit: Limit, subject: string, now = new Date()): Promise<void> {
    const key = `${limit.name}:${subject}`.slice(0, 191);
    const windowStart = new Date(now.getTime() - limit.windowSeconds * 1000);
    const record = await this.limits.manager.transaction(async (manager) => {
      const repo = manager.getRepository(RateLimitEntity);
      const hit = () =>
        repo
          .createQueryBuilder()
          .update()
          .set({
            hits: () => 'CASE WHEN window_started_at <= :windowStart THEN 1 ELSE hits + 1 END',
            windowStartedAt: () => 'CASE WHEN window_started_at <= :windowStart THEN :now ELSE window_started_at END',
          })
          .where('limit_key = :key', { key })
          .setParameters({ windowStart, now })
          .execute();
      if ((await hit()).affected === 0) {
        try {
          await repo.insert({ key, windowStartedAt: now, hits: 1 });
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          await hit();
        }
      }
      return repo.findOneByOrFail({ key });
    });
    if (record.hits > limit.max) {
      const retryAfter = (record.windowStartedAt.getTime() + limit.windowSeconds * 1000 - now.getTime()) / 1000;
      throw new ApiException(
        ErrorCode.LimitExceeded,
        'Too many requests for this account; try again later.',
        retryAfter,
      );
    }
  }
}
