import { Injectable, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { deleteBatch, Janitor } from '../database/janitor';
import { Transactions } from '../database/transactions';
import { updateOrInsert } from '../database/update-or-insert';
import { RateLimitEntity } from './entities/rate-limit.entity';

export interface Limit {
  name: string;
  max: number;
  windowSeconds: number;
  message: string;
}

/**
 * Counts hits per key in fixed windows, in the database so that all instances agree: per
 * account name, per client address where a stranger's requests must not spend an owner's
 * allowance, and per address for failed logins. (The request-rate limit per IP stays in
 * memory, see @nestjs/throttler.)
 */
@Injectable()
export class RateLimiterService implements OnModuleInit {
  /** The longest window of any limit defined, so the janitor never trims a count still running. */
  private longestWindowSeconds = 3600;

  constructor(
    @InjectRepository(RateLimitEntity) private readonly limits: Repository<RateLimitEntity>,
    private readonly transactions: Transactions,
    private readonly janitor: Janitor,
  ) {}

  /** Declares a limit before its first use (in its owner's constructor). */
  define(limit: Limit): Limit {
    this.longestWindowSeconds = Math.max(this.longestWindowSeconds, limit.windowSeconds);
    return limit;
  }

  onModuleInit(): void {
    this.janitor.register('rate_limits', (now, batchSize) => {
      const ended = new Date(now.getTime() - this.longestWindowSeconds * 1000);
      return deleteBatch(this.limits, { windowStartedAt: LessThan(ended) }, batchSize, 'key');
    });
  }

  /**
   * Counts a hit if the window's allowance has room for it, in one conditional statement, so
   * parallel requests get exactly the allowance between them; 429 with Retry-After when not.
   */
  async consume(limit: Limit, subject: string, now = new Date()): Promise<void> {
    const outcome = await this.count(limit, subject, now, limit.max);
    if (!outcome.counted) throw this.exceeded(limit, outcome.row, now);
  }

  /** Counts a hit whatever the count (for events that happen anyway, like a wrong code). */
  async hit(limit: Limit, subject: string, now = new Date()): Promise<void> {
    await this.count(limit, subject, now);
  }

  /** 429 if the allowance is already spent, without counting this request. */
  async assertAllowance(limit: Limit, subject: string, now = new Date()): Promise<void> {
    const record = await this.current(limit, subject, now);
    if (record && record.hits >= limit.max) throw this.exceeded(limit, record, now);
  }

  /** The subject's count in the running window; null when it has none. */
  async current(limit: Limit, subject: string, now = new Date()): Promise<RateLimitEntity | null> {
    const record = await this.limits.findOneBy({ key: keyOf(limit, subject) });
    return record && this.inWindow(limit, record, now) ? record : null;
  }

  /** Takes back a hit counted by `consume` for a request that turned out not to count (a success). */
  async release(limit: Limit, subject: string): Promise<void> {
    await this.transactions.retrying(() =>
      this.limits
        .createQueryBuilder()
        .update()
        .set({ hits: () => 'CASE WHEN hits > 0 THEN hits - 1 ELSE 0 END' })
        .where('limit_key = :key', { key: keyOf(limit, subject) })
        .execute(),
    );
  }

  private count(limit: Limit, subject: string, now: Date, max?: number) {
    const key = keyOf(limit, subject);
    const windowStart = new Date(now.getTime() - limit.windowSeconds * 1000);
    const increment = async () => {
      const query = this.limits
        .createQueryBuilder()
        .update()
        .set({
          hits: () => 'CASE WHEN window_started_at <= :windowStart THEN 1 ELSE hits + 1 END',
          windowStartedAt: () => 'CASE WHEN window_started_at <= :windowStart THEN :now ELSE window_started_at END',
        })
        .where('limit_key = :key', { key })
        .setParameters({ windowStart, now });
      if (max !== undefined) query.andWhere('(window_started_at <= :windowStart OR hits < :max)', { max });
      return ((await query.execute()).affected ?? 0) > 0;
    };
    return this.transactions.retrying(() =>
      updateOrInsert({
        update: increment,
        // Only a full window refuses the hit; a row reset or started meanwhile means another round.
        read: async () => {
          const row = max === undefined ? null : await this.current(limit, subject, now);
          return row && row.hits >= max! ? row : undefined;
        },
        insert: async () => {
          await this.limits.insert({ key, windowStartedAt: now, hits: 1 });
        },
      }),
    );
  }

  private inWindow(limit: Limit, record: RateLimitEntity, now: Date): boolean {
    return record.windowStartedAt.getTime() + limit.windowSeconds * 1000 > now.getTime();
  }

  private exceeded(limit: Limit, record: RateLimitEntity, now: Date): ApiException {
    const retryAfter = (record.windowStartedAt.getTime() + limit.windowSeconds * 1000 - now.getTime()) / 1000;
    return new ApiException(ErrorCode.LimitExceeded, limit.message, retryAfter);
  }
}

/**
 * The row's key. One that would not fit the column is hashed instead of cut: cut, a long
 * username would share one count among every address appended to it.
 */
function keyOf(limit: Limit, subject: string): string {
  const key = `${limit.name}:${subject}`;
  return key.length <= MAX_KEY_LENGTH ? key : `${limit.name}:#${createHash('sha256').update(subject).digest('hex')}`;
}

const MAX_KEY_LENGTH = 191;
