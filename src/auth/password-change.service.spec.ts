import { clientFixture, userFixture } from '../../test/fixtures/user.fixture';
import { countersOf, Mock, mockOf, newTransactionsMock, NOW, transactionManager } from '../../test/utils';
import { AuditService } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException, invalidAccessToken } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { AccessTokenClaims, AccessTokensService } from '../tokens/access-tokens.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { Role } from '../users/entities/user.entity';
import { hashingOverloaded } from '../users/password-hasher.service';
import { PasswordMatch, PreparedPassword, UsersService } from '../users/users.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordChangeService } from './password-change.service';
import { PasswordChangedNotifier } from './password-changed-notifier';

const alice = Object.freeze(userFixture());
const aliceSubject = Object.freeze({ userId: alice.id, username: 'alice' });
const claims: AccessTokenClaims = Object.freeze({
  sub: alice.id,
  token_use: 'access',
  sid: 'family-1',
  username: 'alice',
  roles: [Role.User],
  iat: NOW.getTime() / 1000,
  exp: NOW.getTime() / 1000 + 3600,
});
const match: PasswordMatch = Object.freeze({ userId: alice.id });
const prepared: PreparedPassword = Object.freeze({});
const dto: Readonly<ChangePasswordDto & { access_token: string }> = Object.freeze({
  access_token: 'access-jwt',
  previous_password: 'Old-Horse-Battery-7',
  proposed_password: 'New-Horse-Battery-8',
});
const incorrectPassword = { code: ErrorCode.NotAuthorized, status: 401, message: 'Incorrect password.' };

describe(PasswordChangeService.name, () => {
  let users: Mock<UsersService>;
  let accessTokens: Mock<AccessTokensService>;
  let refreshTokens: Mock<RefreshTokensService>;
  let throttle: Mock<LoginThrottleService>;
  let notifier: Mock<PasswordChangedNotifier>;
  let audit: Mock<AuditService>;
  let transactions: Mock<Transactions>;
  let metrics: Metrics;
  let sut: PasswordChangeService;

  const change = (overrides: Partial<typeof dto> = {}) => sut.change({ ...dto, ...overrides }, clientFixture);

  const expectNothingChanged = () => {
    expect(transactions.run).not.toHaveBeenCalled();
    expect(users.setPassword).not.toHaveBeenCalled();
    expect(refreshTokens.revokeAllForUser).not.toHaveBeenCalled();
    expect(notifier.enqueue).not.toHaveBeenCalled();
    expect(refreshTokens.forgetSessionsOf).not.toHaveBeenCalled();
    expect(notifier.deliverSoon).not.toHaveBeenCalled();
  };

  const expectNoPasswordCheck = () => {
    expect(throttle.reserve).not.toHaveBeenCalled();
    expect(users.verifyPassword).not.toHaveBeenCalled();
  };

  beforeEach(() => {
    users = mockOf<UsersService>();
    users.verifyPassword.mockResolvedValue(match);
    users.preparePassword.mockResolvedValue(prepared);
    users.setPassword.mockResolvedValue(true);
    accessTokens = mockOf<AccessTokensService>();
    accessTokens.verifyAccessToken.mockReturnValue(claims);
    refreshTokens = mockOf<RefreshTokensService>();
    refreshTokens.activeSessionUser.mockResolvedValue(alice);
    throttle = mockOf<LoginThrottleService>();
    throttle.oneAtATime.mockImplementation((_username, check) => check());
    throttle.reserve.mockResolvedValue(0);
    notifier = mockOf<PasswordChangedNotifier>();
    audit = mockOf<AuditService>();
    transactions = newTransactionsMock();
    metrics = new Metrics();
    sut = new PasswordChangeService(
      users,
      accessTokens,
      refreshTokens,
      throttle,
      notifier,
      audit,
      transactions,
      metrics,
    );
  });

  it('sets the proposed password in place of the one checked, and ends every other session, in one transaction', async () => {
    await expect(change()).resolves.toBeUndefined();

    expect(accessTokens.verifyAccessToken).toHaveBeenCalledWith(dto.access_token);
    expect(refreshTokens.activeSessionUser).toHaveBeenCalledWith('family-1', alice.id);
    expect(users.verifyPassword).toHaveBeenCalledWith(alice, dto.previous_password);
    expect(users.preparePassword).toHaveBeenCalledWith(dto.proposed_password, 'alice');
    expect(transactions.run).toHaveBeenCalledTimes(1);
    expect(users.setPassword).toHaveBeenCalledWith(alice.id, prepared, transactionManager, match);
    expect(refreshTokens.revokeAllForUser).toHaveBeenCalledWith(alice.id, transactionManager, {
      exceptFamilyId: 'family-1',
    });
    expect(notifier.enqueue).toHaveBeenCalledWith(alice.id, 'changed', transactionManager);
    expect(audit.record).toHaveBeenCalledTimes(1);
    expect(audit.record).toHaveBeenCalledWith(
      AuditEventType.PasswordChanged,
      aliceSubject,
      clientFixture,
      transactionManager,
    );
  });

  it('once committed, forgets the user’s cached sessions and wakes the outbox for the notice', async () => {
    await change();

    expect(refreshTokens.forgetSessionsOf).toHaveBeenCalledWith(alice.id);
    expect(notifier.deliverSoon).toHaveBeenCalledTimes(1);
    expect(refreshTokens.forgetSessionsOf.mock.invocationCallOrder[0]).toBeGreaterThan(
      audit.record.mock.invocationCallOrder[0],
    );
    expect(await countersOf(metrics)).toEqual({ 'auth_session_revocations_total{reason="password_change"}': 1 });
  });

  it('checks the previous password under the account’s login brake, one check at a time, and clears it on a match', async () => {
    await change();

    expect(throttle.oneAtATime).toHaveBeenCalledWith('alice', expect.any(Function));
    expect(throttle.reserve).toHaveBeenCalledWith('alice');
    expect(throttle.clear).toHaveBeenCalledWith('alice');
    const [counted] = throttle.reserve.mock.invocationCallOrder;
    const [checked] = users.verifyPassword.mock.invocationCallOrder;
    const [cleared] = throttle.clear.mock.invocationCallOrder;
    expect(counted).toBeLessThan(checked);
    expect(checked).toBeLessThan(cleared);
  });

  it('passes on the 401 of an access token that does not verify, and checks nothing', async () => {
    const invalid = invalidAccessToken();
    accessTokens.verifyAccessToken.mockImplementation(() => {
      throw invalid;
    });

    await expect(change()).rejects.toBe(invalid);

    expect(refreshTokens.activeSessionUser).not.toHaveBeenCalled();
    expectNoPasswordCheck();
    expectNothingChanged();
  });

  it('refuses with 401 an access token whose session has ended, before any password check', async () => {
    refreshTokens.activeSessionUser.mockResolvedValue(null);

    await expect(change()).rejects.toMatchObject({
      code: ErrorCode.NotAuthorized,
      message: 'Invalid or expired access token.',
    });

    expect(users.assertHashingCapacity).not.toHaveBeenCalled();
    expectNoPasswordCheck();
    expectNothingChanged();
  });

  it('turns the change away with 503 when no password check could start soon, before the attempt is counted', async () => {
    const overloaded = hashingOverloaded();
    users.assertHashingCapacity.mockImplementation(() => {
      throw overloaded;
    });

    await expect(change()).rejects.toBe(overloaded);

    expect(throttle.oneAtATime).not.toHaveBeenCalled();
    expectNoPasswordCheck();
    expectNothingChanged();
  });

  it('refuses with 429 and Retry-After while the account must wait, without checking the password', async () => {
    throttle.reserve.mockResolvedValue(16);

    await expect(change()).rejects.toMatchObject({
      code: ErrorCode.LimitExceeded,
      status: 429,
      retryAfterSeconds: 16,
    });

    expect(users.verifyPassword).not.toHaveBeenCalled();
    expect(throttle.clear).not.toHaveBeenCalled();
    expectNothingChanged();
  });

  it('refuses a wrong previous password with 401, audited, and keeps the attempt counted', async () => {
    users.verifyPassword.mockResolvedValue(null);

    await expect(change()).rejects.toMatchObject(incorrectPassword);

    expect(audit.record).toHaveBeenCalledWith(AuditEventType.PasswordChangeFailed, aliceSubject, clientFixture);
    expect(throttle.clear).not.toHaveBeenCalled();
    expect(users.preparePassword).not.toHaveBeenCalled();
    expectNothingChanged();
  });

  it.each([
    ['the same password', dto.previous_password],
    ['the same password in another Unicode form', 'Ｏｌｄ-Ｈｏｒｓｅ-Ｂａｔｔｅｒｙ-７'],
  ])('refuses %s as the proposed one with 400, after the previous one matched', async (_name, proposed) => {
    await expect(change({ proposed_password: proposed })).rejects.toMatchObject({
      code: ErrorCode.InvalidPassword,
      status: 400,
      message: 'The new password must differ from the current one.',
    });

    expect(throttle.clear).toHaveBeenCalledWith('alice');
    expect(users.preparePassword).not.toHaveBeenCalled();
    expectNothingChanged();
  });

  it('passes on the policy’s 400 for the proposed password and changes nothing', async () => {
    const tooCommon = new ApiException(ErrorCode.InvalidPassword, 'Password is too common.');
    users.preparePassword.mockRejectedValue(tooCommon);

    await expect(change()).rejects.toBe(tooCommon);

    expectNothingChanged();
  });

  it('refuses with 401, as a wrong password, when a racing change replaced the previous password first', async () => {
    users.setPassword.mockResolvedValue(false);

    await expect(change()).rejects.toMatchObject(incorrectPassword);

    expect(users.setPassword).toHaveBeenCalledWith(alice.id, prepared, transactionManager, match);
    expect(refreshTokens.revokeAllForUser).not.toHaveBeenCalled();
    expect(notifier.enqueue).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
    expect(refreshTokens.forgetSessionsOf).not.toHaveBeenCalled();
    expect(notifier.deliverSoon).not.toHaveBeenCalled();
    expect(await countersOf(metrics)).toEqual({});
  });
});
