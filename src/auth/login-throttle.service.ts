import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import AsyncLock from 'async-lock';
import { LessThan, Repository } from 'typeorm';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { deleteBatch, Janitor } from '../database/janitor';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { hashingOverloaded } from '../users/password-hasher.service';
import { UsersService } from '../users/users.service';
import { updateOrInsert } from '../database/update-or-insert';
import { LoginAttemptEntity } from './entities/login-attempt.entity';

/** Failures allowed before each further attempt must wait. */
export const FREE_FAILURES = 5;
/** The longest wait, and how long without failures before the count starts over. */
export const MAX_LOCK_SECONDS = 15 * 60;
const QUIET_PERIOD_MS = 15 * 60 * 1000;

/** 429 with Retry-After while the account must wait, whatever the password. */
export const lockedOut = (seconds: number) =>
  new ApiException(ErrorCode.LimitExceeded, 'Too many failed attempts; try again later.', seconds);

/** After failure n (n >= 5) the next attempt waits 2^(n-5) s, at most 15 minutes. */
export function lockSeconds(failures: number): number {
  return failures < FREE_FAILURES ? 0 : Math.min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS);
}

/** The failure counts whose waits differ; every count past the last waits the longest. */
const LADDER = Array.from({ length: Math.ceil(Math.log2(MAX_LOCK_SECONDS)) }, (_, i) => FREE_FAILURES + i);

/**
 * Per-account brute-force brake, kept in the database so every instance shares it. Keyed by
 * the canonical username, existing or not, so a 429 says nothing about whether it exists.
 *
 * An attempt is counted as it arrives, before its password is checked: `reserve` counts it as
 * a failure, and a success takes it back with `clear`. So a parallel burst gets exactly the
 * checks a sequential one would (5, then the wait), the right password included, on every
 * instance at once. Each instance also checks one account's passwords one at a time
 * (`oneAtATime`): otherwise six parallel logins with the right password would find five
 * reservations in flight and the sixth a wait that no failure caused.
 */
@Injectable()
export class LoginThrottleService implements OnModuleInit {
  private readonly checks: AsyncLock;

  constructor(
    @InjectRepository(LoginAttemptEntity) private readonly attempts: Repository<LoginAttemptEntity>,
    private readonly transactions: Transactions,
    private readonly janitor: Janitor,
    users: UsersService,
    private readonly metrics: Metrics,
  ) {
    // As many may wait on one account as on the hashing threads (PASSWORD_QUEUE_LIMIT).
    this.checks = new AsyncLock({ maxPending: Math.max(1, users.passwordQueueLimit) });
  }

  /** A record quiet for the quiet period counts from zero again: it can go (its longest wait ended with it). */
  onModuleInit(): void {
    this.janitor.register('login_attempts', (now, batchSize) =>
      deleteBatch(
        this.attempts,
        { lastFailureAt: LessThan(new Date(now.getTime() - QUIET_PERIOD_MS)) },
        batchSize,
        'username',
      ),
    );
  }

  /** Runs `check` (reserve, verify, clear) after this instance's earlier checks of the same account. */
  async oneAtATime<T>(username: string, check: () => Promise<T>): Promise<T> {
    try {
      return await this.checks.acquire(username, check);
    } catch (error) {
      // async-lock's own refusal names the key, a username: it must not travel further.
      if (error instanceof Error && !(error instanceof ApiException) && error.message.startsWith('Too many pending')) {
        throw hashingOverloaded();
      }
      throw error;
    }
  }

  /**
   * Takes one attempt for `username`: 0 when it may go ahead (and now counts as a failure),
   * otherwise the seconds it must wait first.
   */
  async reserve(username: string, now = new Date()): Promise<number> {
    const outcome = await this.transactions.retrying(() =>
      updateOrInsert({
        update: async () => ((await this.countAttempt(username, now)).affected ?? 0) > 0,
        // Only a running wait refuses the count; a row that changed meanwhile means another round.
        read: async () => {
          const row = await this.attempts.findOneBy({ username });
          return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : undefined;
        },
        insert: async () => {
          await this.attempts.insert({ username, failures: 1, lastFailureAt: now, lockedUntil: null });
        },
        // A success deletes the row, so nearly every login finds none.
        insertFirst: true,
      }),
    );
    if (outcome.counted) return 0;
    this.metrics.lockouts.inc();
    return (outcome.row.getTime() - now.getTime()) / 1000;
  }

  /**
   * The right password: the count starts over. Failures reserved meanwhile by attempts still
   * in flight go with it, as a success between them would have cleared them one at a time.
   */
  async clear(username: string): Promise<void> {
    await this.transactions.retrying(() => this.attempts.delete({ username }));
  }

  /**
   * One statement counts the attempt and sets the wait that follows it, only if no wait is
   * running. MySQL evaluates SET assignments left to right, each seeing the columns assigned
   * before it, so `locked_until` comes first: every expression then reads the old row, as
   * SQLite's do.
   */
  private countAttempt(username: string, now: Date) {
    const parameters: Record<string, unknown> = {
      username,
      now,
      quietCutoff: new Date(now.getTime() - QUIET_PERIOD_MS),
    };
    const waits = LADDER.map((failures) => {
      parameters[`until${failures}`] = new Date(now.getTime() + lockSeconds(failures) * 1000);
      return `WHEN failures + 1 = ${failures} THEN :until${failures}`;
    });
    parameters.untilMax = new Date(now.getTime() + MAX_LOCK_SECONDS * 1000);
    const lockedUntil = [
      `CASE WHEN last_failure_at < :quietCutoff OR failures + 1 < ${FREE_FAILURES} THEN NULL`,
      ...waits,
      'ELSE :untilMax END',
    ].join(' ');
    return this.attempts
      .createQueryBuilder()
      .update()
      .set({
        lockedUntil: () => lockedUntil,
        failures: () => 'CASE WHEN last_failure_at < :quietCutoff THEN 1 ELSE failures + 1 END',
        lastFailureAt: now,
      })
      .where('username = :username AND (locked_until IS NULL OR locked_until <= :now)')
      .setParameters(parameters)
      .execute();
  }
}
