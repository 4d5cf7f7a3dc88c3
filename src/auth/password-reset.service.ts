import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ClientInfo } from '../common/http/client-info';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { OutboxKind } from '../mail/entities/outbox-message.entity';
import { MailService } from '../mail/mail.service';
import { OutboxService } from '../mail/outbox.service';
import { CodeCheck, ConfirmationCodesService, MAX_CODE_ATTEMPTS } from '../tokens/confirmation-codes.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UserStatus } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { ConfirmForgotPasswordDto } from './dto/confirm-forgot-password.dto';
import { PasswordChangedNotifier } from './password-changed-notifier';
import { LoginThrottleService } from './login-throttle.service';
import { Limit, RateLimiterService } from './rate-limiter.service';
import { authConfig, AuthConfig } from './auth.config';

const CODE_ERRORS: Record<Exclude<CodeCheck, 'valid'>, () => ApiException> = {
  mismatch: () => new ApiException(ErrorCode.CodeMismatch, 'Invalid confirmation code.'),
  expired: () =>
    new ApiException(ErrorCode.ExpiredCode, 'Confirmation code has expired or was used; request a new one.'),
};

/**
 * Forgot-password and its confirmation. Whether the username exists changes neither an
 * answer nor its timing: requests cost the same insert, and every limit treats known and
 * unknown usernames alike.
 *
 * Nobody but the owner can stand in the way of a reset: the confirmations and the wrong
 * codes are counted per username *and client address*, so a stranger's junk spends only the
 * stranger's allowance and the owner's right code still works. Only the requests for a code
 * are counted per username alone (they mail the owner, so they must be few whoever sends them).
 */
@Injectable()
export class PasswordResetService implements OnModuleInit {
  private readonly limits: { requests: Limit; confirms: Limit; wrongCodes: Limit };

  constructor(
    private readonly users: UsersService,
    private readonly codes: ConfirmationCodesService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly outbox: OutboxService,
    private readonly mail: MailService,
    private readonly notifier: PasswordChangedNotifier,
    private readonly limiter: RateLimiterService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    @Inject(authConfig.KEY) config: AuthConfig,
    private readonly metrics: Metrics,
  ) {
    const tooMany = 'Too many requests for this account; try again later.';
    this.limits = {
      requests: limiter.define({
        name: 'forgot-password',
        max: config.forgotPasswordPerHour,
        windowSeconds: 3600,
        message: tooMany,
      }),
      confirms: limiter.define({
        name: 'forgot-password-confirm',
        max: config.forgotPasswordConfirmPerHour,
        windowSeconds: 3600,
        message: tooMany,
      }),
      wrongCodes: limiter.define({
        name: 'wrong-code',
        max: MAX_CODE_ATTEMPTS,
        windowSeconds: codes.ttlSeconds,
        message: 'Too many wrong confirmation codes; request a new one.',
      }),
    };
  }

  onModuleInit(): void {
    this.outbox.handle(OutboxKind.PasswordResetCode, ({ username }) => this.deliverCode(username));
  }

  /** Records the request and returns; the outbox worker makes and mails the code. */
  async request(username: string, client: ClientInfo): Promise<void> {
    const canonical = this.users.canonical(username);
    await this.limiter.consume(this.limits.requests, canonical);
    await this.transactions.run(async (manager) => {
      await this.outbox.enqueue(OutboxKind.PasswordResetCode, { username: canonical }, manager);
      await this.audit.record(AuditEventType.PasswordResetRequested, { username: canonical }, client, manager);
    });
    this.outbox.nudge();
  }

  /**
   * A wrong code counts against this client for the username's current code; a password the
   * policy rejects does not spend the code. Setting the password, spending the code and ending
   * every session happen together or not at all; the new password is hashed before that
   * transaction opens. A reset also ends a login lockout: the owner has just proved who they are.
   */
  async confirm({ username, confirmation_code, password }: ConfirmForgotPasswordDto, client: ClientInfo) {
    const canonical = this.users.canonical(username);
    const address = client.ip ?? 'unknown';
    await this.limiter.consume(this.limits.confirms, `${canonical} ${address}`);
    const wrongCodesKey = `${canonical} ${await this.codeGeneration(canonical)} ${address}`;
    await this.limiter.assertAllowance(this.limits.wrongCodes, wrongCodesKey);
    const user = await this.users.findByUsername(canonical);
    const usable = user !== null && user.status !== UserStatus.Disabled;
    const check: CodeCheck = usable ? await this.codes.check(user.id, confirmation_code) : 'mismatch';
    if (!user || check !== 'valid') {
      if (check === 'mismatch') await this.limiter.hit(this.limits.wrongCodes, wrongCodesKey);
      await this.audit.record(AuditEventType.PasswordResetFailed, { userId: user?.id, username: canonical }, client);
      throw CODE_ERRORS[check === 'valid' ? 'mismatch' : check]();
    }
    const prepared = await this.users.preparePassword(password, user.username);

    await this.transactions.run(async (manager) => {
      if (!(await this.codes.consume(user.id, manager))) throw CODE_ERRORS.expired();
      await this.users.setPassword(user.id, prepared, manager);
      await this.refreshTokens.revokeAllForUser(user.id, manager);
      await this.notifier.enqueue(user.id, 'reset', manager);
      await this.audit.record(AuditEventType.PasswordReset, subjectOf(user), client, manager);
    });
    this.refreshTokens.forgetSessionsOf(user.id);
    this.metrics.revocations.inc({ reason: 'password_reset' });
    await this.throttle.clear(user.username);
    this.notifier.deliverSoon();
  }

  /**
   * Changes with every forgot-password request for the name, known or not (it is read off that
   * request's counter), so each new code brings every client a fresh allowance of wrong
   * guesses, and an unknown name behaves exactly as a known one.
   */
  private async codeGeneration(canonical: string): Promise<string> {
    const requests = await this.limiter.current(this.limits.requests, canonical);
    return requests ? `${requests.windowStartedAt.getTime().toString(36)}.${requests.hits}` : '-';
  }

  /** Runs in the outbox worker: a fresh code per attempt, so no clear code is ever stored. */
  private async deliverCode(username: string): Promise<void> {
    const user = await this.users.findByUsername(username);
    if (!user || user.status === UserStatus.Disabled) return;
    const code = await this.transactions.run((manager) => this.codes.issue(user.id, manager));
    await this.mail.sendPasswordResetCode(user, code, this.codes.ttlSeconds);
  }
}
