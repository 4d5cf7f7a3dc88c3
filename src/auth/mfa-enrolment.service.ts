import { Injectable } from '@nestjs/common';
import { toString as qrSvg } from 'qrcode';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException, invalidAccessToken } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { bearerCredential } from '../common/http/bearer';
import { ClientInfo } from '../common/http/client-info';
import { Transactions } from '../database/transactions';
import { TotpFactorsService } from '../mfa/totp-factors.service';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UserEntity } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { MfaSetupResponseDto } from './dto/mfa-response.dto';
import { lockedOut, LoginThrottleService } from './login-throttle.service';

/**
 * A signed-in user's own factor: set it up, verify it (which turns it on), turn it off with the
 * password. From an MFA_SETUP challenge the same setup is reached through AuthService.
 */
@Injectable()
export class MfaEnrolmentService {
  constructor(
    private readonly factors: TotpFactorsService,
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokensService,
    private readonly sessions: RefreshTokensService,
    private readonly throttle: LoginThrottleService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  /** The account an `Authorization: Bearer` access token of a live session belongs to; 401 otherwise. */
  async ownerOf(authorization: string): Promise<UserEntity> {
    const token = bearerCredential(authorization);
    if (!token) throw invalidAccessToken();
    const claims = this.accessTokens.verifyAccessToken(token);
    const user = await this.sessions.activeSessionUser(claims.sid, claims.sub);
    if (!user) throw invalidAccessToken();
    return user;
  }

  async setup(user: UserEntity): Promise<MfaSetupResponseDto> {
    const { secret, uri } = await this.factors.setup(user);
    const svg = await qrSvg(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return {
      secret_code: secret,
      otpauth_uri: uri,
      qr_code: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`,
    };
  }

  /** Turns the pending factor on with its first code; the recovery codes, shown only now. */
  async verify(user: UserEntity, code: string, client: ClientInfo): Promise<string[]> {
    const recoveryCodes = await this.transactions.run(async (manager) => {
      if (!(await this.users.lockActive(user.id, manager))) throw invalidAccessToken();
      const codes = await this.factors.enable(user, code, manager);
      await this.audit.record(AuditEventType.MfaEnabled, subjectOf(user), client, manager);
      return codes;
    });
    // The guard's cached account says no factor; /v1/me reads it afresh from now on.
    this.sessions.forgetSessionsOf(user.id);
    return recoveryCodes;
  }

  /**
   * The password proves it is the owner, not someone holding their token; wrong ones count
   * against the account's lockout, as at login and change-password.
   */
  async disable(user: UserEntity, password: string, client: ClientInfo): Promise<void> {
    this.users.assertHashingCapacity();
    await this.throttle.oneAtATime(user.username, async () => {
      const wait = await this.throttle.reserve(user.username);
      if (wait > 0) throw lockedOut(wait);
      if (!(await this.users.verifyPassword(user, password))) {
        await this.audit.record(AuditEventType.MfaDisableFailed, subjectOf(user), client);
        throw new ApiException(ErrorCode.NotAuthorized, 'Incorrect password.');
      }
      await this.throttle.clear(user.username);
    });
    await this.transactions.run(async (manager) => {
      if (!(await this.users.lockActive(user.id, manager))) throw invalidAccessToken();
      if (await this.factors.remove(user.id, manager)) {
        await this.audit.record(AuditEventType.MfaDisabled, subjectOf(user), client, manager);
      }
    });
    this.sessions.forgetSessionsOf(user.id);
  }
}
