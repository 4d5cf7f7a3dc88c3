import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as bcrypt from 'bcrypt';
import { createHash, randomBytes } from 'node:crypto';
import { AllConfig } from '../config/config.types';

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

@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly cost: number;
  /** Compared against when the user does not exist, so that path costs one bcrypt like any other. */
  private dummyHash = '';

  constructor(@Inject(ConfigService) config: ConfigService<AllConfig, true>) {
    this.cost = config.get('auth.bcryptCost', { infer: true });
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash(randomBytes(16).toString('hex'));
  }

  /** bcrypt's async API runs on libuv's thread pool, so hashing never blocks the event loop. */
  hash(password: string): Promise<string> {
    return bcrypt.hash(preHash(password), this.cost);
  }

  /** A hash made at another BCRYPT_COST than the current one (after an operator raised it, say). */
  needsRehash(hash: string): boolean {
    return bcrypt.getRounds(hash) !== this.cost;
  }

  /** bcrypt.compare is constant-time over the digest. */
  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(preHash(password), hash);
  }

  /** Spends the same work as verify() and always fails: for unknown users. */
  async verifyAgainstDummy(password: string): Promise<false> {
    await bcrypt.compare(preHash(password), this.dummyHash);
    return false;
  }
}
