import { Injectable } from '@nestjs/common';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException, invalidAccessToken } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ClientInfo } from '../common/http/client-info';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { isSamePassword, unchangedPassword } from '../users/password-policy';
import { UserEntity } from '../users/entities/user.entity';
import { PasswordMatch, UsersService } from '../users/users.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { lockedOut, LoginThrottleService } from './login-throttle.service';
import { PasswordChangedNotifier } from './password-changed-notifier';

const incorrectPassword = () => new ApiException(ErrorCode.NotAuthorized, 'Incorrect password.');

@Injectable()
export class PasswordChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokensService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly throttle: LoginThrottleService,
    private readonly notifier: PasswordChangedNotifier,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly metrics: Metrics,
  ) {}

  /**
   * The previous password proves it is the owner, not just someone holding their token.
   * The caller's session stays; every other one of the user's sessions ends with the change.
   * The change is a compare-and-set on the password that was checked: of two changes racing
   * from one previous password, the second finds it gone and fails as a wrong one would.
   */
  async change(dto: ChangePasswordDto & { access_token: string }, client: ClientInfo): Promise<void> {
    const claims = this.accessTokens.verifyAccessToken(dto.access_token);
    const user = await this.refreshTokens.activeSessionUser(claims.sid, claims.sub);
    if (!user) throw invalidAccessToken();
    this.users.assertHashingCapacity();
    const match = await this.throttle.oneAtATime(user.username, () =>
      this.checkPreviousPassword(user, dto.previous_password, client),
    );
    if (isSamePassword(dto.proposed_password, dto.previous_password)) throw unchangedPassword('current');
    const password = await this.users.preparePassword(dto.proposed_password, user.username);

    await this.transactions.run(async (manager) => {
      if (!(await this.users.setPassword(user.id, password, manager, match))) throw incorrectPassword();
      await this.refreshTokens.revokeAllForUser(user.id, manager, { exceptFamilyId: claims.sid });
      await this.notifier.enqueue(user.id, 'changed', manager);
      await this.audit.record(AuditEventType.PasswordChanged, subjectOf(user), client, manager);
    });
    this.refreshTokens.forgetSessionsOf(user.id);
    this.metrics.revocations.inc({ reason: 'password_change' });
    this.notifier.deliverSoon();
  }

  /** The same brake as login: a stolen access token must not become a password oracle. */
  private async checkPreviousPassword(user: UserEntity, previous: string, client: ClientInfo): Promise<PasswordMatch> {
    const wait = await this.throttle.reserve(user.username);
    if (wait > 0) throw lockedOut(wait);
    const match = await this.users.verifyPassword(user, previous);
    if (!match) {
      await this.audit.record(AuditEventType.PasswordChangeFailed, subjectOf(user), client);
      throw incorrectPassword();
    }
    await this.throttle.clear(user.username);
    return match;
  }
}
