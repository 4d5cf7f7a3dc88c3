import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { isUniqueViolation } from '../database/database-errors';
import { PrebuiltSelect } from '../database/prebuilt-select';
import { LoginAttemptEntity } from './entities/login-attempt.entity';

/** Failures allowed before each further attempt must wait. */
export const FREE_FAILURES = 5;
/** The longest wait, and how long without failures before the count starts over. */
export const MAX_LOCK_SECONDS = 15 * 60;
const QUIET_PERIOD_MS = 15 * 60 * 1000;

export interface Standing {
  /** Seconds the account must still wait before its next attempt; 0 when it may try now. */
  secondsLocked: number;
  /** Failures on record since the last success (or the last quiet period). */
  failures: number;
}

/** 429 with Retry-After while the account must wait, whatever the password. */
export const lockedOut = (seconds: number) =>
  new ApiException(ErrorCode.LimitExceeded, 'Too many failed attempts; try again later.', seconds);

/** After failure n (n >= 5) the next attempt waits 2^(n-5) s, at most 15 minutes. */
export function lockSeconds(failures: number): number {
  return failures < FREE_FAILURES ? 0 : Math.min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS);
}

/**
 * Per-account brute-force brake, kept in the database so every instance shares it. Keyed by
 * the canonical username, existing or not, so a 429 says nothing about whether it exists.
 */
@Injectable()
export class LoginThrottleService {
  /** Read on every login: built once. */
  private readonly byUsername: PrebuiltSelect;

  constructor(@InjectRepository(LoginAttemptEntity) private readonly attempts: Repository<LoginAttemptEntity>) {
    this.byUsername = new PrebuiltSelect(attempts.createQueryBuilder('attempt').where('attempt.username = :username'), [
      'username',
    ]);
  }

  async standing(username: string, now = new Date()): Promise<Standing> {
    const row = await this.byUsername.first({ username });
    const record = row && this.byUsername.entity<LoginAttemptEntity>('attempt', row);
    const lockedUntil = record?.lockedUntil;
    return {
      secondsLocked: lockedUntil && lockedUntil > now ? (lockedUntil.getTime() - now.getTime()) / 1000 : 0,
      failures: record?.failures ?? 0,
    };
  }

  /**
   * Counts one failure atomically (concurrent failures all count) and sets the next wait.
   * No transaction spans the update-or-insert: on MySQL two of them for a new username
   * deadlock on the gap lock of the empty update.
   */
  async recordFailure(username: string, now = new Date()): Promise<void> {
    const cutoff = new Date(now.getTime() - QUIET_PERIOD_MS);
    const increment = () =>
      this.attempts
        .createQueryBuilder()
        .update()
        .set({
          failures: () => 'CASE WHEN last_failure_at < :cutoff THEN 1 ELSE failures + 1 END',
          lastFailureAt: now,
        })
        .where('username = :username', { username })
        .setParameters({ cutoff })
        .execute();
    if ((await increment()).affected === 0) {
      try {
        await this.attempts.insert({ username, failures: 1, lastFailureAt: now, lockedUntil: null });
      } catch (error) {
        // A concurrent first failure inserted the row: count this one on top of it.
        if (!isUniqueViolation(error)) throw error;
        await increment();
      }
    }
    const { failures } = await this.attempts.findOneByOrFail({ username });
    const wait = lockSeconds(failures);
    if (wait > 0) await this.attempts.update({ username }, { lockedUntil: new Date(now.getTime() + wait * 1000) });
  }

  /**
   * Clears the failures `standing` found, and writes nothing when it found none (nearly every
   * login). A failure counted meanwhile by a concurrent attempt may stay on record; it was a
   * real failure, and the count starts over after the quiet period anyway.
   */
  async recordSuccess(username: string, standing: Standing): Promise<void> {
    if (standing.failures > 0) await this.attempts.delete({ username });
  }
}
