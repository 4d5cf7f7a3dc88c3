import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiException, badCredentials } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ClientInfo } from '../common/http/client-info';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { ChallengeSessionsService } from '../tokens/challenge-sessions.service';
import { ChallengeKind, ChallengeSessionEntity } from '../tokens/entities/challenge-session.entity';
import { codeMismatch, TotpFactorsService } from '../mfa/totp-factors.service';
import { RedeemableToken } from '../tokens/refresh-tokens.repository';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { unchangedPassword } from '../users/password-policy';
import { UsersService } from '../users/users.service';
import { LoginDto } from './dto/login.dto';
import { ChallengeName, LoginResponseDto, RefreshResponseDto } from './dto/login-response.dto';
import { SoftwareTokenMfaDto } from './dto/software-token-mfa.dto';
import { NewPasswordRequiredDto } from './dto/new-password-required.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { LoginFailuresPerAddress } from './login-failures-per-address';
import { lockedOut, LoginThrottleService } from './login-throttle.service';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';

const invalidRefreshToken = () => new ApiException(ErrorCode.NotAuthorized, 'Invalid refresh token.');
const invalidSession = () => new ApiException(ErrorCode.NotAuthorized, 'Invalid or expired session.');

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokensService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly challenges: ChallengeSessionsService,
    private readonly factors: TotpFactorsService,
    private readonly throttle: LoginThrottleService,
    private readonly failuresPerAddress: LoginFailuresPerAddress,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Unknown user, wrong password and disabled account fail alike, and only after one bcrypt
   * comparison each, so neither the answer nor its timing tells them apart. The attempt counts
   * against the account and the address before the password is checked, and this instance
   * checks one account's passwords one at a time (see LoginThrottleService).
   */
  async login({ username, password }: LoginDto, client: ClientInfo): Promise<LoginResponseDto> {
    const canonical = this.users.canonical(username);
    // Before any attempt is counted: a request turned away for load is no guess.
    this.users.assertHashingCapacity();
    return this.throttle.oneAtATime(canonical, () => this.attemptLogin(canonical, password, client));
  }

  private async attemptLogin(canonical: string, password: string, client: ClientInfo): Promise<LoginResponseDto> {
    await this.countAttempt(canonical, client);
    const user = await this.users.findByUsername(canonical, { withHash: true });
    const match = user
      ? await this.users.verifyPassword(user, password)
      : await this.users.verifyUnknownUserPassword(password);
    if (!user || !match || user.status === UserStatus.Disabled) {
      this.metrics.loginOutcomes.inc({ outcome: 'failure' });
      await this.audit.record(AuditEventType.LoginFailed, { userId: user?.id, username: canonical }, client);
      throw badCredentials();
    }
    const subject = { userId: user.id, username: canonical };
    if (user.status === UserStatus.ForceChangePassword) {
      // The right password is no guess, so it gives the attempt back even when it has expired.
      await this.attemptPassed(canonical, client);
      return this.newPasswordChallenge(user, client);
    }
    if (user.mfaEnabled) {
      // Half the proof: the attempt stays counted until the code comes (a password alone
      // must not clear the lockout that wrong codes build).
      await this.users.upgradeHash(match, password);
      await this.audit.record(AuditEventType.PasswordVerified, subject, client);
      return this.challenge(user, ChallengeKind.SoftwareTokenMfa);
    }
    if (this.mfaSetupRequired(user)) {
      await this.attemptPassed(canonical, client);
      await this.users.upgradeHash(match, password);
      await this.audit.record(AuditEventType.PasswordVerified, subject, client);
      return this.challenge(user, ChallengeKind.MfaSetup);
    }
    // The session is only started if the password is still the one checked: a change or
    // reset that committed meanwhile ended every session, and must end this one too.
    const tokens = await this.transactions.run(async (manager) =>
      (await this.users.lockIfUnchanged(match, manager)) ? this.startSession(user, client, manager) : null,
    );
    if (!tokens) {
      this.metrics.loginOutcomes.inc({ outcome: 'failure' });
      await this.audit.record(AuditEventType.LoginFailed, subject, client);
      throw badCredentials();
    }
    this.metrics.loginOutcomes.inc({ outcome: 'success' });
    await this.attemptPassed(canonical, client);
    await this.users.upgradeHash(match, password);
    await this.audit.record(AuditEventType.LoginSucceeded, subject, client);
    return tokens;
  }

  /** Both brakes count the attempt as a failure until it proves otherwise; 429 when one is spent. */
  private async countAttempt(canonical: string, client: ClientInfo): Promise<void> {
    try {
      await this.failuresPerAddress.reserve(client);
      const wait = await this.throttle.reserve(canonical);
      if (wait > 0) throw lockedOut(wait);
    } catch (error) {
      if (error instanceof ApiException && error.code === ErrorCode.LimitExceeded) {
        this.metrics.loginOutcomes.inc({ outcome: 'locked' });
        await this.audit.record(AuditEventType.LoginLocked, { username: canonical }, client);
      }
      throw error;
    }
  }

  private async attemptPassed(canonical: string, client: ClientInfo): Promise<void> {
    await Promise.all([this.throttle.clear(canonical), this.failuresPerAddress.release(client)]);
  }

  private async newPasswordChallenge(user: UserEntity, client: ClientInfo): Promise<LoginResponseDto> {
    const subject = subjectOf(user);
    if (this.users.isTemporaryPasswordExpired(user)) {
      this.metrics.loginOutcomes.inc({ outcome: 'failure' });
      await this.audit.record(AuditEventType.LoginFailed, subject, client);
      throw new ApiException(
        ErrorCode.NotAuthorized,
        'Temporary password has expired; reset it with forgot-password or ask an administrator.',
      );
    }
    await this.audit.record(AuditEventType.LoginSucceeded, subject, client);
    return this.challenge(user, ChallengeKind.NewPasswordRequired);
  }

  /** A challenge session of `kind` and login's answer that carries it. */
  private async challenge(user: UserEntity, kind: ChallengeName): Promise<LoginResponseDto> {
    const challenge = await this.challenges.start(user, kind);
    this.metrics.loginOutcomes.inc({ outcome: 'challenge' });
    return {
      challenge_name: kind,
      session: challenge.session,
      id_token: null,
      access_token: null,
      refresh_token: null,
      expires_in: challenge.expiresIn,
    };
  }

  /** MFA=required: a user without a factor enrols before getting tokens. */
  private mfaSetupRequired(user: UserEntity): boolean {
    return this.factors.mode === 'required' && !user.mfaEnabled;
  }

  /**
   * Answers NEW_PASSWORD_REQUIRED. A password the policy rejects leaves the session usable;
   * otherwise the session is spent, the password set and earlier sessions ended in one
   * transaction, so a failure part-way changes nothing. The new password is hashed before it.
   */
  async completeNewPasswordChallenge(dto: NewPasswordRequiredDto, client: ClientInfo): Promise<LoginResponseDto> {
    const challenge = await this.challenges.find(dto.session, dto.username, ChallengeKind.NewPasswordRequired);
    if (!challenge) throw invalidSession();
    const user = challenge.user!;
    if (user.status !== UserStatus.ForceChangePassword) throw invalidSession();
    const password = await this.users.preparePassword(dto.new_password, user.username);
    // The temporary password was handed over by someone else: keeping it is no new password.
    if (await this.users.verifyPassword(user, dto.new_password)) throw unchangedPassword('temporary');

    // With a second factor (or MFA=required) the new password leads to the next challenge.
    const next = user.mfaEnabled
      ? ChallengeKind.SoftwareTokenMfa
      : this.mfaSetupRequired(user)
        ? ChallengeKind.MfaSetup
        : undefined;
    const tokens = await this.transactions.run(async (manager) => {
      if (!(await this.challenges.consume(challenge.id, manager))) throw invalidSession();
      await this.users.setPassword(user.id, password, manager);
      await this.refreshTokens.revokeAllForUser(user.id, manager);
      await this.audit.record(AuditEventType.ChallengeAnswered, subjectOf(user), client, manager);
      return next ? undefined : this.startSession({ ...user, status: UserStatus.Active }, client, manager);
    });
    this.refreshTokens.forgetSessionsOf(user.id);
    this.metrics.revocations.inc({ reason: 'challenge' });
    // Whoever answered held the temporary password: a lockout others caused ends here.
    await this.throttle.clear(user.username);
    return tokens ?? this.challenge(user, next!);
  }

  /**
   * Answers SOFTWARE_TOKEN_MFA with a TOTP code or a recovery code. Only a live session counts
   * an attempt (a stranger's made-up session locks nobody out); a wrong code counts against the
   * account's lockout and the session, which the fifth one ends. 401 CodeMismatch for a wrong
   * or replayed code.
   */
  async answerSoftwareTokenMfa(dto: SoftwareTokenMfaDto, client: ClientInfo): Promise<LoginResponseDto> {
    const challenge = await this.challenges.find(dto.session, dto.username, ChallengeKind.SoftwareTokenMfa);
    if (!challenge) throw invalidSession();
    const user = challenge.user!;
    return this.throttle.oneAtATime(user.username, async () => {
      await this.countAttempt(user.username, client);
      const redeemed = user.status === UserStatus.Disabled ? undefined : await this.factors.redeem(user, dto.code);
      if (!redeemed) {
        await this.challenges.recordWrongCode(challenge.id);
        this.metrics.loginOutcomes.inc({ outcome: 'failure' });
        await this.audit.record(AuditEventType.MfaCodeFailed, subjectOf(user), client);
        throw codeMismatch();
      }
      const tokens = await this.transactions.run(async (manager) => {
        if (!(await this.challenges.consume(challenge.id, manager))) return undefined;
        return (await this.users.lockActive(user.id, manager)) ? this.startSession(user, client, manager) : undefined;
      });
      if (!tokens) throw invalidSession();
      this.metrics.loginOutcomes.inc({ outcome: 'success' });
      await this.attemptPassed(user.username, client);
      if (redeemed === 'recovery') await this.audit.record(AuditEventType.RecoveryCodeUsed, subjectOf(user), client);
      await this.audit.record(AuditEventType.LoginSucceeded, subjectOf(user), client);
      return tokens;
    });
  }

  /**
   * MFA_SETUP's last step: the first code turns the factor on, the challenge is spent and a
   * session starts, all in one transaction. The answer carries the recovery codes, shown only
   * here.
   */
  async completeMfaSetup(
    dto: { session: string; username: string; code: string },
    client: ClientInfo,
  ): Promise<LoginResponseDto & { recovery_codes: string[] }> {
    const challenge = await this.mfaSetupChallenge(dto.session, dto.username);
    const user = challenge.user!;
    const answer = await this.transactions.run(async (manager) => {
      if (!(await this.users.lockActive(user.id, manager))) throw invalidSession();
      const recoveryCodes = await this.factors.enable(user, dto.code, manager);
      if (!(await this.challenges.consume(challenge.id, manager))) throw invalidSession();
      await this.audit.record(AuditEventType.MfaEnabled, subjectOf(user), client, manager);
      const tokens = await this.startSession({ ...user, mfaEnabled: true }, client, manager);
      return { ...tokens, recovery_codes: recoveryCodes };
    });
    this.metrics.loginOutcomes.inc({ outcome: 'success' });
    await this.audit.record(AuditEventType.LoginSucceeded, subjectOf(user), client);
    return answer;
  }

  /** The account behind an MFA_SETUP challenge session, for setting up its factor. */
  async mfaSetupChallengeUser(session: string, username: string | undefined): Promise<UserEntity> {
    return (await this.mfaSetupChallenge(session, username)).user!;
  }

  /** A live MFA_SETUP session of an account that is not disabled; 401 otherwise. */
  private async mfaSetupChallenge(session: string, username: string | undefined): Promise<ChallengeSessionEntity> {
    const challenge = await this.challenges.find(session, username, ChallengeKind.MfaSetup);
    if (!challenge || challenge.user!.status === UserStatus.Disabled) throw invalidSession();
    return challenge;
  }

  /**
   * New access and id tokens for the session. With rotation, also the session's next refresh
   * token; a rotated token presented after its grace window means a copy leaked, so the
   * whole session (every token descending from that login) is revoked.
   */
  async refresh({ username, refresh_token }: RefreshTokenDto, client: ClientInfo): Promise<RefreshResponseDto> {
    const redemption = await this.refreshTokens.redeem(refresh_token);
    if (redemption.outcome === 'invalid') throw this.refreshRefused();
    const { token } = redemption;
    if (token.user.username !== this.users.canonical(username)) throw this.refreshRefused();
    if (redemption.outcome === 'reused') {
      await this.refreshTokens.revokeFamily(token.familyId);
      return this.reuseDetected(token, client);
    }
    if (!this.refreshTokens.rotation) {
      const { noteworthy } = await this.refreshTokens.recordUse(token, client);
      if (noteworthy) this.audit.recordSoon(AuditEventType.TokenRefreshed, subjectOf(token.user), client);
      this.metrics.refreshes.inc({ outcome: 'success' });
      return { ...this.accessTokens.issue(token.user, token.familyId), token_type: 'Bearer' };
    }
    // The owner's row first, as every transaction that changes a user's sessions takes it.
    const rotation = await this.transactions.run(async (manager) =>
      (await this.users.lockActive(token.user.id, manager))
        ? this.refreshTokens.rotate(token, refresh_token, client, manager)
        : ({ outcome: 'invalid' } as const),
    );
    if (rotation.outcome === 'invalid') throw this.refreshRefused();
    if (rotation.outcome === 'reused') {
      this.refreshTokens.forgetSession(token.familyId);
      return this.reuseDetected(token, client);
    }
    this.audit.recordSoon(AuditEventType.TokenRefreshed, subjectOf(token.user), client);
    this.metrics.refreshes.inc({ outcome: 'success' });
    return {
      ...this.accessTokens.issue(token.user, token.familyId),
      refresh_token: rotation.refreshToken,
      token_type: 'Bearer',
    };
  }

  async revoke(refreshToken: string, client: ClientInfo): Promise<void> {
    const owner = await this.refreshTokens.revoke(refreshToken);
    if (!owner) return;
    this.metrics.revocations.inc({ reason: 'token_revoke' });
    await this.audit.record(AuditEventType.TokenRevoked, subjectOf(owner), client);
  }

  private refreshRefused(): ApiException {
    this.metrics.refreshes.inc({ outcome: 'invalid' });
    return invalidRefreshToken();
  }

  /** Called once the session's revocation has committed, whichever way the reuse was found. */
  private async reuseDetected(token: RedeemableToken, client: ClientInfo): Promise<never> {
    this.metrics.refreshes.inc({ outcome: 'reused' });
    this.metrics.revocations.inc({ reason: 'reuse' });
    await this.audit.record(AuditEventType.RefreshTokenReused, subjectOf(token.user), client);
    throw invalidRefreshToken();
  }

  private async startSession(user: UserEntity, client: ClientInfo, manager: EntityManager): Promise<LoginResponseDto> {
    const refresh = await this.refreshTokens.issue(user, client, manager);
    return {
      challenge_name: null,
      session: null,
      ...this.accessTokens.issue(user, refresh.session.familyId),
      refresh_token: refresh.token,
      token_type: 'Bearer',
    };
  }
}
