import { Injectable } from '@nestjs/common';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException, invalidAccessToken } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ClientInfo } from '../common/http/client-info';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import type { SessionRecord } from '../tokens/refresh-tokens.repository';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UsersService } from '../users/users.service';
import type { Principal } from './principal';

/** Another user's session, an ended one and an id that names none look alike. */
const sessionNotFound = () => new ApiException(ErrorCode.NotFound, 'Session not found.');

/**
 * A user's own sessions (Cognito's GlobalSignOut and device list): see them, end one, end all.
 * Every ending is forgotten by the guard's cache once committed (on every instance, with
 * REDIS_URL), so the session's access tokens are refused at once.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly refreshTokens: RefreshTokensService,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
  ) {}

  list({ user }: Principal): Promise<SessionRecord[]> {
    return this.refreshTokens.liveSessionsOf(user.id);
  }

  /**
   * 404 unless `sessionId` is one of the caller's live sessions (the guard's own lookup: one
   * primary-key read, or none while cached); the caller's own may be ended too.
   */
  async end({ user }: Principal, sessionId: string, client: ClientInfo): Promise<void> {
    if (!(await this.refreshTokens.activeSessionUser(sessionId, user.id))) throw sessionNotFound();
    await this.refreshTokens.revokeFamily(sessionId);
    this.metrics.revocations.inc({ reason: 'session_delete' });
    await this.audit.record(AuditEventType.SessionEnded, subjectOf(user), client);
  }

  /** Every session of the caller, the current one included, in one transaction on the user's row. */
  async signOutEverywhere({ user }: Principal, client: ClientInfo): Promise<void> {
    await this.transactions.run(async (manager) => {
      // Locked first, as every change to a user's sessions does: two sign-outs, or one and a
      // password change, queue on it instead of meeting on the session rows in two orders.
      if (!(await this.users.lockActive(user.id, manager))) throw invalidAccessToken();
      await this.refreshTokens.revokeAllForUser(user.id, manager);
      await this.audit.record(AuditEventType.GlobalSignOut, subjectOf(user), client, manager);
    });
    this.refreshTokens.forgetSessionsOf(user.id);
    this.metrics.revocations.inc({ reason: 'global_sign_out' });
  }
}
