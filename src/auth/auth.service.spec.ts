import { clientFixture, userFixture } from '../../test/fixtures/user.fixture';
import { countersOf, later, Mock, mockOf, newTransactionsMock, transactionManager } from '../../test/utils';
import { AuditService } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException, BAD_CREDENTIALS } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { AccessTokensService, IssuedTokens } from '../tokens/access-tokens.service';
import { TotpFactorsService } from '../mfa/totp-factors.service';
import { ChallengeSessionsService } from '../tokens/challenge-sessions.service';
import { ChallengeKind } from '../tokens/entities/challenge-session.entity';
import { ChallengeSessionEntity } from '../tokens/entities/challenge-session.entity';
import { RefreshTokenEntity } from '../tokens/entities/refresh-token.entity';
import { RedeemableToken, TokenOwner } from '../tokens/refresh-tokens.repository';
import { IssuedRefreshToken, RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { hashingOverloaded } from '../users/password-hasher.service';
import { PasswordMatch, PreparedPassword, UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { ChallengeName } from './dto/login-response.dto';
import { LoginFailuresPerAddress } from './login-failures-per-address';
import { LoginThrottleService } from './login-throttle.service';

const PASSWORD = 'Correct-Horse-Battery-7';
const alice = Object.freeze(userFixture());
const aliceSubject = Object.freeze({ userId: alice.id, username: 'alice' });
const match: PasswordMatch = Object.freeze({ userId: alice.id });

const accessTokens: IssuedTokens = Object.freeze({ access_token: 'access-jwt', id_token: 'id-jwt', expires_in: 3600 });
const issuedRefresh: IssuedRefreshToken = Object.freeze({
  token: 'token-1.secret-1',
  session: Object.assign(new RefreshTokenEntity(), { id: 'token-1', familyId: 'family-1' }),
});
const sessionTokens = Object.freeze({
  challenge_name: null,
  session: null,
  ...accessTokens,
  refresh_token: 'token-1.secret-1',
  token_type: 'Bearer',
});

const owner: TokenOwner = Object.freeze({
  id: alice.id,
  username: alice.username,
  email: alice.email,
  status: alice.status,
  roles: alice.roles,
});
const presented: RedeemableToken = Object.freeze({
  id: 'token-2',
  familyId: 'family-1',
  tokenHash: 'hash-of-secret-2',
  expiresAt: later(86_400),
  revokedAt: null,
  rotatedAt: null,
  lastUsedAt: null,
  ipAddress: clientFixture.ip,
  user: owner,
});

const invalidRefreshToken = { code: ErrorCode.NotAuthorized, message: 'Invalid refresh token.' };
const invalidSession = { code: ErrorCode.NotAuthorized, message: 'Invalid or expired session.' };
const badCredentials = { code: ErrorCode.NotAuthorized, status: 401, message: BAD_CREDENTIALS };

describe(AuthService.name, () => {
  let users: Mock<UsersService>;
  let access: Mock<AccessTokensService>;
  let refreshTokens: Mock<RefreshTokensService>;
  let challenges: Mock<ChallengeSessionsService>;
  let factors: Mock<TotpFactorsService>;
  let throttle: Mock<LoginThrottleService>;
  let failuresPerAddress: Mock<LoginFailuresPerAddress>;
  let audit: Mock<AuditService>;
  let transactions: Mock<Transactions>;
  let metrics: Metrics;
  let sut: AuthService;

  const build = ({ rotation }: { rotation: boolean }) => {
    refreshTokens = mockOf<RefreshTokensService>({ rotation });
    refreshTokens.issue.mockResolvedValue(issuedRefresh);
    sut = new AuthService(
      users,
      access,
      refreshTokens,
      challenges,
      factors,
      throttle,
      failuresPerAddress,
      audit,
      transactions,
      metrics,
    );
  };

  beforeEach(() => {
    users = mockOf<UsersService>();
    users.canonical.mockImplementation((username) => username.toLowerCase());
    access = mockOf<AccessTokensService>();
    access.issue.mockReturnValue(accessTokens);
    challenges = mockOf<ChallengeSessionsService>();
    factors = mockOf<TotpFactorsService>({ mode: 'optional' });
    throttle = mockOf<LoginThrottleService>();
    throttle.oneAtATime.mockImplementation((_username, check) => check());
    throttle.reserve.mockResolvedValue(0);
    failuresPerAddress = mockOf<LoginFailuresPerAddress>();
    audit = mockOf<AuditService>();
    transactions = newTransactionsMock();
    metrics = new Metrics();
    build({ rotation: false });
  });

  describe('login', () => {
    const login = (password = PASSWORD) => sut.login({ username: 'Alice', password }, clientFixture);

    /** The account exists with `user`'s state; `verified` is what its password check finds. */
    const accountIs = (user: UserEntity, verified: PasswordMatch | null = match) => {
      users.findByUsername.mockResolvedValue(user);
      users.verifyPassword.mockResolvedValue(verified);
      users.lockIfUnchanged.mockResolvedValue(true);
    };

    const expectAttemptKept = () => {
      expect(throttle.clear).not.toHaveBeenCalled();
      expect(failuresPerAddress.release).not.toHaveBeenCalled();
    };

    const expectAttemptGivenBack = () => {
      expect(throttle.clear).toHaveBeenCalledWith('alice');
      expect(failuresPerAddress.release).toHaveBeenCalledWith(clientFixture);
    };

    const expectNoPasswordCheck = () => {
      expect(users.findByUsername).not.toHaveBeenCalled();
      expect(users.verifyPassword).not.toHaveBeenCalled();
      expect(users.verifyUnknownUserPassword).not.toHaveBeenCalled();
    };

    it('starts a session for the right password, gives the attempt back, upgrades the hash and audits the success', async () => {
      accountIs(alice);

      await expect(login()).resolves.toEqual(sessionTokens);

      expect(throttle.oneAtATime).toHaveBeenCalledWith('alice', expect.any(Function));
      expect(users.findByUsername).toHaveBeenCalledWith('alice', { withHash: true });
      expect(users.verifyPassword).toHaveBeenCalledWith(alice, PASSWORD);
      expect(users.lockIfUnchanged).toHaveBeenCalledWith(match, transactionManager);
      expect(refreshTokens.issue).toHaveBeenCalledWith(alice, clientFixture, transactionManager);
      expect(access.issue).toHaveBeenCalledWith(alice, 'family-1');
      expectAttemptGivenBack();
      expect(users.upgradeHash).toHaveBeenCalledWith(match, PASSWORD);
      expect(audit.record).toHaveBeenCalledTimes(1);
      expect(audit.record).toHaveBeenCalledWith(AuditEventType.LoginSucceeded, aliceSubject, clientFixture);
      expect(await countersOf(metrics)).toEqual({ 'auth_login_outcomes_total{outcome="success"}': 1 });
    });

    it('counts the attempt against the address and the account before it checks the password', async () => {
      accountIs(alice);

      await login();

      expect(failuresPerAddress.reserve).toHaveBeenCalledWith(clientFixture);
      expect(throttle.reserve).toHaveBeenCalledWith('alice');
      const [addressCounted] = failuresPerAddress.reserve.mock.invocationCallOrder;
      const [accountCounted] = throttle.reserve.mock.invocationCallOrder;
      const [passwordChecked] = users.verifyPassword.mock.invocationCallOrder;
      expect(addressCounted).toBeLessThan(accountCounted);
      expect(accountCounted).toBeLessThan(passwordChecked);
    });

    it('turns a login away with 503 when no password check could start soon, before anything is counted', async () => {
      const overloaded = hashingOverloaded();
      users.assertHashingCapacity.mockImplementation(() => {
        throw overloaded;
      });

      await expect(login()).rejects.toBe(overloaded);

      expect(throttle.oneAtATime).not.toHaveBeenCalled();
      expect(failuresPerAddress.reserve).not.toHaveBeenCalled();
      expect(throttle.reserve).not.toHaveBeenCalled();
      expectNoPasswordCheck();
      expect(await countersOf(metrics)).toEqual({});
    });

    it('refuses with the address limit’s 429 once the address has used up its failures, audited as a lockout', async () => {
      const spent = new ApiException(ErrorCode.LimitExceeded, 'Too many failed logins from this address.', 120);
      failuresPerAddress.reserve.mockRejectedValue(spent);

      await expect(login()).rejects.toBe(spent);

      expect(audit.record).toHaveBeenCalledWith(AuditEventType.LoginLocked, { username: 'alice' }, clientFixture);
      expect(throttle.reserve).not.toHaveBeenCalled();
      expectNoPasswordCheck();
      expect(await countersOf(metrics)).toEqual({ 'auth_login_outcomes_total{outcome="locked"}': 1 });
    });

    it('refuses with 429 and Retry-After while the account must wait, whatever the password, audited as a lockout', async () => {
      accountIs(alice);
      throttle.reserve.mockResolvedValue(8);

      await expect(login()).rejects.toMatchObject({
        code: ErrorCode.LimitExceeded,
        status: 429,
        retryAfterSeconds: 8,
      });

      expect(audit.record).toHaveBeenCalledTimes(1);
      expect(audit.record).toHaveBeenCalledWith(AuditEventType.LoginLocked, { username: 'alice' }, clientFixture);
      expectNoPasswordCheck();
      // The lockout itself is LoginThrottleService's to count; the login's outcome is this one.
      expect(await countersOf(metrics)).toEqual({ 'auth_login_outcomes_total{outcome="locked"}': 1 });
    });

    it.each([
      ['a database error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
      ['a 503', new ApiException(ErrorCode.ServiceUnavailable, 'Database unavailable.', 1)],
    ])('passes on %s while counting the attempt, and audits no lockout', async (_name, failure) => {
      throttle.reserve.mockRejectedValue(failure);

      await expect(login()).rejects.toBe(failure);

      expect(audit.record).not.toHaveBeenCalled();
      expectNoPasswordCheck();
      expect(await countersOf(metrics)).toEqual({});
    });

    it('answers an unknown user as a wrong password, after one dummy comparison, and keeps the attempt counted', async () => {
      users.findByUsername.mockResolvedValue(null);
      users.verifyUnknownUserPassword.mockResolvedValue(false);

      await expect(login()).rejects.toMatchObject(badCredentials);

      expect(users.verifyUnknownUserPassword).toHaveBeenCalledWith(PASSWORD);
      expect(users.verifyPassword).not.toHaveBeenCalled();
      expect(audit.record).toHaveBeenCalledWith(
        AuditEventType.LoginFailed,
        { userId: undefined, username: 'alice' },
        clientFixture,
      );
      expectAttemptKept();
      expect(transactions.run).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({ 'auth_login_outcomes_total{outcome="failure"}': 1 });
    });

    it('refuses a wrong password with the same 401, audited against the account, and keeps the attempt counted', async () => {
      accountIs(alice, null);

      await expect(login('Wrong-Horse-Battery-7')).rejects.toMatchObject(badCredentials);

      expect(users.verifyUnknownUserPassword).not.toHaveBeenCalled();
      expect(audit.record).toHaveBeenCalledWith(AuditEventType.LoginFailed, aliceSubject, clientFixture);
      expectAttemptKept();
      expect(transactions.run).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({ 'auth_login_outcomes_total{outcome="failure"}': 1 });
    });

    it('refuses a disabled account with the same 401 even for the right password, and starts no session', async () => {
      accountIs(userFixture({ status: UserStatus.Disabled }));

      await expect(login()).rejects.toMatchObject(badCredentials);

      expect(audit.record).toHaveBeenCalledWith(AuditEventType.LoginFailed, aliceSubject, clientFixture);
      expectAttemptKept();
      expect(transactions.run).not.toHaveBeenCalled();
      expect(refreshTokens.issue).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({ 'auth_login_outcomes_total{outcome="failure"}': 1 });
    });

    it('starts no session when the password changed or the account was disabled before its row was locked', async () => {
      accountIs(alice);
      users.lockIfUnchanged.mockResolvedValue(false);

      await expect(login()).rejects.toMatchObject(badCredentials);

      expect(refreshTokens.issue).not.toHaveBeenCalled();
      expect(audit.record).toHaveBeenCalledWith(AuditEventType.LoginFailed, aliceSubject, clientFixture);
      expect(audit.record).not.toHaveBeenCalledWith(
        AuditEventType.LoginSucceeded,
        expect.anything(),
        expect.anything(),
      );
      expectAttemptKept();
      expect(users.upgradeHash).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({ 'auth_login_outcomes_total{outcome="failure"}': 1 });
    });

    describe('with a temporary password', () => {
      const temporary = Object.freeze(
        userFixture({ status: UserStatus.ForceChangePassword, temporaryPasswordExpiresAt: later(3600) }),
      );

      beforeEach(() => {
        accountIs(temporary);
        challenges.start.mockResolvedValue({ session: 'challenge-1.secret', expiresIn: 180 });
      });

      it('answers the right one with the NEW_PASSWORD_REQUIRED challenge and gives the attempt back', async () => {
        users.isTemporaryPasswordExpired.mockReturnValue(false);

        await expect(login()).resolves.toEqual({
          challenge_name: ChallengeName.NewPasswordRequired,
          session: 'challenge-1.secret',
          id_token: null,
          access_token: null,
          refresh_token: null,
          expires_in: 180,
        });

        expect(users.isTemporaryPasswordExpired).toHaveBeenCalledWith(temporary);
        expect(challenges.start).toHaveBeenCalledWith(temporary, ChallengeKind.NewPasswordRequired);
        expectAttemptGivenBack();
        expect(audit.record).toHaveBeenCalledWith(AuditEventType.LoginSucceeded, aliceSubject, clientFixture);
        expect(transactions.run).not.toHaveBeenCalled();
        expect(refreshTokens.issue).not.toHaveBeenCalled();
        expect(await countersOf(metrics)).toEqual({ 'auth_login_outcomes_total{outcome="challenge"}': 1 });
      });

      it('refuses the right one with 401 once it has expired, but still gives the attempt back', async () => {
        users.isTemporaryPasswordExpired.mockReturnValue(true);

        await expect(login()).rejects.toMatchObject({
          code: ErrorCode.NotAuthorized,
          message: expect.stringContaining('Temporary password has expired'),
        });

        expectAttemptGivenBack();
        expect(challenges.start).not.toHaveBeenCalled();
        expect(audit.record).toHaveBeenCalledWith(AuditEventType.LoginFailed, aliceSubject, clientFixture);
        expect(audit.record).not.toHaveBeenCalledWith(
          AuditEventType.LoginSucceeded,
          expect.anything(),
          expect.anything(),
        );
        expect(await countersOf(metrics)).toEqual({ 'auth_login_outcomes_total{outcome="failure"}': 1 });
      });
    });
  });

  describe('completeNewPasswordChallenge', () => {
    const temporary = Object.freeze(userFixture({ status: UserStatus.ForceChangePassword }));
    const prepared: PreparedPassword = Object.freeze({});
    const dto = Object.freeze({ session: 'challenge-1.secret', username: 'alice', new_password: 'Brand-New-Horse-9' });
    const challengeFor = (user: UserEntity) =>
      Object.freeze(Object.assign(new ChallengeSessionEntity(), { id: 'challenge-1', userId: user.id, user }));

    const answer = () => sut.completeNewPasswordChallenge(dto, clientFixture);

    beforeEach(() => {
      challenges.find.mockResolvedValue(challengeFor(temporary));
      challenges.consume.mockResolvedValue(true);
      users.preparePassword.mockResolvedValue(prepared);
      users.verifyPassword.mockResolvedValue(null);
    });

    const expectNothingChanged = () => {
      expect(users.setPassword).not.toHaveBeenCalled();
      expect(refreshTokens.revokeAllForUser).not.toHaveBeenCalled();
      expect(refreshTokens.issue).not.toHaveBeenCalled();
      expect(refreshTokens.forgetSessionsOf).not.toHaveBeenCalled();
      expect(throttle.clear).not.toHaveBeenCalled();
    };

    it('spends the session, sets the password, ends earlier sessions and starts one, all in one transaction', async () => {
      const active = { ...temporary, status: UserStatus.Active };

      await expect(answer()).resolves.toEqual(sessionTokens);

      expect(challenges.find).toHaveBeenCalledWith(dto.session, dto.username, ChallengeKind.NewPasswordRequired);
      expect(users.preparePassword).toHaveBeenCalledWith(dto.new_password, temporary.username);
      expect(transactions.run).toHaveBeenCalledTimes(1);
      expect(challenges.consume).toHaveBeenCalledWith('challenge-1', transactionManager);
      expect(users.setPassword).toHaveBeenCalledWith(temporary.id, prepared, transactionManager);
      expect(refreshTokens.revokeAllForUser).toHaveBeenCalledWith(temporary.id, transactionManager);
      expect(audit.record).toHaveBeenCalledWith(
        AuditEventType.ChallengeAnswered,
        aliceSubject,
        clientFixture,
        transactionManager,
      );
      expect(refreshTokens.issue).toHaveBeenCalledWith(active, clientFixture, transactionManager);
      expect(access.issue).toHaveBeenCalledWith(active, 'family-1');
      expect(await countersOf(metrics)).toEqual({ 'auth_session_revocations_total{reason="challenge"}': 1 });
    });

    it('once committed, forgets the user’s cached sessions and ends a lockout others caused', async () => {
      await answer();

      expect(refreshTokens.forgetSessionsOf).toHaveBeenCalledWith(temporary.id);
      expect(throttle.clear).toHaveBeenCalledWith('alice');
    });

    it('refuses an unknown, spent or expired session with 401', async () => {
      challenges.find.mockResolvedValue(null);

      await expect(answer()).rejects.toMatchObject(invalidSession);

      expect(users.preparePassword).not.toHaveBeenCalled();
      expectNothingChanged();
    });

    it.each([UserStatus.Active, UserStatus.Disabled])(
      'refuses with 401 a session whose user is now %s, needing no new password',
      async (status) => {
        challenges.find.mockResolvedValue(challengeFor(userFixture({ status })));

        await expect(answer()).rejects.toMatchObject(invalidSession);

        expect(users.preparePassword).not.toHaveBeenCalled();
        expectNothingChanged();
      },
    );

    it('leaves the session usable when the policy rejects the new password', async () => {
      const tooCommon = new ApiException(ErrorCode.InvalidPassword, 'Password is too common.');
      users.preparePassword.mockRejectedValue(tooCommon);

      await expect(answer()).rejects.toBe(tooCommon);

      expect(challenges.consume).not.toHaveBeenCalled();
      expect(transactions.run).not.toHaveBeenCalled();
    });

    it('refuses the temporary password itself as the new one, with 400, and leaves the session usable', async () => {
      users.verifyPassword.mockResolvedValue(match);

      await expect(answer()).rejects.toMatchObject({
        code: ErrorCode.InvalidPassword,
        status: 400,
        message: 'The new password must differ from the temporary one.',
      });

      expect(users.verifyPassword).toHaveBeenCalledWith(temporary, dto.new_password);
      expect(challenges.consume).not.toHaveBeenCalled();
      expectNothingChanged();
    });

    it('refuses with 401 a session a concurrent answer spent first, and changes nothing', async () => {
      challenges.consume.mockResolvedValue(false);

      await expect(answer()).rejects.toMatchObject(invalidSession);

      expectNothingChanged();
      expect(audit.record).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({});
    });
  });

  describe('refresh', () => {
    const dto = Object.freeze({ username: 'Alice', refresh_token: 'token-2.secret-2' });
    const refresh = (username: string = dto.username) => sut.refresh({ ...dto, username }, clientFixture);

    it('refuses an unknown, expired or revoked token with 401', async () => {
      refreshTokens.redeem.mockResolvedValue({ outcome: 'invalid' });

      await expect(refresh()).rejects.toMatchObject(invalidRefreshToken);

      expect(refreshTokens.redeem).toHaveBeenCalledWith(dto.refresh_token);
      expect(access.issue).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({ 'auth_token_refreshes_total{outcome="invalid"}': 1 });
    });

    it.each(['valid', 'reused'] as const)(
      'refuses a %s token presented under another username with 401, and leaves its session alone',
      async (outcome) => {
        refreshTokens.redeem.mockResolvedValue({ outcome, token: presented });

        await expect(refresh('bob')).rejects.toMatchObject(invalidRefreshToken);

        expect(refreshTokens.revokeFamily).not.toHaveBeenCalled();
        expect(refreshTokens.recordUse).not.toHaveBeenCalled();
        expect(transactions.run).not.toHaveBeenCalled();
        expect(audit.record).not.toHaveBeenCalled();
        expect(await countersOf(metrics)).toEqual({ 'auth_token_refreshes_total{outcome="invalid"}': 1 });
      },
    );

    it('revokes the whole session when a token rotated out of its grace window comes back, and audits the reuse', async () => {
      refreshTokens.redeem.mockResolvedValue({ outcome: 'reused', token: presented });

      await expect(refresh()).rejects.toMatchObject(invalidRefreshToken);

      expect(refreshTokens.revokeFamily).toHaveBeenCalledWith('family-1');
      expect(audit.record).toHaveBeenCalledWith(AuditEventType.RefreshTokenReused, aliceSubject, clientFixture);
      expect(access.issue).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({
        'auth_token_refreshes_total{outcome="reused"}': 1,
        'auth_session_revocations_total{reason="reuse"}': 1,
      });
    });

    describe('without rotation', () => {
      beforeEach(() => refreshTokens.redeem.mockResolvedValue({ outcome: 'valid', token: presented }));

      it('issues new access and id tokens for the session, and no refresh token', async () => {
        refreshTokens.recordUse.mockResolvedValue({ noteworthy: false });

        const refreshed = await refresh();

        expect(refreshed).toEqual({ ...accessTokens, token_type: 'Bearer' });
        expect(refreshed).not.toHaveProperty('refresh_token');
        expect(refreshTokens.recordUse).toHaveBeenCalledWith(presented, clientFixture);
        expect(access.issue).toHaveBeenCalledWith(owner, 'family-1');
        expect(audit.recordSoon).not.toHaveBeenCalled();
        expect(transactions.run).not.toHaveBeenCalled();
        expect(refreshTokens.rotate).not.toHaveBeenCalled();
        expect(await countersOf(metrics)).toEqual({ 'auth_token_refreshes_total{outcome="success"}': 1 });
      });

      it('audits a use the token records as noteworthy (another address, or the first in a minute)', async () => {
        refreshTokens.recordUse.mockResolvedValue({ noteworthy: true });

        await expect(refresh()).resolves.toEqual({ ...accessTokens, token_type: 'Bearer' });

        expect(audit.recordSoon).toHaveBeenCalledWith(AuditEventType.TokenRefreshed, aliceSubject, clientFixture);
      });
    });

    describe('with rotation', () => {
      beforeEach(() => {
        build({ rotation: true });
        refreshTokens.redeem.mockResolvedValue({ outcome: 'valid', token: presented });
        users.lockActive.mockResolvedValue(true);
      });

      it('rotates the token while holding its owner’s row, and hands back the successor with new tokens', async () => {
        refreshTokens.rotate.mockResolvedValue({ outcome: 'rotated', refreshToken: 'token-3.secret-3' });

        await expect(refresh()).resolves.toEqual({
          ...accessTokens,
          refresh_token: 'token-3.secret-3',
          token_type: 'Bearer',
        });

        expect(users.lockActive).toHaveBeenCalledWith(owner.id, transactionManager);
        expect(refreshTokens.rotate).toHaveBeenCalledWith(
          presented,
          dto.refresh_token,
          clientFixture,
          transactionManager,
        );
        expect(users.lockActive.mock.invocationCallOrder[0]).toBeLessThan(
          refreshTokens.rotate.mock.invocationCallOrder[0],
        );
        expect(access.issue).toHaveBeenCalledWith(owner, 'family-1');
        expect(audit.recordSoon).toHaveBeenCalledWith(AuditEventType.TokenRefreshed, aliceSubject, clientFixture);
        expect(refreshTokens.recordUse).not.toHaveBeenCalled();
        expect(await countersOf(metrics)).toEqual({ 'auth_token_refreshes_total{outcome="success"}': 1 });
      });

      it('refuses with 401, without rotating, a token whose owner is gone or disabled', async () => {
        users.lockActive.mockResolvedValue(false);

        await expect(refresh()).rejects.toMatchObject(invalidRefreshToken);

        expect(refreshTokens.rotate).not.toHaveBeenCalled();
        expect(access.issue).not.toHaveBeenCalled();
        expect(await countersOf(metrics)).toEqual({ 'auth_token_refreshes_total{outcome="invalid"}': 1 });
      });

      it('refuses with 401 a token the rotation finds revoked meanwhile', async () => {
        refreshTokens.rotate.mockResolvedValue({ outcome: 'invalid' });

        await expect(refresh()).rejects.toMatchObject(invalidRefreshToken);

        expect(access.issue).not.toHaveBeenCalled();
        expect(refreshTokens.forgetSession).not.toHaveBeenCalled();
        expect(audit.recordSoon).not.toHaveBeenCalled();
        expect(await countersOf(metrics)).toEqual({ 'auth_token_refreshes_total{outcome="invalid"}': 1 });
      });

      it('forgets the session the rotation revoked for a reuse, and audits the reuse', async () => {
        refreshTokens.rotate.mockResolvedValue({ outcome: 'reused' });

        await expect(refresh()).rejects.toMatchObject(invalidRefreshToken);

        expect(refreshTokens.forgetSession).toHaveBeenCalledWith('family-1');
        expect(refreshTokens.revokeFamily).not.toHaveBeenCalled();
        expect(audit.record).toHaveBeenCalledWith(AuditEventType.RefreshTokenReused, aliceSubject, clientFixture);
        expect(access.issue).not.toHaveBeenCalled();
        expect(await countersOf(metrics)).toEqual({
          'auth_token_refreshes_total{outcome="reused"}': 1,
          'auth_session_revocations_total{reason="reuse"}': 1,
        });
      });
    });
  });

  describe('revoke', () => {
    it('revokes the token’s session and audits it against its owner', async () => {
      refreshTokens.revoke.mockResolvedValue(owner);

      await expect(sut.revoke('token-2.secret-2', clientFixture)).resolves.toBeUndefined();

      expect(refreshTokens.revoke).toHaveBeenCalledWith('token-2.secret-2');
      expect(audit.record).toHaveBeenCalledWith(AuditEventType.TokenRevoked, aliceSubject, clientFixture);
      expect(await countersOf(metrics)).toEqual({ 'auth_session_revocations_total{reason="token_revoke"}': 1 });
    });

    it('accepts a token that is not ours without auditing anything', async () => {
      refreshTokens.revoke.mockResolvedValue(undefined);

      await expect(sut.revoke('not-a-token', clientFixture)).resolves.toBeUndefined();

      expect(audit.record).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({});
    });
  });
});
