import { configFixture } from '../../test/fixtures/config.fixture';
import { clientFixture, userFixture } from '../../test/fixtures/user.fixture';
import { countersOf, mockOf, newTransactionsMock, NOW, transactionManager, withFixedClock } from '../../test/utils';
import { AuditService } from '../audit/audit.service';
import { AuditEventType } from '../audit/entities/audit-event.entity';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { Metrics } from '../metrics/metrics';
import { OutboxKind } from '../mail/entities/outbox-message.entity';
import { MailService } from '../mail/mail.service';
import { OutboxHandler, OutboxService } from '../mail/outbox.service';
import { ConfirmationCodesService, MAX_CODE_ATTEMPTS } from '../tokens/confirmation-codes.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { canonicalUsername } from '../users/username';
import { PreparedPassword, UsersService } from '../users/users.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordChangedNotifier } from './password-changed-notifier';
import { PasswordResetService } from './password-reset.service';
import { Limit, RateLimiterService } from './rate-limiter.service';
import { RateLimitEntity } from './entities/rate-limit.entity';

const CODE_TTL_SECONDS = 420;
const alice = Object.freeze(userFixture());
const disabled = Object.freeze(userFixture({ status: UserStatus.Disabled }));
const PREPARED: PreparedPassword = Object.freeze({});
const NEW_PASSWORD = 'Correct-Horse-Battery-7';
const request = Object.freeze({ username: 'Ａlice', confirmation_code: '6MadrbRF', password: NEW_PASSWORD });
const limited = () => new ApiException(ErrorCode.LimitExceeded, 'Too many requests for this account.', 1800);
/** A 400 refusal with `code`, as `refusalOf` sees it. */
const badRequest = (code: ErrorCode) => ({ code, status: 400, retryAfterSeconds: undefined });
/** The audit record of a failed confirmation for alice. */
const resetFailed = (userId: string | undefined) =>
  [AuditEventType.PasswordResetFailed, { userId, username: 'alice' }, clientFixture] as const;

/** What a caller sees of a refusal: the ApiException's code, HTTP status and Retry-After. */
async function refusalOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    return { code: error.code, status: error.getStatus(), retryAfterSeconds: error.retryAfterSeconds };
  }
  throw new Error('expected a refusal, got a result');
}

function setup() {
  const users = mockOf<UsersService>();
  users.canonical.mockImplementation(canonicalUsername);
  const codes = mockOf<ConfirmationCodesService>({ ttlSeconds: CODE_TTL_SECONDS });
  const refreshTokens = mockOf<RefreshTokensService>();
  const outbox = mockOf<OutboxService>();
  const mail = mockOf<MailService>();
  const notifier = mockOf<PasswordChangedNotifier>();
  const limiter = mockOf<RateLimiterService>({ define: jest.fn((limit: Limit) => limit) });
  const throttle = mockOf<LoginThrottleService>();
  const audit = mockOf<AuditService>();
  const transactions = newTransactionsMock();
  const config = configFixture.auth({ forgotPasswordPerHour: 3, forgotPasswordConfirmPerHour: 7 });
  const metrics = new Metrics();
  const sut = new PasswordResetService(
    users,
    codes,
    refreshTokens,
    outbox,
    mail,
    notifier,
    limiter,
    throttle,
    audit,
    transactions,
    config,
    metrics,
  );
  /** A limit the service defined, by name. */
  const limit = (name: string) => limiter.define.mock.calls.map(([defined]) => defined).find((l) => l.name === name)!;
  return {
    sut,
    users,
    codes,
    refreshTokens,
    outbox,
    mail,
    notifier,
    limiter,
    throttle,
    audit,
    transactions,
    metrics,
    limit,
  };
}

/** Set up for a confirmation that succeeds unless a test changes one answer. */
function confirming(user: UserEntity | null = alice) {
  const context = setup();
  context.users.findByUsername.mockResolvedValue(user);
  context.limiter.current.mockResolvedValue(null);
  context.codes.check.mockResolvedValue('valid');
  context.users.preparePassword.mockResolvedValue(PREPARED);
  context.codes.consume.mockResolvedValue(true);
  return context;
}

describe(PasswordResetService.name, () => {
  withFixedClock();

  it('defines its limits: requests per username, confirmations per username and address, wrong codes per code', () => {
    const { limiter } = setup();

    expect(limiter.define.mock.calls.map(([limit]) => limit)).toEqual([
      expect.objectContaining({ name: 'forgot-password', max: 3, windowSeconds: 3600 }),
      expect.objectContaining({ name: 'forgot-password-confirm', max: 7, windowSeconds: 3600 }),
      expect.objectContaining({ name: 'wrong-code', max: MAX_CODE_ATTEMPTS, windowSeconds: CODE_TTL_SECONDS }),
    ]);
  });

  describe('request', () => {
    it.each([
      ['a known user', alice],
      ['an unknown username', null],
      ['a disabled user', disabled],
    ])('records a request for %s in one transaction and wakes the outbox, looking nobody up', async (_name, user) => {
      const { sut, users, limiter, outbox, audit, transactions, limit } = setup();
      users.findByUsername.mockResolvedValue(user);

      await expect(sut.request('ＡLICE', clientFixture)).resolves.toBeUndefined();

      expect(limiter.consume).toHaveBeenCalledWith(limit('forgot-password'), 'alice');
      expect(transactions.run).toHaveBeenCalledTimes(1);
      expect(outbox.enqueue).toHaveBeenCalledWith(
        OutboxKind.PasswordResetCode,
        { username: 'alice' },
        transactionManager,
      );
      expect(audit.record).toHaveBeenCalledWith(
        AuditEventType.PasswordResetRequested,
        { username: 'alice' },
        clientFixture,
        transactionManager,
      );
      expect(outbox.nudge).toHaveBeenCalledTimes(1);
      expect(outbox.enqueue.mock.invocationCallOrder[0]).toBeLessThan(outbox.nudge.mock.invocationCallOrder[0]);
      expect(users.findByUsername).not.toHaveBeenCalled();
    });

    it('passes on the per-username 429 and records nothing', async () => {
      const { sut, limiter, outbox, audit, transactions } = setup();
      const refusal = limited();
      limiter.consume.mockRejectedValue(refusal);

      await expect(sut.request('alice', clientFixture)).rejects.toBe(refusal);
      expect(transactions.run).not.toHaveBeenCalled();
      expect(outbox.enqueue).not.toHaveBeenCalled();
      expect(audit.record).not.toHaveBeenCalled();
      expect(outbox.nudge).not.toHaveBeenCalled();
    });

    it('does not wake the outbox when the transaction fails', async () => {
      const { sut, outbox, audit } = setup();
      const failure = new Error('database down');
      audit.record.mockRejectedValue(failure);

      await expect(sut.request('alice', clientFixture)).rejects.toBe(failure);
      expect(outbox.nudge).not.toHaveBeenCalled();
    });
  });

  describe('confirm', () => {
    /** Expects `refusal` passed on before the user is looked up or the code checked, and no password set. */
    async function expectRefusedBeforeChecks(context: ReturnType<typeof confirming>, refusal: ApiException) {
      await expect(context.sut.confirm(request, clientFixture)).rejects.toBe(refusal);
      expect(context.users.findByUsername).not.toHaveBeenCalled();
      expect(context.codes.check).not.toHaveBeenCalled();
      expect(context.users.setPassword).not.toHaveBeenCalled();
    }

    /** Expects no trace of a reset: no password set, no session ended, nothing audited, no lockout cleared. */
    function expectNoReset({ users, refreshTokens, audit, throttle }: ReturnType<typeof confirming>) {
      expect(users.setPassword).not.toHaveBeenCalled();
      expect(refreshTokens.revokeAllForUser).not.toHaveBeenCalled();
      expect(audit.record).not.toHaveBeenCalled();
      expect(throttle.clear).not.toHaveBeenCalled();
    }

    it('sets the password, spends the code, ends every session and enqueues the notice in one transaction', async () => {
      const { sut, users, codes, refreshTokens, notifier, audit, transactions } = confirming();

      await expect(sut.confirm(request, clientFixture)).resolves.toBeUndefined();

      expect(codes.check).toHaveBeenCalledWith(alice.id, '6MadrbRF');
      expect(users.preparePassword).toHaveBeenCalledWith(NEW_PASSWORD, alice.username);
      expect(transactions.run).toHaveBeenCalledTimes(1);
      expect(codes.consume).toHaveBeenCalledWith(alice.id, transactionManager);
      expect(users.setPassword).toHaveBeenCalledWith(alice.id, PREPARED, transactionManager);
      expect(refreshTokens.revokeAllForUser).toHaveBeenCalledWith(alice.id, transactionManager);
      expect(notifier.enqueue).toHaveBeenCalledWith(alice.id, 'reset', transactionManager);
      expect(audit.record).toHaveBeenCalledWith(
        AuditEventType.PasswordReset,
        { userId: alice.id, username: alice.username },
        clientFixture,
        transactionManager,
      );
    });

    it('hashes the new password before the transaction opens', async () => {
      const { sut, users, transactions } = confirming();

      await sut.confirm(request, clientFixture);

      expect(users.preparePassword.mock.invocationCallOrder[0]).toBeLessThan(
        transactions.run.mock.invocationCallOrder[0],
      );
    });

    it('once committed, forgets the cached sessions, clears the login lockout and wakes the outbox', async () => {
      const { sut, refreshTokens, throttle, notifier, audit, limiter, metrics } = confirming();

      await sut.confirm(request, clientFixture);

      expect(await countersOf(metrics)).toEqual({ 'auth_session_revocations_total{reason="password_reset"}': 1 });
      expect(refreshTokens.forgetSessionsOf).toHaveBeenCalledWith(alice.id);
      expect(throttle.clear).toHaveBeenCalledWith(alice.username);
      expect(notifier.deliverSoon).toHaveBeenCalledTimes(1);
      const committed = audit.record.mock.invocationCallOrder[0];
      expect(refreshTokens.forgetSessionsOf.mock.invocationCallOrder[0]).toBeGreaterThan(committed);
      expect(notifier.deliverSoon.mock.invocationCallOrder[0]).toBeGreaterThan(committed);
      expect(limiter.hit).not.toHaveBeenCalled();
    });

    it('counts the confirmation per username and client address', async () => {
      const { sut, limiter, limit } = confirming();

      await sut.confirm(request, clientFixture);

      expect(limiter.consume).toHaveBeenCalledWith(limit('forgot-password-confirm'), 'alice 203.0.113.7');
    });

    it('passes on the confirm limit’s 429 before it checks anything', async () => {
      const context = confirming();
      const refusal = limited();
      context.limiter.consume.mockRejectedValue(refusal);

      await expectRefusedBeforeChecks(context, refusal);
      expect(context.limiter.assertAllowance).not.toHaveBeenCalled();
    });

    it.each([
      ['a username with no request in the window', null, clientFixture.ip, 'alice - 203.0.113.7'],
      [
        'the second request’s code',
        { windowStartedAt: NOW, hits: 2 },
        clientFixture.ip,
        `alice ${NOW.getTime().toString(36)}.2 203.0.113.7`,
      ],
      [
        'the next request’s code',
        { windowStartedAt: NOW, hits: 3 },
        clientFixture.ip,
        `alice ${NOW.getTime().toString(36)}.3 203.0.113.7`,
      ],
      [
        'another address',
        { windowStartedAt: NOW, hits: 2 },
        '198.51.100.9',
        `alice ${NOW.getTime().toString(36)}.2 198.51.100.9`,
      ],
      ['a client without an address', null, null, 'alice - unknown'],
    ])('counts wrong codes per code and address: %s', async (_name, requests, ip, key) => {
      const { sut, limiter, codes, limit } = confirming();
      limiter.current.mockResolvedValue(requests as RateLimitEntity | null);
      codes.check.mockResolvedValue('mismatch');

      await expect(refusalOf(sut.confirm(request, { ...clientFixture, ip }))).resolves.toMatchObject({
        code: ErrorCode.CodeMismatch,
      });
      expect(limiter.current).toHaveBeenCalledWith(limit('forgot-password'), 'alice');
      expect(limiter.assertAllowance).toHaveBeenCalledWith(limit('wrong-code'), key);
      expect(limiter.hit).toHaveBeenCalledWith(limit('wrong-code'), key);
    });

    it('refuses with the wrong-code limit’s 429 before it looks at the code', async () => {
      const context = confirming();
      const refusal = new ApiException(ErrorCode.LimitExceeded, 'Too many wrong confirmation codes.', 300);
      context.limiter.assertAllowance.mockRejectedValue(refusal);

      await expectRefusedBeforeChecks(context, refusal);
      expect(context.limiter.hit).not.toHaveBeenCalled();
    });

    it('refuses a wrong code with 400 CodeMismatch, counts it and records the failure', async () => {
      const { sut, codes, limiter, audit, users, transactions, throttle, limit } = confirming();
      codes.check.mockResolvedValue('mismatch');

      await expect(refusalOf(sut.confirm(request, clientFixture))).resolves.toEqual(badRequest(ErrorCode.CodeMismatch));
      expect(limiter.hit).toHaveBeenCalledWith(limit('wrong-code'), 'alice - 203.0.113.7');
      expect(audit.record).toHaveBeenCalledWith(...resetFailed(alice.id));
      expect(users.preparePassword).not.toHaveBeenCalled();
      expect(transactions.run).not.toHaveBeenCalled();
      expect(throttle.clear).not.toHaveBeenCalled();
    });

    it('refuses the right but expired code with 400 ExpiredCode, without counting it as wrong', async () => {
      const { sut, codes, limiter, audit, users, transactions } = confirming();
      codes.check.mockResolvedValue('expired');

      await expect(refusalOf(sut.confirm(request, clientFixture))).resolves.toEqual(badRequest(ErrorCode.ExpiredCode));
      expect(limiter.hit).not.toHaveBeenCalled();
      expect(audit.record).toHaveBeenCalledWith(...resetFailed(alice.id));
      expect(users.preparePassword).not.toHaveBeenCalled();
      expect(transactions.run).not.toHaveBeenCalled();
    });

    it.each([
      ['an unknown username', null, undefined],
      ['a disabled user (even with the right code)', disabled, disabled.id],
    ])('answers %s as a wrong code, without checking the code', async (_name, user, userId) => {
      const { sut, codes, limiter, audit, users, limit } = confirming(user);

      await expect(refusalOf(sut.confirm(request, clientFixture))).resolves.toEqual(badRequest(ErrorCode.CodeMismatch));
      expect(users.findByUsername).toHaveBeenCalledWith('alice');
      expect(codes.check).not.toHaveBeenCalled();
      expect(limiter.hit).toHaveBeenCalledWith(limit('wrong-code'), 'alice - 203.0.113.7');
      expect(audit.record).toHaveBeenCalledWith(...resetFailed(userId));
      expect(users.setPassword).not.toHaveBeenCalled();
    });

    it('passes on a password the policy refuses without spending the code or counting a wrong one', async () => {
      const context = confirming();
      const { sut, users, codes, limiter, transactions } = context;
      const refusal = new ApiException(ErrorCode.InvalidPassword, 'Password is too common.');
      users.preparePassword.mockRejectedValue(refusal);

      await expect(sut.confirm(request, clientFixture)).rejects.toBe(refusal);
      expect(transactions.run).not.toHaveBeenCalled();
      expect(codes.consume).not.toHaveBeenCalled();
      expect(limiter.hit).not.toHaveBeenCalled();
      expectNoReset(context);
    });

    it('refuses with 400 ExpiredCode, changing nothing, when a concurrent confirmation spent the code first', async () => {
      const context = confirming();
      const { sut, codes, refreshTokens, notifier, metrics } = context;
      codes.consume.mockResolvedValue(false);

      await expect(refusalOf(sut.confirm(request, clientFixture))).resolves.toEqual(badRequest(ErrorCode.ExpiredCode));
      expectNoReset(context);
      expect(await countersOf(metrics)).toEqual({});
      expect(notifier.enqueue).not.toHaveBeenCalled();
      expect(refreshTokens.forgetSessionsOf).not.toHaveBeenCalled();
      expect(notifier.deliverSoon).not.toHaveBeenCalled();
    });
  });

  describe('the password-reset-code outbox handler', () => {
    /** The handler `onModuleInit` registered for password-reset codes. */
    function deliverCode(outbox: ReturnType<typeof setup>['outbox']): OutboxHandler {
      const registered = outbox.handle.mock.calls.find(([kind]) => kind === OutboxKind.PasswordResetCode);
      return registered![1];
    }

    it('is registered with the outbox on module init', () => {
      const { sut, outbox } = setup();

      sut.onModuleInit();

      expect(outbox.handle).toHaveBeenCalledWith(OutboxKind.PasswordResetCode, expect.any(Function));
    });

    it('issues a code in a transaction and mails it with the code’s lifetime', async () => {
      const { sut, outbox, users, codes, mail, transactions } = setup();
      users.findByUsername.mockResolvedValue(alice);
      codes.issue.mockResolvedValue('6MadrbRF');
      sut.onModuleInit();

      await expect(deliverCode(outbox)({ username: 'alice' })).resolves.toBeUndefined();

      expect(users.findByUsername).toHaveBeenCalledWith('alice');
      expect(transactions.run).toHaveBeenCalledTimes(1);
      expect(codes.issue).toHaveBeenCalledWith(alice.id, transactionManager);
      expect(mail.sendPasswordResetCode).toHaveBeenCalledWith(alice, '6MadrbRF', CODE_TTL_SECONDS);
    });

    it('makes a fresh code on every attempt, so a retried message never resends a stored one', async () => {
      const { sut, outbox, users, codes, mail } = setup();
      users.findByUsername.mockResolvedValue(alice);
      codes.issue.mockResolvedValueOnce('FirstCd2').mockResolvedValueOnce('SecondC3');
      mail.sendPasswordResetCode.mockRejectedValueOnce(new Error('SMTP down'));
      sut.onModuleInit();

      await expect(deliverCode(outbox)({ username: 'alice' })).rejects.toThrow('SMTP down');
      await expect(deliverCode(outbox)({ username: 'alice' })).resolves.toBeUndefined();

      expect(codes.issue).toHaveBeenCalledTimes(2);
      expect(mail.sendPasswordResetCode.mock.calls).toEqual([
        [alice, 'FirstCd2', CODE_TTL_SECONDS],
        [alice, 'SecondC3', CODE_TTL_SECONDS],
      ]);
    });

    it.each([
      ['an unknown username', null],
      ['a disabled user', disabled],
    ])('makes and mails nothing for %s', async (_name, user) => {
      const { sut, outbox, users, codes, mail, transactions } = setup();
      users.findByUsername.mockResolvedValue(user);
      sut.onModuleInit();

      await expect(deliverCode(outbox)({ username: 'alice' })).resolves.toBeUndefined();

      expect(transactions.run).not.toHaveBeenCalled();
      expect(codes.issue).not.toHaveBeenCalled();
      expect(mail.sendPasswordResetCode).not.toHaveBeenCalled();
    });
  });
});
