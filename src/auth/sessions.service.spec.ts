import { clientFixture, userFixture } from '../../test/fixtures/user.fixture';
import { countersOf, Mock, mockOf, newTransactionsMock, NOW, transactionManager } from '../../test/utils';
import { AuditService } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ErrorCode } from '../common/errors/error-code';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { AccessTokenClaims } from '../tokens/access-tokens.service';
import type { SessionRecord } from '../tokens/refresh-tokens.repository';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { Role } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import type { Principal } from './principal';
import { SessionsService } from './sessions.service';

const alice = Object.freeze(userFixture());
const aliceSubject = Object.freeze({ userId: alice.id, username: 'alice' });
const claims = Object.freeze({ sub: alice.id, sid: 'family-1', roles: [Role.User] }) as AccessTokenClaims;
const principal: Principal = Object.freeze({ claims, user: alice });
const session = (id: string): SessionRecord => ({
  id,
  createdAt: NOW,
  lastUsedAt: null,
  expiresAt: NOW,
  ipAddress: null,
  userAgent: null,
});
const notFound = { code: ErrorCode.NotFound, status: 404, message: 'Session not found.' };

describe(SessionsService.name, () => {
  let refreshTokens: Mock<RefreshTokensService>;
  let users: Mock<UsersService>;
  let transactions: Mock<Transactions>;
  let audit: Mock<AuditService>;
  let metrics: Metrics;
  let sut: SessionsService;

  beforeEach(() => {
    refreshTokens = mockOf<RefreshTokensService>();
    refreshTokens.liveSessionsOf.mockResolvedValue([session('family-1'), session('family-2')]);
    refreshTokens.activeSessionUser.mockImplementation((familyId: string, userId: string) =>
      Promise.resolve(userId === alice.id && familyId.startsWith('family-') ? alice : null),
    );
    users = mockOf<UsersService>();
    users.lockActive.mockResolvedValue(true);
    transactions = newTransactionsMock();
    audit = mockOf<AuditService>();
    metrics = new Metrics();
    sut = new SessionsService(refreshTokens, users, transactions, audit, metrics);
  });

  it("lists the caller's live sessions", async () => {
    await expect(sut.list(principal)).resolves.toEqual([session('family-1'), session('family-2')]);
    expect(refreshTokens.liveSessionsOf).toHaveBeenCalledWith(alice.id);
  });

  it("ends one of the caller's live sessions, counts and audits it", async () => {
    await sut.end(principal, 'family-2', clientFixture);

    expect(refreshTokens.revokeFamily).toHaveBeenCalledWith('family-2');
    expect(audit.record).toHaveBeenCalledWith(AuditEventType.SessionEnded, aliceSubject, clientFixture);
    expect(await countersOf(metrics)).toEqual({ 'auth_session_revocations_total{reason="session_delete"}': 1 });
  });

  it('answers 404 for a session that is not among the live ones, and ends nothing', async () => {
    await expect(sut.end(principal, 'someone-elses', clientFixture)).rejects.toMatchObject(notFound);
    expect(refreshTokens.revokeFamily).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
    expect(await countersOf(metrics)).toEqual({});
  });

  it("ends every session under the user's row lock in one transaction, then forgets them", async () => {
    await sut.signOutEverywhere(principal, clientFixture);

    expect(users.lockActive).toHaveBeenCalledWith(alice.id, transactionManager);
    expect(refreshTokens.revokeAllForUser).toHaveBeenCalledWith(alice.id, transactionManager);
    expect(audit.record).toHaveBeenCalledWith(
      AuditEventType.GlobalSignOut,
      aliceSubject,
      clientFixture,
      transactionManager,
    );
    expect(refreshTokens.forgetSessionsOf).toHaveBeenCalledWith(alice.id);
    expect(users.lockActive.mock.invocationCallOrder[0]).toBeLessThan(
      refreshTokens.revokeAllForUser.mock.invocationCallOrder[0],
    );
    expect(await countersOf(metrics)).toEqual({ 'auth_session_revocations_total{reason="global_sign_out"}': 1 });
  });

  it('refuses a user disabled or deleted meanwhile as an invalid token, and changes nothing', async () => {
    users.lockActive.mockResolvedValue(false);
    await expect(sut.signOutEverywhere(principal, clientFixture)).rejects.toMatchObject({
      code: ErrorCode.NotAuthorized,
      status: 401,
    });
    expect(refreshTokens.revokeAllForUser).not.toHaveBeenCalled();
    expect(refreshTokens.forgetSessionsOf).not.toHaveBeenCalled();
    expect(await countersOf(metrics)).toEqual({});
  });
});
