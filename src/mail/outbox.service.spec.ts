import { Logger } from '@nestjs/common';
import { EntityManager, Repository } from 'typeorm';
import { configFixture } from '../../test/fixtures/config.fixture';
import { outboxTable } from '../../test/fixtures/outbox-table.fixture';
import { countersOf, later, Mock, mockOf, newJanitorMock, NOW, withFixedClock } from '../../test/utils';
import { Janitor, TrimTask } from '../database/janitor';
import { Metrics } from '../metrics/metrics';
import { OutboxKind, OutboxMessageEntity } from './entities/outbox-message.entity';
import { OutboxService } from './outbox.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RETRY = Object.freeze({ retryBaseDelayMs: 1000, maxRetryDelayMs: 5000, maxAttempts: 6 });

/** A pending message as enqueue writes it, due now; `overrides` say how it differs. */
function message(overrides: Partial<OutboxMessageEntity> = {}): OutboxMessageEntity {
  return {
    id: 'message-1',
    kind: OutboxKind.PasswordResetCode,
    payload: { username: 'alice' },
    attempts: 0,
    nextAttemptAt: NOW,
    lockedUntil: null,
    completedAt: null,
    lastError: null,
    createdAt: NOW,
    ...overrides,
  };
}

/** What SMTP rejects with: its text quotes the recipient and the mail, so it must never be stored or logged. */
const smtpRejection = () =>
  Object.assign(new Error('550 5.1.1 <alice@example.com> rejected: your code is 123456'), {
    code: 'EENVELOPE',
    responseCode: 550,
  });

describe(OutboxService.name, () => {
  withFixedClock();
  let table: ReturnType<typeof outboxTable>;
  let janitor: Mock<Janitor>;
  let trims: Map<string, TrimTask>;
  let metrics: Metrics;
  let sut: OutboxService;
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;

  const build = (overrides: Partial<ReturnType<typeof configFixture.mail>> = {}) => {
    sut = new OutboxService(table.repository, janitor, configFixture.mail({ ...RETRY, ...overrides }), metrics);
    sut.onModuleInit();
  };
  const put = (...messages: OutboxMessageEntity[]) => messages.forEach((m) => table.rows.set(m.id, { ...m }));
  const row = (id = 'message-1') => table.rows.get(id)!;

  beforeEach(() => {
    table = outboxTable();
    ({ janitor, trims } = newJanitorMock());
    metrics = new Metrics();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    build();
  });
  afterEach(() => jest.restoreAllMocks());

  describe('enqueue', () => {
    it('writes a message due now, never attempted, in the transaction it is given', async () => {
      const inTransaction = mockOf<Repository<OutboxMessageEntity>>();
      const manager = mockOf<EntityManager>({ getRepository: jest.fn(() => inTransaction) });

      await expect(sut.enqueue(OutboxKind.PasswordChanged, { userId: 'user-1' }, manager)).resolves.toBeUndefined();

      expect(manager.getRepository).toHaveBeenCalledWith(OutboxMessageEntity);
      expect(inTransaction.insert).toHaveBeenCalledWith(
        message({ id: expect.stringMatching(UUID), kind: OutboxKind.PasswordChanged, payload: { userId: 'user-1' } }),
      );
      expect(table.repository.insert).not.toHaveBeenCalled();
    });

    it('writes through its own repository without a transaction, each message under a new id', async () => {
      await sut.enqueue(OutboxKind.PasswordResetCode, { username: 'alice' });
      await sut.enqueue(OutboxKind.PasswordResetCode, { username: 'bob' });

      const written = [...table.rows.values()];
      expect(written.map((m) => m.payload)).toEqual([{ username: 'alice' }, { username: 'bob' }]);
      expect(new Set(written.map((m) => m.id)).size).toBe(2);
    });
  });

  describe('nudge', () => {
    it('does nothing until a listener is registered, then calls the last one registered', () => {
      const first = jest.fn();
      const second = jest.fn();

      sut.nudge();
      sut.onNudge(first);
      sut.onNudge(second);
      sut.nudge();

      expect(first).not.toHaveBeenCalled();
      expect(second).toHaveBeenCalledTimes(1);
    });
  });

  describe('processDue', () => {
    it('delivers an enqueued message to the handler of its kind once, and marks it done', async () => {
      const handler = jest.fn(() => Promise.resolve());
      sut.handle(OutboxKind.PasswordResetCode, handler);
      await sut.enqueue(OutboxKind.PasswordResetCode, { username: 'alice' });

      await expect(sut.processDue()).resolves.toBe(1);
      await expect(sut.processDue(later(3600))).resolves.toBe(0);

      expect(handler).toHaveBeenCalledTimes(1);
      expect(handler).toHaveBeenCalledWith({ username: 'alice' });
      expect([...table.rows.values()]).toEqual([
        expect.objectContaining({ attempts: 1, completedAt: NOW, lockedUntil: null, lastError: null }),
      ]);
      expect(await countersOf(metrics)).toEqual({ 'auth_outbox_deliveries_total{outcome="sent"}': 1 });
    });

    it('hands each kind to its own handler', async () => {
      const resetCode = jest.fn(() => Promise.resolve());
      const changed = jest.fn(() => Promise.resolve());
      sut.handle(OutboxKind.PasswordResetCode, resetCode);
      sut.handle(OutboxKind.PasswordChanged, changed);
      put(
        message({ id: 'm-1', payload: { username: 'alice' } }),
        message({ id: 'm-2', kind: OutboxKind.PasswordChanged, payload: { userId: 'user-1' } }),
      );

      await expect(sut.processDue()).resolves.toBe(2);

      expect(resetCode.mock.calls).toEqual([[{ username: 'alice' }]]);
      expect(changed.mock.calls).toEqual([[{ userId: 'user-1' }]]);
    });

    it('leaves a message that is not due yet, and one already done, alone', async () => {
      const handler = jest.fn(() => Promise.resolve());
      sut.handle(OutboxKind.PasswordResetCode, handler);
      put(message({ id: 'not-yet', nextAttemptAt: later(1) }), message({ id: 'done', completedAt: later(-60) }));

      await expect(sut.processDue()).resolves.toBe(0);

      expect(handler).not.toHaveBeenCalled();
      expect(table.repository.update).not.toHaveBeenCalled();
      expect(row('not-yet').attempts).toBe(0);
    });

    it('takes the time it is given: a message due by then is delivered', async () => {
      const handler = jest.fn(() => Promise.resolve());
      sut.handle(OutboxKind.PasswordResetCode, handler);
      put(message({ nextAttemptAt: later(30) }));

      await expect(sut.processDue(later(60))).resolves.toBe(1);

      expect(handler).toHaveBeenCalledTimes(1);
    });

    it('attempts at most 20 messages per pass, those due longest first', async () => {
      const handler = jest.fn((payload: Record<string, string>) => Promise.resolve(void payload));
      sut.handle(OutboxKind.PasswordResetCode, handler);
      const order = Array.from({ length: 25 }, (_, i) => i);
      put(...order.map((i) => message({ id: `m-${i}`, payload: { n: String(i) }, nextAttemptAt: later(-i) })));

      await expect(sut.processDue()).resolves.toBe(20);

      expect(handler.mock.calls.map(([p]) => Number(p.n))).toEqual(Array.from({ length: 20 }, (_, i) => 24 - i));
      await expect(sut.processDue()).resolves.toBe(5);
    });

    it('claims a message under a one-minute lease, counting the attempt before the handler runs', async () => {
      let seen: OutboxMessageEntity | undefined;
      sut.handle(OutboxKind.PasswordResetCode, () => Promise.resolve(void (seen = { ...row() })));
      put(message({ attempts: 2 }));

      await sut.processDue();

      expect(seen).toMatchObject({ attempts: 3, lockedUntil: later(60), completedAt: null });
      // The fixture applies the claim as this SQL says: only an open message, and only without a live lease.
      expect(table.claims).toEqual([
        {
          set: { lockedUntil: later(60), attempts: expect.any(Function) },
          conditions: ['id = :id AND completed_at IS NULL', 'locked_until IS NULL', 'locked_until < :now'],
          parameters: { id: 'message-1', now: NOW },
        },
      ]);
      expect((table.claims[0].set.attempts as () => string)()).toBe('attempts + 1');
    });

    it('skips a message another worker holds under a live lease, and takes it once the lease lapses', async () => {
      const handler = jest.fn(() => Promise.resolve());
      sut.handle(OutboxKind.PasswordResetCode, handler);
      put(message({ attempts: 1, lockedUntil: later(30) }));

      await expect(sut.processDue()).resolves.toBe(0);
      expect(handler).not.toHaveBeenCalled();
      expect(row()).toMatchObject({ attempts: 1, lockedUntil: later(30) });

      jest.setSystemTime(later(31));
      await expect(sut.processDue()).resolves.toBe(1);
      expect(handler).toHaveBeenCalledTimes(1);
      expect(row()).toMatchObject({ attempts: 2, completedAt: later(31) });
    });
  });

  describe('a failed delivery', () => {
    const failing = () => jest.fn(() => Promise.reject(smtpRejection()));

    it('is retried after MAIL_RETRY_BASE_DELAY_MS, recording the error class and codes, never its text', async () => {
      sut.handle(OutboxKind.PasswordResetCode, failing());
      put(message());

      await expect(sut.processDue()).resolves.toBe(1);

      expect(row()).toMatchObject({
        attempts: 1,
        nextAttemptAt: new Date(NOW.getTime() + 1000),
        lockedUntil: null,
        completedAt: null,
        lastError: 'Error EENVELOPE 550',
      });
      expect(warn).toHaveBeenCalledWith(
        'Could not deliver password-reset-code message message-1 (Error EENVELOPE 550); retrying in 1000 ms',
      );
      expect(error).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({ 'auth_outbox_deliveries_total{outcome="retry"}': 1 });
    });

    it.each([
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [4, 5000],
      [5, 5000],
    ])('after attempt %i waits %i ms: doubling, up to MAIL_RETRY_MAX_DELAY_MS', async (attempt, delay) => {
      sut.handle(OutboxKind.PasswordResetCode, failing());
      put(message({ attempts: attempt - 1 }));

      await sut.processDue();

      expect(row()).toMatchObject({ attempts: attempt, nextAttemptAt: new Date(NOW.getTime() + delay) });
    });

    it('gives up after MAIL_MAX_ATTEMPTS: marks the message done with its last error, logs it without the payload, never tries again', async () => {
      build({ maxAttempts: 3 });
      const handler = failing();
      sut.handle(OutboxKind.PasswordResetCode, handler);
      put(message());

      for (let attempt = 1; attempt <= 3; attempt += 1) {
        jest.setSystemTime(row().nextAttemptAt);
        await expect(sut.processDue()).resolves.toBe(1);
      }

      // Tried at NOW, NOW + 1 s and NOW + 3 s; given up on at the third.
      expect(row()).toMatchObject({
        attempts: 3,
        completedAt: later(3),
        lockedUntil: null,
        lastError: 'Error EENVELOPE 550',
      });
      expect(warn).toHaveBeenCalledTimes(2);
      expect(error).toHaveBeenCalledTimes(1);
      expect(error).toHaveBeenCalledWith(
        'Giving up on password-reset-code message message-1 after 3 attempts: Error EENVELOPE 550',
      );
      const logged = [...warn.mock.calls, ...error.mock.calls].flat().join('\n');
      expect(logged).not.toMatch(/alice|123456/);

      jest.setSystemTime(later(30 * 86_400));
      await expect(sut.processDue()).resolves.toBe(0);
      expect(handler).toHaveBeenCalledTimes(3);
      expect(await countersOf(metrics)).toEqual({
        'auth_outbox_deliveries_total{outcome="retry"}': 2,
        'auth_outbox_deliveries_total{outcome="given_up"}': 1,
      });
    });

    it('with MAIL_MAX_ATTEMPTS=1, gives up on the first failure', async () => {
      build({ maxAttempts: 1 });
      sut.handle(OutboxKind.PasswordResetCode, failing());
      put(message());

      await sut.processDue();

      expect(row()).toMatchObject({ attempts: 1, completedAt: NOW, lastError: 'Error EENVELOPE 550' });
      expect(warn).not.toHaveBeenCalled();
      expect(error).toHaveBeenCalledTimes(1);
      expect(await countersOf(metrics)).toEqual({ 'auth_outbox_deliveries_total{outcome="given_up"}': 1 });
    });

    it('treats a kind with no handler as a failed delivery: retried later, not dropped', async () => {
      put(message({ kind: OutboxKind.PasswordChanged }));

      await expect(sut.processDue()).resolves.toBe(1);

      expect(row()).toMatchObject({ completedAt: null, lastError: 'Error', nextAttemptAt: later(1) });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('password-changed message message-1'));
    });

    it.each([
      ['a rejection that is no Error as "unknown error"', 'unknown error', () => 'SMTP said no to alice'],
      ['an Error without codes by its class', 'TypeError', () => new TypeError('alice')],
      ['a code without a response code', 'Error ETIMEDOUT', () => Object.assign(new Error('x'), { code: 'ETIMEDOUT' })],
      [
        'an overlong description cut to the column’s 255 characters',
        'E'.repeat(255),
        () => Object.assign(new Error('x'), { name: 'E'.repeat(300) }),
      ],
    ])('records %s', async (_case, lastError, rejection) => {
      // A handler may reject with anything (a library's string, say): that case is the point here.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      sut.handle(OutboxKind.PasswordResetCode, () => Promise.reject(rejection()));
      put(message());

      await sut.processDue();

      expect(row().lastError).toBe(lastError);
    });
  });

  describe('metrics', () => {
    it('registers its counts at init, so every scrape reads the outbox then', async () => {
      const counts = jest.spyOn(sut, 'counts').mockResolvedValue({ pending: 3, failed: 1 });

      const text = await metrics.text();

      expect(counts).toHaveBeenCalledTimes(1);
      expect(text).toMatch(/^auth_outbox_pending_messages 3$/m);
      expect(text).toMatch(/^auth_outbox_failed_messages 1$/m);
      expect(text).toMatch(/^auth_outbox_stats_up 1$/m);
    });
  });

  describe('janitor task', () => {
    const retentionSeconds = 7 * 86_400;

    it('registers a mail_outbox trim that deletes messages done over OUTBOX_RETENTION ago, and only those', async () => {
      build({ retentionSeconds });
      put(
        message({ id: 'old-done', completedAt: later(-retentionSeconds - 1) }),
        message({ id: 'just-retained', completedAt: later(-retentionSeconds) }),
        message({ id: 'recent-done', completedAt: later(-60) }),
        message({
          id: 'old-pending',
          createdAt: later(-retentionSeconds * 2),
          nextAttemptAt: later(-retentionSeconds),
        }),
      );
      const trim = trims.get('mail_outbox')!;

      await expect(trim(NOW, 500)).resolves.toBe(1);

      expect([...table.rows.keys()]).toEqual(['just-retained', 'recent-done', 'old-pending']);
    });

    it('deletes no more than the batch size per call, and reports 0 when nothing is left', async () => {
      build({ retentionSeconds });
      put(...['a', 'b', 'c'].map((id) => message({ id, completedAt: later(-retentionSeconds - 60) })));
      const trim = trims.get('mail_outbox')!;

      await expect(trim(NOW, 2)).resolves.toBe(2);
      await expect(trim(NOW, 2)).resolves.toBe(1);
      await expect(trim(NOW, 2)).resolves.toBe(0);
      expect(table.rows.size).toBe(0);
    });

    it('measures the retention from the time the janitor passes', async () => {
      build({ retentionSeconds });
      put(message({ completedAt: later(-60) }));
      const trim = trims.get('mail_outbox')!;

      await expect(trim(later(retentionSeconds - 61), 500)).resolves.toBe(0);
      await expect(trim(later(retentionSeconds - 59), 500)).resolves.toBe(1);
    });
  });
});
