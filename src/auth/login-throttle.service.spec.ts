import { In, LessThan, QueryFailedError, Repository, SelectQueryBuilder, UpdateQueryBuilder } from 'typeorm';
import {
  countersOf,
  later,
  Mock,
  mockOf,
  newJanitorMock,
  newTransactionsMock,
  NOW,
  withFixedClock,
} from '../../test/utils';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { Janitor, TrimTask } from '../database/janitor';
import { Transactions } from '../database/transactions';
import { Metrics } from '../metrics/metrics';
import { UsersService } from '../users/users.service';
import { LoginAttemptEntity } from './entities/login-attempt.entity';
import { lockedOut, lockSeconds, LoginThrottleService, MAX_LOCK_SECONDS } from './login-throttle.service';

/** What TypeORM throws when the driver reports a duplicate key: the driver's `code` is what counts. */
const uniqueViolation = (code = 'SQLITE_CONSTRAINT_PRIMARYKEY') =>
  new QueryFailedError(
    'INSERT INTO "login_attempts"("username", "failures", "last_failure_at", "locked_until") VALUES (?, ?, ?, ?)',
    ['alice', 1, NOW, null],
    Object.assign(new Error('UNIQUE constraint failed: login_attempts.username'), { code }),
  );

const attemptRow = (overrides: Partial<LoginAttemptEntity> = {}): LoginAttemptEntity =>
  Object.freeze(
    Object.assign(new LoginAttemptEntity(), {
      username: 'alice',
      failures: 9,
      lastFailureAt: later(-2),
      lockedUntil: null,
      ...overrides,
    }),
  );

/** A promise the spec settles itself, to hold a check in flight. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets async-lock hand the lock on, and queued checks start. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(LoginThrottleService.name, () => {
  let attempts: Mock<Repository<LoginAttemptEntity>>;
  let update: Mock<UpdateQueryBuilder<LoginAttemptEntity>>;
  let transactions: Mock<Transactions>;
  let janitor: Mock<Janitor>;
  let trims: Map<string, TrimTask>;
  let metrics: Metrics;
  let sut: LoginThrottleService;

  const build = (passwordQueueLimit: number) =>
    new LoginThrottleService(attempts, transactions, janitor, mockOf<UsersService>({ passwordQueueLimit }), metrics);

  /** The conditional update changes `affected` rows, one call after the other. */
  const updateChanges = (...affected: Array<number | undefined>) => {
    for (const count of affected) update.execute.mockResolvedValueOnce({ raw: [], generatedMaps: [], affected: count });
  };

  beforeEach(() => {
    attempts = mockOf<Repository<LoginAttemptEntity>>();
    update = mockOf<UpdateQueryBuilder<LoginAttemptEntity>>();
    update.update.mockReturnValue(update);
    update.set.mockReturnValue(update);
    update.where.mockReturnValue(update);
    update.setParameters.mockReturnValue(update);
    // The service only chains createQueryBuilder().update(), so one builder stands for both.
    attempts.createQueryBuilder.mockReturnValue(update as unknown as SelectQueryBuilder<LoginAttemptEntity>);
    transactions = newTransactionsMock();
    ({ janitor, trims } = newJanitorMock());
    metrics = new Metrics();
    sut = build(4);
  });

  describe('lockSeconds', () => {
    it.each([
      [0, 0],
      [4, 0],
      [5, 1],
      [6, 2],
      [7, 4],
      [14, 512],
      [15, MAX_LOCK_SECONDS],
      [1000, MAX_LOCK_SECONDS],
    ])('after %i failures makes the next attempt wait %i s', (failures, seconds) => {
      expect(lockSeconds(failures)).toBe(seconds);
    });
  });

  describe('reserve', () => {
    withFixedClock();

    it('counts the first attempt on an account by inserting its row, and lets it go ahead', async () => {
      attempts.insert.mockResolvedValue({ identifiers: [], generatedMaps: [], raw: [] });

      await expect(sut.reserve('alice')).resolves.toBe(0);

      expect(attempts.insert).toHaveBeenCalledTimes(1);
      expect(attempts.insert).toHaveBeenCalledWith({
        username: 'alice',
        failures: 1,
        lastFailureAt: NOW,
        lockedUntil: null,
      });
      expect(transactions.retrying).toHaveBeenCalledTimes(1);
      expect(attempts.createQueryBuilder).not.toHaveBeenCalled();
      expect(attempts.findOneBy).not.toHaveBeenCalled();
      expect(await countersOf(metrics)).toEqual({});
    });

    it.each(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE', 'ER_DUP_ENTRY'])(
      'counts an attempt on an account that has a row with the conditional update, once the insert hits %s',
      async (code) => {
        attempts.insert.mockRejectedValueOnce(uniqueViolation(code));
        updateChanges(1);

        await expect(sut.reserve('alice')).resolves.toBe(0);

        expect(update.execute).toHaveBeenCalledTimes(1);
        expect(attempts.insert).toHaveBeenCalledTimes(1);
        expect(attempts.findOneBy).not.toHaveBeenCalled();
      },
    );

    it('updates the row only while no wait runs, and gives it the waits that follow each count', async () => {
      attempts.insert.mockRejectedValueOnce(uniqueViolation());
      updateChanges(1);

      await sut.reserve('alice');

      expect(update.set).toHaveBeenCalledWith({
        lockedUntil: expect.any(Function),
        failures: expect.any(Function),
        lastFailureAt: NOW,
      });
      expect(update.where).toHaveBeenCalledWith(
        'username = :username AND (locked_until IS NULL OR locked_until <= :now)',
      );
      expect(update.setParameters).toHaveBeenCalledWith(
        expect.objectContaining({
          username: 'alice',
          now: NOW,
          quietCutoff: later(-15 * 60),
          until5: later(1),
          until6: later(2),
          until14: later(512),
          untilMax: later(MAX_LOCK_SECONDS),
        }),
      );
      expect(update.setParameters.mock.calls[0][0]).not.toHaveProperty('until4');
      expect(update.setParameters.mock.calls[0][0]).not.toHaveProperty('until15');
    });

    it('binds exactly the parameters its statement names', async () => {
      attempts.insert.mockRejectedValueOnce(uniqueViolation());
      updateChanges(1);

      await sut.reserve('alice');

      const { lockedUntil, failures } = update.set.mock.calls[0][0] as Record<string, () => string>;
      const statement = [lockedUntil(), failures(), update.where.mock.calls[0][0] as string].join(' ');
      const named = new Set([...statement.matchAll(/:(\w+)/g)].map(([, name]) => name));
      expect(named).toEqual(new Set(Object.keys(update.setParameters.mock.calls[0][0])));
    });

    it('refuses an attempt while the account’s wait runs, with the seconds left until it ends', async () => {
      const now = later(30);
      attempts.insert.mockRejectedValueOnce(uniqueViolation());
      updateChanges(0);
      attempts.findOneBy.mockResolvedValue(attemptRow({ lockedUntil: later(7.5, now) }));

      await expect(sut.reserve('alice', now)).resolves.toBe(7.5);

      expect(attempts.findOneBy).toHaveBeenCalledWith({ username: 'alice' });
      expect(attempts.insert).toHaveBeenCalledTimes(1);
      expect(await countersOf(metrics)).toEqual({ auth_login_lockouts_total: 1 });
    });

    it('reads the row when the driver reports no affected count, as for an update that changed nothing', async () => {
      attempts.insert.mockRejectedValueOnce(uniqueViolation());
      updateChanges(undefined);
      attempts.findOneBy.mockResolvedValue(attemptRow({ lockedUntil: later(16) }));

      await expect(sut.reserve('alice')).resolves.toBe(16);
    });

    it.each([
      ['gone (a success deleted it meanwhile)', null],
      ['without a wait', attemptRow({ lockedUntil: null })],
      ['at the end of its wait', attemptRow({ lockedUntil: NOW })],
      ['past its wait', attemptRow({ lockedUntil: later(-1) })],
    ])('inserts the row again, and counts, when the update counted nothing and the row is %s', async (_name, row) => {
      attempts.insert
        .mockRejectedValueOnce(uniqueViolation())
        .mockResolvedValueOnce({ identifiers: [], generatedMaps: [], raw: [] });
      updateChanges(0);
      attempts.findOneBy.mockResolvedValue(row);

      await expect(sut.reserve('alice')).resolves.toBe(0);

      expect(attempts.insert).toHaveBeenCalledTimes(2);
    });

    it('goes round again when another request inserts the row between its update and its insert', async () => {
      attempts.insert.mockRejectedValueOnce(uniqueViolation()).mockRejectedValueOnce(uniqueViolation('ER_DUP_ENTRY'));
      updateChanges(0, 1);
      attempts.findOneBy.mockResolvedValue(null);

      await expect(sut.reserve('alice')).resolves.toBe(0);

      expect(update.execute).toHaveBeenCalledTimes(2);
      expect(attempts.insert).toHaveBeenCalledTimes(2);
    });

    it('gives up after a bounded number of lost rounds and lets the unique violation surface', async () => {
      attempts.insert.mockRejectedValue(uniqueViolation());
      update.execute.mockResolvedValue({ raw: [], generatedMaps: [], affected: 0 });
      attempts.findOneBy.mockResolvedValue(null);

      await expect(sut.reserve('alice')).rejects.toBeInstanceOf(QueryFailedError);

      expect(update.execute).toHaveBeenCalledTimes(5);
    });

    it('lets any other database error surface at once, without trying the update', async () => {
      const unavailable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      attempts.insert.mockRejectedValue(unavailable);

      await expect(sut.reserve('alice')).rejects.toBe(unavailable);

      expect(attempts.createQueryBuilder).not.toHaveBeenCalled();
    });
  });

  describe('clear', () => {
    it('deletes the account’s row, retried as one unit of work', async () => {
      attempts.delete.mockResolvedValue({ raw: [], affected: 1 });

      await expect(sut.clear('alice')).resolves.toBeUndefined();

      expect(transactions.retrying).toHaveBeenCalledTimes(1);
      expect(attempts.delete).toHaveBeenCalledTimes(1);
      expect(attempts.delete).toHaveBeenCalledWith({ username: 'alice' });
    });

    it('passes on a failed delete', async () => {
      const unavailable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      attempts.delete.mockRejectedValue(unavailable);

      await expect(sut.clear('alice')).rejects.toBe(unavailable);
    });
  });

  describe('oneAtATime', () => {
    it('runs one account’s checks one after another, in arrival order, and resolves each with its result', async () => {
      const started: string[] = [];
      const first = gate();
      const second = gate();

      const one = sut.oneAtATime('alice', () => (started.push('first'), first.promise.then(() => 'one')));
      const two = sut.oneAtATime('alice', () => (started.push('second'), second.promise.then(() => 'two')));
      await settle();
      expect(started).toEqual(['first']);

      first.open();
      await expect(one).resolves.toBe('one');
      await settle();
      expect(started).toEqual(['first', 'second']);
      second.open();
      await expect(two).resolves.toBe('two');
    });

    it('runs different accounts’ checks side by side', async () => {
      const started: string[] = [];
      const held = gate();

      const alice = sut.oneAtATime('alice', () => (started.push('alice'), held.promise));
      const bob = sut.oneAtATime('bob', () => (started.push('bob'), Promise.resolve('bob done')));

      await expect(bob).resolves.toBe('bob done');
      expect(started).toEqual(['alice', 'bob']);
      held.open();
      await expect(alice).resolves.toBeUndefined();
    });

    it('starts the next check of the account after one that failed, and passes the failure on unchanged', async () => {
      const refused = lockedOut(3);

      const one = sut.oneAtATime('alice', () => Promise.reject(refused));
      const two = sut.oneAtATime('alice', () => Promise.resolve('next'));

      await expect(one).rejects.toBe(refused);
      await expect(two).resolves.toBe('next');
    });

    it('answers 503 past PASSWORD_QUEUE_LIMIT checks waiting on one account, without naming the account', async () => {
      sut = build(1);
      const held = gate();
      const check = jest.fn(() => held.promise);

      const running = sut.oneAtATime('alice', check);
      const waiting = sut.oneAtATime('alice', check);
      const refused = sut.oneAtATime('alice', check);

      await expect(refused).rejects.toBeInstanceOf(ApiException);
      await expect(refused).rejects.toMatchObject({
        code: ErrorCode.ServiceUnavailable,
        status: 503,
        retryAfterSeconds: 1,
        message: expect.not.stringContaining('alice'),
      });
      held.open();
      await expect(Promise.all([running, waiting])).resolves.toEqual([undefined, undefined]);
      expect(check).toHaveBeenCalledTimes(2);
    });

    it('lets one check wait on an account even with PASSWORD_QUEUE_LIMIT=0', async () => {
      sut = build(0);
      const held = gate();

      const running = sut.oneAtATime('alice', () => held.promise);
      const waiting = sut.oneAtATime('alice', () => Promise.resolve('waited'));
      const refused = sut.oneAtATime('alice', () => Promise.resolve('refused'));

      await expect(refused).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
      held.open();
      await expect(running).resolves.toBeUndefined();
      await expect(waiting).resolves.toBe('waited');
    });

    it.each<[string, unknown]>([
      ['a plain error', new Error('connect ECONNREFUSED')],
      [
        'an ApiException whose message reads like the lock’s',
        new ApiException(ErrorCode.LimitExceeded, 'Too many pending'),
      ],
      ['a string that reads like the lock’s', 'Too many pending tasks in queue alice'],
    ])('passes %s thrown by the check on unchanged', async (_name, failure) => {
      const check = () => {
        throw failure;
      };

      await expect(sut.oneAtATime('alice', check)).rejects.toBe(failure);
    });
  });

  describe('janitor task', () => {
    const quietSince = later(-15 * 60);

    beforeEach(() => sut.onModuleInit());

    it('deletes, in one batch, the rows whose last failure is over 15 minutes old', async () => {
      attempts.find.mockResolvedValue([attemptRow({ username: 'alice' }), attemptRow({ username: 'bob' })]);
      attempts.delete.mockResolvedValue({ raw: [], affected: 2 });

      await expect(trims.get('login_attempts')!(NOW, 500)).resolves.toBe(2);

      expect(janitor.register).toHaveBeenCalledWith('login_attempts', expect.any(Function));
      expect(attempts.find).toHaveBeenCalledWith({
        select: { username: true },
        where: { lastFailureAt: LessThan(quietSince) },
        take: 500,
      });
      expect(attempts.delete).toHaveBeenCalledWith({ username: In(['alice', 'bob']) });
    });

    it('deletes nothing when no row has been quiet that long', async () => {
      attempts.find.mockResolvedValue([]);

      await expect(trims.get('login_attempts')!(NOW, 500)).resolves.toBe(0);

      expect(attempts.delete).not.toHaveBeenCalled();
    });
  });
});
