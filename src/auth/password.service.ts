import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { OutboxKind } from '../mail/entities/outbox-message.entity';
import { MailService } from '../mail/mail.service';
import { OutboxService } from '../mail/outbox.service';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { ConfirmationCodesService } from '../tokens/confirmation-codes.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UserStatus } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { ConfirmForgotPasswordDto } from './dto/confirm-forgot-password.dto';
import { lockedOut, LoginThrottleService } from './login-throttle.service';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ClientInfo } from '../common/http/client-info';
import { Limit, RateLimiterService } from './rate-limiter.service';
import { AllConfig } from '../config/config.types';

const CODE_ERRORS = {
  mismatch: () => new ApiException(ErrorCode.CodeMismatch, 'Invalid confirmation code.'),
  expired: () =>
    new ApiException(ErrorCode.ExpiredCode, 'Confirmation code has expired or was used; request a new one.'),
  exhausted: () =>
    new ApiException(ErrorCode.LimitExceeded, 'Too many wrong confirmation codes; request a new one.', 3600),
};

/** Change, reset (forgot + confirm) and the mail each of them sends. */
@Injectable()
export class PasswordService implements OnModuleInit {
  private readonly limits: { forgot: Limit; confirm: Limit };

  constructor(
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokensService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly codes: ConfirmationCodesService,
    private readonly outbox: OutboxService,
    private readonly mail: MailService,
    private readonly throttle: LoginThrottleService,
    private readonly limiter: RateLimiterService,
    private readonly audit: AuditService,
    @Inject(ConfigService) config: ConfigService<AllConfig, true>,
  ) {
    const auth = config.get('auth', { infer: true });
    this.limits = {
      forgot: { name: 'forgot-password', max: auth.forgotPasswordPerHour, windowSeconds: 3600 },
      confirm: { name: 'forgot-password-confirm', max: auth.forgotPasswordConfirmPerHour, windowSeconds: 3600 },
    };
  }

  onModuleInit(): void {
    this.outbox.handle(OutboxKind.PasswordResetCode, ({ username }) => this.deliverResetCode(username));
    this.outbox.handle(OutboxKind.PasswordChanged, ({ userId, how, at }) =>
      this.deliverPasswordChanged(userId, how === 'reset' ? 'reset' : 'changed', new Date(at)),
    );
  }

  /**
   * Records the request and returns: the same one insert whether or not the user exists,
   * so neither the answer nor its timing tells. The outbox makes and mails the code.
   */
  async requestReset(username: string, client: ClientInfo): Promise<void> {
    const canonical = this.users.canonical(username);
    await this.limiter.consume(this.limits.forgot, canonical);
    await this.users.transaction(async (manager) => {
      await this.outbox.enqueue(OutboxKind.PasswordResetCode, { username: canonical }, manager);
      await this.audit.record(AuditEventType.PasswordResetRequested, { username: canonical }, client, manager);
    });
    this.outbox.nudge();
  }

  /**
   * A wrong code counts against the code; a password the policy rejects does not spend it.
   * Setting the password, spending the code and ending every session happen together or not at all.
   */
  async confirmReset(
    { username, confirmation_code, password }: ConfirmForgotPasswordDto,
    client: ClientInfo,
  ): Promise<void> {
    const canonical = this.users.canonical(username);
    await this.limiter.consume(this.limits.confirm, canonical);
    const user = await this.users.findByUsername(canonical);
    const usable = user && user.status !== UserStatus.Disabled;
    const check = usable ? await this.codes.check(user.id, confirmation_code) : 'mismatch';
    if (!user || check !== 'valid') {
      await this.audit.record(AuditEventType.PasswordResetFailed, { userId: user?.id, username: canonical }, client);
      throw CODE_ERRORS[check === 'valid' ? 'mismatch' : check]();
    }
    this.users.assertAcceptablePassword(password, user.username);

    await this.users.transaction(async (manager) => {
      if (!(await this.codes.consume(user.id, manager))) throw CODE_ERRORS.expired();
      await this.users.setPassword(user, password, manager);
      await this.refreshTokens.revokeAllForUser(user.id, { manager });
      await this.enqueueChanged(user.id, 'reset', manager);
      await this.audit.record(AuditEventType.PasswordReset, subjectOf(user), client, manager);
    });
    this.outbox.nudge();
  }

  /** The previous password proves it is the owner, not just someone holding their token. */
  async change(dto: ChangePasswordDto & { access_token: string }, client: ClientInfo): Promise<void> {
    const claims = this.accessTokens.verifyAccessToken(dto.access_token);
    if (!(await this.refreshTokens.isSessionActive(claims.sid, claims.sub))) {
      throw new ApiException(ErrorCode.NotAuthorized, 'Invalid or expired access token.');
    }
    const user = await this.users.getById(claims.sub);
    // The same brake as login: a stolen access token must not become a password oracle.
    const locked = await this.throttle.secondsLocked(user.username);
    if (locked > 0) throw lockedOut(locked);
    if (!(await this.users.verifyPassword(user, dto.previous_password))) {
      await this.throttle.recordFailure(user.username);
      await this.audit.record(AuditEventType.PasswordChangeFailed, subjectOf(user), client);
      throw new ApiException(ErrorCode.NotAuthorized, 'Incorrect password.');
    }
    this.users.assertAcceptablePassword(dto.proposed_password, user.username);

    await this.users.transaction(async (manager) => {
      await this.users.setPassword(user, dto.proposed_password, manager);
      await this.refreshTokens.revokeAllForUser(user.id, { exceptFamilyId: claims.sid, manager });
      await this.enqueueChanged(user.id, 'changed', manager);
      await this.audit.record(AuditEventType.PasswordChanged, subjectOf(user), client, manager);
    });
    this.outbox.nudge();
  }

  private enqueueChanged(userId: string, how: 'changed' | 'reset', manager: Parameters<OutboxService['enqueue']>[2]) {
    return this.outbox.enqueue(OutboxKind.PasswordChanged, { userId, how, at: new Date().toISOString() }, manager);
  }

  /** Runs in the outbox worker: a fresh code per attempt, so no clear code is ever stored. */
  private async deliverResetCode(username: string): Promise<void> {
    const user = await this.users.findByUsername(username);
    if (!user || user.status === UserStatus.Disabled) return;
    const code = await this.users.transaction((manager) => this.codes.issue(user.id, manager));
    await this.mail.sendPasswordResetCode(user, code);
  }

  private async deliverPasswordChanged(userId: string, how: 'changed' | 'reset', at: Date): Promise<void> {
    const user = await this.users.findById(userId);
    if (user) await this.mail.sendPasswordChanged(user, how, at);
  }
}
