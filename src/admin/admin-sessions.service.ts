import { Injectable } from '@nestjs/common';
import { AuditService, subjectOf } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ClientInfo } from '../common/http/client-info';
import { Metrics } from '../metrics/metrics';
import type { SessionRecord } from '../tokens/refresh-tokens.repository';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import type { AdminActor } from './admin-actor';
import { AdminUsersService } from './admin-users.service';

/** A user's live sessions as operators see and end them. */
@Injectable()
export class AdminSessionsService {
  constructor(
    private readonly accounts: AdminUsersService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
  ) {}

  async list(username: string): Promise<SessionRecord[]> {
    const user = await this.accounts.find(username);
    return this.refreshTokens.liveSessionsOf(user.id);
  }

  /** 404 unless `sessionId` is one of that user's live sessions; the user's others go on. */
  async end(username: string, sessionId: string, { actor }: AdminActor, client: ClientInfo): Promise<void> {
    const user = await this.accounts.find(username);
    if (!(await this.refreshTokens.activeSessionUser(sessionId, user.id))) {
      throw new ApiException(ErrorCode.NotFound, 'Session not found.');
    }
    await this.refreshTokens.revokeFamily(sessionId);
    this.metrics.revocations.inc({ reason: 'admin_session_delete' });
    await this.audit.record(AuditEventType.UserSessionEnded, { ...subjectOf(user), actor }, client);
  }
}
