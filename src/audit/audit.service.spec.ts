import { Logger } from '@nestjs/common';
import { EntityManager, In, InsertResult, LessThan, Repository } from 'typeorm';
import { configFixture } from '../../test/fixtures/config.fixture';
import { clientFixture, userFixture } from '../../test/fixtures/user.fixture';
import { later, Mock, mockOf, newJanitorMock, NOW, withFixedClock } from '../../test/utils';
import { Janitor, TrimTask } from '../database/janitor';
import { AuditService, subjectOf } from './audit.service';
import { AuditEventEntity, AuditEventType } from './entities/audit-event.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const alice = userFixture();

/** An insert that the test ends when it chooses. */
function pendingInsert() {
  let end!: () => void;
  const promise = new Promise<InsertResult>((resolve) => (end = () => resolve(new InsertResult())));
  return { promise, end };
}

/** The row recordSoon/record writes for `username`'s token refresh, at `at`. */
const refreshed = (username: string, at: Date = NOW) => ({
  id: expect.stringMatching(UUID),
  type: AuditEventType.TokenRefreshed,
  userId: null,
  username,
  actor: null,
  ipAddress: clientFixture.ip,
  userAgent: clientFixture.userAgent,
  createdAt: at,
});

describe(AuditService.name, () => {
  withFixedClock();
  let events: Mock<Repository<AuditEventEntity>>;
  let janitor: Mock<Janitor>;
  let trims: Map<string, TrimTask>;
  let sut: AuditService;

  /** What each insert on the service's own repository wrote, one array per insert. */
  const inserts = () => events.insert.mock.calls.map(([batch]) => batch);
  const refresh = (username: string) => sut.recordSoon(AuditEventType.TokenRefreshed, { username }, clientFixture);

  beforeEach(() => {
    events = mockOf<Repository<AuditEventEntity>>();
    events.insert.mockResolvedValue({ identifiers: [], generatedMaps: [], raw: [] });
    ({ janitor, trims } = newJanitorMock());
    sut = new AuditService(events, janitor, configFixture.audit({ retentionSeconds: 30 * 86_400 }));
    sut.onModuleInit();
  });
  afterEach(() => jest.restoreAllMocks());

  describe('record', () => {
    it('writes the event at once in the transaction it is given', async () => {
      const inTransaction = mockOf<Repository<AuditEventEntity>>();
      const manager = mockOf<EntityManager>({ getRepository: jest.fn(() => inTransaction) });

      await expect(
        sut.record(AuditEventType.PasswordChanged, subjectOf(alice), clientFixture, manager),
      ).resolves.toBeUndefined();

      expect(manager.getRepository).toHaveBeenCalledWith(AuditEventEntity);
      expect(inTransaction.insert).toHaveBeenCalledWith({
        id: expect.stringMatching(UUID),
        type: AuditEventType.PasswordChanged,
        userId: alice.id,
        username: 'alice',
        actor: null,
        ipAddress: '203.0.113.7',
        userAgent: 'unit-spec/1.0',
        createdAt: NOW,
      });
      expect(events.insert).not.toHaveBeenCalled();
    });

    it('writes through its own repository’s manager without a transaction', async () => {
      const own = mockOf<Repository<AuditEventEntity>>();
      const manager = mockOf<EntityManager>({ getRepository: jest.fn(() => own) });
      const withManager = mockOf<Repository<AuditEventEntity>>({ manager });
      const service = new AuditService(withManager, janitor, configFixture.audit());

      await service.record(AuditEventType.LoginFailed, { username: 'mallory' }, clientFixture);

      expect(manager.getRepository).toHaveBeenCalledWith(AuditEventEntity);
      expect(own.insert).toHaveBeenCalledWith(expect.objectContaining({ type: 'login.failed', username: 'mallory' }));
    });

    it.each([
      ['no subject at all', {}, { userId: null, username: null }],
      ['explicit nulls', { userId: null, username: null }, { userId: null, username: null }],
      [
        'a name typed 300 characters long, cut to the column’s 128',
        { username: 'x'.repeat(300) },
        { username: 'x'.repeat(128) },
      ],
    ])('stores %s', async (_case, subject, stored) => {
      const inTransaction = mockOf<Repository<AuditEventEntity>>();
      const manager = mockOf<EntityManager>({ getRepository: jest.fn(() => inTransaction) });

      await sut.record(AuditEventType.LoginFailed, subject, clientFixture, manager);

      expect(inTransaction.insert).toHaveBeenCalledWith(expect.objectContaining(stored));
    });
  });

  describe('recordSoon', () => {
    it('buffers events and writes them in one insert 50 ms after the first, not later', async () => {
      refresh('alice');
      await jest.advanceTimersByTimeAsync(30);
      refresh('bob');
      await jest.advanceTimersByTimeAsync(19);
      expect(events.insert).not.toHaveBeenCalled();

      await jest.advanceTimersByTimeAsync(1);

      expect(inserts()).toEqual([[refreshed('alice'), refreshed('bob', later(0.03))]]);
    });

    it('writes the next events in a batch of their own', async () => {
      refresh('alice');
      await jest.advanceTimersByTimeAsync(50);
      refresh('bob');
      refresh('carol');
      await jest.advanceTimersByTimeAsync(50);

      expect(inserts()).toEqual([
        [refreshed('alice')],
        [refreshed('bob', later(0.05)), refreshed('carol', later(0.05))],
      ]);
    });

    it('writes at once when 100 events are buffered, and the timer writes nothing more', async () => {
      for (let i = 0; i < 99; i += 1) refresh(`user-${i}`);
      expect(events.insert).not.toHaveBeenCalled();

      refresh('user-99');

      expect(inserts()).toHaveLength(1);
      expect(inserts()[0]).toHaveLength(100);
      expect(inserts()[0]).toEqual(Array.from({ length: 100 }, (_, i) => refreshed(`user-${i}`)));
      await jest.advanceTimersByTimeAsync(1000);
      expect(inserts()).toHaveLength(1);

      refresh('user-100');
      await jest.advanceTimersByTimeAsync(50);
      expect(inserts()).toEqual([expect.any(Array), [refreshed('user-100', later(1))]]);
    });

    it('drops a batch whose insert fails, with one warning giving the count and error class only', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const failure = Object.assign(new Error("Duplicate entry 'alice' for key, ip 203.0.113.7"), {
        name: 'QueryFailedError',
      });
      events.insert.mockRejectedValueOnce(failure);
      refresh('alice');
      refresh('bob');

      await jest.advanceTimersByTimeAsync(50);

      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith('Lost 2 audit event(s): QueryFailedError');
      // Not retried: neither later, nor with the next batch, nor at shutdown.
      refresh('carol');
      await jest.advanceTimersByTimeAsync(1000);
      await expect(sut.onModuleDestroy()).resolves.toBeUndefined();
      expect(inserts()).toEqual([[refreshed('alice'), refreshed('bob')], [refreshed('carol', later(0.05))]]);
    });
  });

  describe('onModuleDestroy', () => {
    it('writes what is buffered at once, and the pending timer does not write it again', async () => {
      refresh('alice');
      refresh('bob');

      await expect(sut.onModuleDestroy()).resolves.toBeUndefined();

      expect(inserts()).toEqual([[refreshed('alice'), refreshed('bob')]]);
      await jest.advanceTimersByTimeAsync(1000);
      expect(inserts()).toHaveLength(1);
    });

    it('writes nothing when nothing is buffered', async () => {
      await expect(sut.onModuleDestroy()).resolves.toBeUndefined();

      expect(events.insert).not.toHaveBeenCalled();
    });

    it('waits for an insert the timer started before it, so the connection is not closed under it', async () => {
      const insert = pendingInsert();
      events.insert.mockReturnValueOnce(insert.promise);
      refresh('alice');
      await jest.advanceTimersByTimeAsync(50);
      expect(inserts()).toEqual([[refreshed('alice')]]);

      let destroyed = false;
      const destroying = sut.onModuleDestroy().then(() => (destroyed = true));
      await jest.advanceTimersByTimeAsync(0);
      expect(destroyed).toBe(false);

      insert.end();
      await expect(destroying).resolves.toBe(true);
      expect(inserts()).toHaveLength(1);
    });

    it('writes an event recorded once shutdown has begun at once, and waits for that insert too', async () => {
      const insert = pendingInsert();
      events.insert.mockReturnValueOnce(insert.promise);
      refresh('alice');
      let destroyed = false;
      const destroying = sut.onModuleDestroy().then(() => (destroyed = true));

      // A request still finishing records after the buffer was flushed: no timer, which would
      // fire after the connection is closed.
      refresh('bob');

      expect(inserts()).toEqual([[refreshed('alice')], [refreshed('bob')]]);
      expect(jest.getTimerCount()).toBe(0);
      await jest.advanceTimersByTimeAsync(0);
      expect(destroyed).toBe(false);
      insert.end();
      await expect(destroying).resolves.toBe(true);

      refresh('carol');
      expect(inserts()).toEqual([[refreshed('alice')], [refreshed('bob')], [refreshed('carol')]]);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('janitor task', () => {
    it('registers an audit_events trim deleting a batch of events older than AUDIT_RETENTION', async () => {
      events.find.mockResolvedValue([{ id: 'event-1' }, { id: 'event-2' }] as AuditEventEntity[]);
      const trim = trims.get('audit_events')!;

      await expect(trim(NOW, 500)).resolves.toBe(2);

      expect(events.find).toHaveBeenCalledWith({
        select: { id: true },
        where: { createdAt: LessThan(later(-30 * 86_400)) },
        take: 500,
      });
      expect(events.delete).toHaveBeenCalledWith({ id: In(['event-1', 'event-2']) });
    });

    it('measures the retention from the time the janitor passes, and deletes nothing when none is old enough', async () => {
      events.find.mockResolvedValue([]);
      const trim = trims.get('audit_events')!;
      const at = later(86_400);

      await expect(trim(at, 100)).resolves.toBe(0);

      expect(events.find).toHaveBeenCalledWith(
        expect.objectContaining({ where: { createdAt: LessThan(later(-29 * 86_400)) }, take: 100 }),
      );
      expect(events.delete).not.toHaveBeenCalled();
    });
  });
});
