import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Semaphore } from 'async-mutex';
import * as bcrypt from 'bcrypt';
import { createHash, randomBytes } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { hashingThreads } from '../config/thread-pool';
import { usersConfig, UsersConfig } from './users.config';

/**
 * bcrypt reads only the first 72 bytes of its input, and a 64-character password in a
 * non-Latin script is up to 256 bytes of UTF-8. Hashing to a fixed 44-character base64
 * SHA-256 digest first means nothing is ever cut, and base64 has no NUL byte for bcrypt to
 * stop at. NFKC first, as NIST SP 800-63B asks, so the same password typed on another
 * keyboard still matches.
 */
function preHash(password: string): string {
  return createHash('sha256').update(password.normalize('NFKC'), 'utf8').digest('base64');
}

/** 503 with Retry-After, at once: the queue for a hashing thread is full. */
export const hashingOverloaded = () =>
  new ApiException(ErrorCode.ServiceUnavailable, 'Too many password checks in progress; try again shortly.', 1);

@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly cost: number;
  /** Compared against when the user does not exist, so that path costs one bcrypt like any other. */
  private dummyHash = '';
  /**
   * bcrypt jobs handed to libuv at once: one per hashing thread, so libuv's own queue never
   * holds a login storm in front of a DNS lookup; the rest wait here, up to the queue limit.
   */
  private readonly threads = new Semaphore(hashingThreads());
  private readonly capacity: number;
  /** PASSWORD_QUEUE_LIMIT: how many checks may wait for a thread. */
  readonly queueLimit: number;
  private inFlight = 0;

  constructor(@Inject(usersConfig.KEY) config: UsersConfig) {
    this.cost = config.bcryptCost;
    this.queueLimit = config.passwordQueueLimit;
    this.capacity = hashingThreads() + config.passwordQueueLimit;
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash(randomBytes(16).toString('hex'));
  }

  /**
   * PASSWORD_QUEUE_LIMIT: 503 now rather than a queue that grows with the load and delays
   * every login behind it. Callers that count an attempt first ask here before counting.
   */
  assertCapacity(): void {
    if (this.inFlight >= this.capacity) throw hashingOverloaded();
  }

  /** bcrypt's async API runs on libuv's thread pool, so hashing never blocks the event loop. */
  hash(password: string): Promise<string> {
    return this.onThread(() => bcrypt.hash(preHash(password), this.cost));
  }

  /** A hash made at another BCRYPT_COST than the current one (after an operator raised it, say). */
  needsRehash(hash: string): boolean {
    return bcrypt.getRounds(hash) !== this.cost;
  }

  /** bcrypt.compare is constant-time over the digest. */
  verify(password: string, hash: string): Promise<boolean> {
    return this.onThread(() => bcrypt.compare(preHash(password), hash));
  }

  /** Spends the same work as verify() and always fails: for unknown users. */
  async verifyAgainstDummy(password: string): Promise<false> {
    await this.onThread(() => bcrypt.compare(preHash(password), this.dummyHash));
    return false;
  }

  private async onThread<T>(job: () => Promise<T>): Promise<T> {
    this.assertCapacity();
    this.inFlight += 1;
    try {
      return await this.threads.runExclusive(job);
    } finally {
      this.inFlight -= 1;
    }
  }
}
