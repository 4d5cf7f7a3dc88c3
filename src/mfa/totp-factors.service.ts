import { HttpStatus, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { EntityManager, IsNull, Not, Repository } from 'typeorm';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ConfigError } from '../config/env';
import { Transactions } from '../database/transactions';
import { hashSecret } from '../tokens/secret-hash';
import { UserEntity } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { MfaFactorEntity } from './entities/mfa-factor.entity';
import { RecoveryCodeEntity } from './entities/recovery-code.entity';
import { MfaConfig, mfaConfig, MfaMode } from './mfa.config';
import { generateRecoveryCode, isTotpCode, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes';
import { SecretBox } from './secret-box';
import { matchingStep, newTotpSecret, otpauthUri } from './totp';

/** A wrong one-time code: 401, unlike a wrong confirmation code (400, Part 1). */
export const codeMismatch = () =>
  new ApiException(ErrorCode.CodeMismatch, 'Invalid code.', undefined, HttpStatus.UNAUTHORIZED);

export type Redeemed = 'totp' | 'recovery';

/**
 * TOTP factors: enrolment, the codes login takes, removal. The secret is sealed under
 * MFA_ENCRYPTION_KEY and opened only to check a code; recovery codes are kept as SHA-256
 * hashes (they are random, so a fast hash leaves nothing to guess). Each TOTP step is accepted
 * once per account, by a compare-and-set on the factor's row, so a code replayed on another
 * instance is refused there too.
 */
@Injectable()
export class TotpFactorsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Mfa');
  private readonly box?: SecretBox;
  readonly mode: MfaMode;
  private readonly issuer: string;

  constructor(
    @InjectRepository(MfaFactorEntity) private readonly factors: Repository<MfaFactorEntity>,
    @InjectRepository(RecoveryCodeEntity) private readonly recoveryCodes: Repository<RecoveryCodeEntity>,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    @Inject(mfaConfig.KEY) config: MfaConfig,
  ) {
    this.mode = config.mode;
    this.issuer = config.issuer;
    // Outside production a key of this process alone, so development needs no setting.
    const key = config.encryptionKey ?? (config.production ? undefined : randomBytes(32));
    this.box = key && new SecretBox(key);
    if (!config.encryptionKey && !config.production && config.mode !== 'off') {
      this.logger.warn('MFA_ENCRYPTION_KEY is not set: factors enrolled now stop working when this process ends');
    }
  }

  /** A production server without the key could check no code of the factors it already has. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.box) return;
    if (await this.factors.exists({ where: { enabledAt: Not(IsNull()) } })) {
      throw new ConfigError('MFA_ENCRYPTION_KEY is required: accounts have second factors sealed under it');
    }
  }

  /**
   * A new secret for the user to enter in an authenticator app, replacing any pending one; the
   * factor is on once verify() accepts a first code. 403 with MFA=off, 400 when one is on.
   */
  async setup(user: UserEntity): Promise<{ secret: string; uri: string }> {
    const box = this.enrolmentBox();
    const secret = newTotpSecret();
    await this.transactions.run(async (manager) => {
      const current = await this.users.lockAccount(user.id, manager);
      if (!current) throw new ApiException(ErrorCode.NotAuthorized, 'Invalid or expired session.');
      if (current.mfaEnabled) {
        throw new ApiException(ErrorCode.InvalidParameter, 'A second factor is already on; disable it first.');
      }
      const repo = manager.getRepository(MfaFactorEntity);
      await repo.delete({ userId: user.id });
      await repo.insert({
        userId: user.id,
        secretSealed: box.seal(secret, user.id),
        enabledAt: null,
        lastUsedStep: null,
        createdAt: new Date(),
      });
    });
    return { secret, uri: otpauthUri(secret, this.issuer, user.username) };
  }

  /**
   * Turns the pending factor on with a first code, inside the caller's transaction; returns the
   * recovery codes, which exist in clear only in this answer. 401 CodeMismatch for a wrong code
   * (or one a parallel verify used first).
   */
  async enable(user: UserEntity, code: string, manager: EntityManager): Promise<string[]> {
    const factor = await this.factorOf(user.id, manager);
    if (!factor || factor.enabledAt !== null) {
      throw new ApiException(ErrorCode.InvalidParameter, 'No factor is being set up; call /v1/mfa/totp/setup first.');
    }
    const step = isTotpCode(code) ? matchingStep(this.open(factor), code) : undefined;
    if (step === undefined) throw codeMismatch();
    const turnedOn = await manager
      .getRepository(MfaFactorEntity)
      .update({ userId: user.id, enabledAt: IsNull() }, { enabledAt: new Date(), lastUsedStep: step });
    if (turnedOn.affected !== 1) throw codeMismatch();
    await this.users.setMfaEnabled(user.id, true, manager);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    const repo = manager.getRepository(RecoveryCodeEntity);
    await repo.delete({ userId: user.id });
    await repo.insert(
      codes.map((plain) => ({
        id: randomUUID(),
        userId: user.id,
        codeHash: hashSecret(normalizeRecoveryCode(plain)),
        usedAt: null,
      })),
    );
    return codes;
  }

  /**
   * A login's second factor: a TOTP code of the current step (or one next to it) not used
   * before, or an unused recovery code. Undefined for anything else; each is spent at once.
   */
  async redeem(user: UserEntity, code: string): Promise<Redeemed | undefined> {
    if (isTotpCode(code)) return (await this.redeemTotp(user.id, code)) ? 'totp' : undefined;
    return (await this.redeemRecoveryCode(user.id, code)) ? 'recovery' : undefined;
  }

  /** Removes the factor and its recovery codes inside the caller's transaction; false if it had none on. */
  async remove(userId: string, manager: EntityManager): Promise<boolean> {
    const removed = await manager.getRepository(MfaFactorEntity).delete({ userId, enabledAt: Not(IsNull()) });
    await manager.getRepository(MfaFactorEntity).delete({ userId });
    await manager.getRepository(RecoveryCodeEntity).delete({ userId });
    await this.users.setMfaEnabled(userId, false, manager);
    return (removed.affected ?? 0) > 0;
  }

  private async redeemTotp(userId: string, code: string): Promise<boolean> {
    const factor = await this.factorOf(userId);
    if (!factor?.enabledAt) return false;
    const step = matchingStep(this.open(factor), code);
    if (step === undefined) return false;
    // The step is spent by whichever request sets it first, on any instance.
    const spent = await this.transactions.retrying(() =>
      this.factors
        .createQueryBuilder()
        .update()
        .set({ lastUsedStep: step })
        .where('user_id = :userId AND enabled_at IS NOT NULL', { userId })
        .andWhere('(last_used_step IS NULL OR last_used_step < :step)', { step })
        .execute(),
    );
    return spent.affected === 1;
  }

  private async redeemRecoveryCode(userId: string, input: string): Promise<boolean> {
    const typed = Buffer.from(hashSecret(normalizeRecoveryCode(input)), 'hex');
    const unused = await this.recoveryCodes.find({ where: { userId, usedAt: IsNull() } });
    // Every stored hash is compared, in constant time, whichever matches.
    let match: RecoveryCodeEntity | undefined;
    for (const row of unused) {
      if (timingSafeEqual(typed, Buffer.from(row.codeHash, 'hex'))) match = row;
    }
    if (!match) return false;
    const spent = await this.transactions.retrying(() =>
      this.recoveryCodes.update({ id: match.id, usedAt: IsNull() }, { usedAt: new Date() }),
    );
    return spent.affected === 1;
  }

  private factorOf(userId: string, manager?: EntityManager): Promise<MfaFactorEntity | null> {
    return (manager ?? this.factors.manager)
      .getRepository(MfaFactorEntity)
      .createQueryBuilder('factor')
      .addSelect('factor.secretSealed')
      .where('factor.userId = :userId', { userId })
      .getOne();
  }

  private open(factor: MfaFactorEntity): string {
    try {
      return this.box!.open(factor.secretSealed!, factor.userId);
    } catch {
      // Sealed under another key: no code can be checked until the right one is back.
      this.logger.error(`Cannot open the TOTP secret of user ${factor.userId}: was MFA_ENCRYPTION_KEY changed?`);
      throw new ApiException(ErrorCode.ServiceUnavailable, 'Service temporarily unavailable; try again shortly.');
    }
  }

  private enrolmentBox(): SecretBox {
    if (this.mode === 'off') {
      throw new ApiException(ErrorCode.Forbidden, 'Second factors are turned off on this server (MFA=off).');
    }
    if (!this.box) {
      throw new ApiException(
        ErrorCode.ServiceUnavailable,
        'Second factors are not set up on this server (MFA_ENCRYPTION_KEY).',
      );
    }
    return this.box;
  }
}
