import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomInt, randomUUID } from 'node:crypto';
import { EntityManager, IsNull, LessThan, Repository } from 'typeorm';
import { aDayBefore, deleteBatch, Janitor } from '../database/janitor';
import { ConfirmationCodeEntity } from './entities/confirmation-code.entity';
import { hashSecret, secretMatches } from './secret-hash';
import { TokensConfig, tokensConfig } from './tokens.config';

/** No 0/O/o, 1/I/l: codes are read from a mail and typed by hand. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
export const CODE_LENGTH = 8;
/** Wrong guesses one client address gets per code (OWASP ASVS 5.0 V6.5); 56^8 codes make 5 guesses ~1 in 10^13. */
export const MAX_CODE_ATTEMPTS = 5;

export type CodeCheck = 'valid' | 'mismatch' | 'expired';

/** Codes are bound to their user in the hash, so a code row cannot be moved to another account. */
const bound = (userId: string, code: string) => `${userId}:${code}`;

@Injectable()
export class ConfirmationCodesService implements OnModuleInit {
  readonly ttlSeconds: number;

  constructor(
    @InjectRepository(ConfirmationCodeEntity) private readonly codes: Repository<ConfirmationCodeEntity>,
    private readonly janitor: Janitor,
    @Inject(tokensConfig.KEY) config: TokensConfig,
  ) {
    this.ttlSeconds = config.confirmationCodeTtl;
  }

  onModuleInit(): void {
    this.janitor.register('confirmation_codes', (now, batchSize) =>
      deleteBatch(this.codes, { expiresAt: LessThan(aDayBefore(now)) }, batchSize),
    );
  }

  /** A fresh code for the user, replacing any earlier one; the clear code is only returned. */
  async issue(userId: string, manager: EntityManager): Promise<string> {
    const code = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const now = new Date();
    const repo = manager.getRepository(ConfirmationCodeEntity);
    await repo.delete({ userId });
    await repo.insert({
      id: randomUUID(),
      userId,
      codeHash: hashSecret(bound(userId, code)),
      attempts: 0,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      consumedAt: null,
    });
    return code;
  }

  /**
   * Checks a code without spending it. "expired" is only said to whoever presents the right
   * (old) code, so it tells a stranger nothing about the account. A wrong guess at a live code
   * is counted on it, for operators to see; it does not wear the code out, since anybody can
   * send one (the guesses are limited per client address instead, see PasswordResetService).
   */
  async check(userId: string, code: string, now = new Date()): Promise<CodeCheck> {
    const record = await this.codes
      .createQueryBuilder('code')
      .addSelect('code.codeHash')
      .where('code.user_id = :userId', { userId })
      .getOne();
    if (!record?.codeHash) return 'mismatch';
    const live = record.consumedAt === null && record.expiresAt > now;
    if (secretMatches(bound(userId, code), record.codeHash)) return live ? 'valid' : 'expired';
    if (live) await this.codes.increment({ id: record.id }, 'attempts', 1);
    return 'mismatch';
  }

  /** Spends the code inside the caller's transaction; false if a concurrent request spent it first. */
  async consume(userId: string, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .getRepository(ConfirmationCodeEntity)
      .update({ userId, consumedAt: IsNull() }, { consumedAt: new Date() });
    return result.affected === 1;
  }
}
