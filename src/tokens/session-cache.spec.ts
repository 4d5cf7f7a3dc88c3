import { configFixture } from '../../test/fixtures/config.fixture';
import { Redis } from '../redis/redis';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { REVOCATIONS_CHANNEL, RevocationMessage, SessionCache } from './session-cache';

const alice = Object.freeze({ id: 'user-alice', username: 'alice', status: UserStatus.Active }) as UserEntity;
const bob = Object.freeze({ id: 'user-bob', username: 'bob', status: UserStatus.Active }) as UserEntity;
const later = new Date(Date.now() + 3_600_000);

/** Without REDIS_URL: the real service, connected to nothing. */
const withoutRedis = new Redis({});

/** Redis as SessionCache sees it: what it publishes, and a hand on what it hears and on availability. */
class FakeRedis {
  configured = true;
  available = true;
  readonly published: RevocationMessage[] = [];
  private readonly handlers = new Map<string, (message: string) => void>();
  private readonly listeners: ((available: boolean) => void)[] = [];

  publish(channel: string, message: string): void {
    expect(channel).toBe(REVOCATIONS_CHANNEL);
    this.published.push(JSON.parse(message) as RevocationMessage);
  }
  subscribe(channel: string, handler: (message: string) => void): void {
    this.handlers.set(channel, handler);
  }
  onAvailabilityChange(listener: (available: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** A message on the revocations channel, as another instance (or this one) published it. */
  hear(message: unknown): void {
    this.handlers.get(REVOCATIONS_CHANNEL)!(typeof message === 'string' ? message : JSON.stringify(message));
  }
  setAvailable(available: boolean): void {
    this.available = available;
    for (const listener of this.listeners) listener(available);
  }
}

describe(SessionCache.name, () => {
  let sut: SessionCache;

  beforeEach(() => {
    sut = new SessionCache(configFixture.tokens({ sessionCacheTtlMs: 60_000 }), withoutRedis);
  });

  it('answers from the cache for the session and user it was given', () => {
    sut.set('session-1', alice, later, sut.ticket());

    expect(sut.get('session-1', alice.id, new Date())).toBe(alice);
    expect(sut.get('session-1', 'someone-else', new Date())).toBeUndefined();
    expect(sut.get('session-2', alice.id, new Date())).toBeUndefined();
  });

  it('drops a lookup that began before the session was revoked, so it cannot bring it back', () => {
    const ticket = sut.ticket();
    sut.forgetSession('session-1');
    sut.set('session-1', alice, later, ticket);

    expect(sut.get('session-1', alice.id, new Date())).toBeUndefined();
  });

  it('drops a lookup that began before all of the user’s sessions were revoked', () => {
    const ticket = sut.ticket();
    sut.forgetUser(alice.id);
    sut.set('session-1', alice, later, ticket);

    expect(sut.get('session-1', alice.id, new Date())).toBeUndefined();
  });

  it('keeps a lookup that began after the revocation, and one for another session', () => {
    sut.forgetSession('session-1');
    sut.set('session-1', alice, later, sut.ticket());
    const ticket = sut.ticket();
    sut.forgetSession('session-3');
    sut.set('session-2', alice, later, ticket);

    expect(sut.get('session-1', alice.id, new Date())).toBe(alice);
    expect(sut.get('session-2', alice.id, new Date())).toBe(alice);
  });

  it('forgets a cached session at once', () => {
    sut.set('session-1', alice, later, sut.ticket());
    sut.set('session-2', alice, later, sut.ticket());
    sut.forgetSession('session-1');

    expect(sut.get('session-1', alice.id, new Date())).toBeUndefined();
    expect(sut.get('session-2', alice.id, new Date())).toBe(alice);
    sut.forgetUser(alice.id);
    expect(sut.get('session-2', alice.id, new Date())).toBeUndefined();
  });

  it('never answers past the session’s own expiry', () => {
    const soon = new Date(Date.now() + 1000);
    sut.set('session-1', alice, soon, sut.ticket());

    expect(sut.get('session-1', alice.id, new Date(soon.getTime() + 1))).toBeUndefined();
  });

  it('caches nothing when SESSION_CACHE_TTL_MS is 0', () => {
    const off = new SessionCache(configFixture.tokens({ sessionCacheTtlMs: 0 }), withoutRedis);
    off.set('session-1', alice, later, off.ticket());

    expect(off.get('session-1', alice.id, new Date())).toBeUndefined();
  });

  describe('with REDIS_URL', () => {
    let redis: FakeRedis;
    let cache: SessionCache;
    const other = 'another-instance';

    beforeEach(() => {
      redis = new FakeRedis();
      cache = new SessionCache(configFixture.tokens({ sessionCacheTtlMs: 60_000 }), redis as unknown as Redis);
    });

    it('publishes every revocation, session or user, with its own origin', () => {
      cache.forgetSession('session-1');
      cache.forgetUser(alice.id);

      expect(redis.published).toEqual([
        { kind: 'session', id: 'session-1', origin: expect.any(String) },
        { kind: 'user', id: alice.id, origin: redis.published[0].origin },
      ]);
      expect(redis.published[0].origin).not.toBe(other);
    });

    it('drops a session another instance revoked, and a lookup that began before it', () => {
      cache.set('session-1', alice, later, cache.ticket());
      cache.set('session-2', alice, later, cache.ticket());
      const ticket = cache.ticket();

      redis.hear({ kind: 'session', id: 'session-1', origin: other });
      redis.hear({ kind: 'session', id: 'session-3', origin: other });
      cache.set('session-3', alice, later, ticket);

      expect(cache.get('session-1', alice.id, new Date())).toBeUndefined();
      expect(cache.get('session-3', alice.id, new Date())).toBeUndefined();
      expect(cache.get('session-2', alice.id, new Date())).toBe(alice);
      // Heard, not made here: nothing is published again.
      expect(redis.published).toEqual([]);
    });

    it('drops every session of a user another instance revoked them all for', () => {
      cache.set('session-1', alice, later, cache.ticket());
      cache.set('session-2', alice, later, cache.ticket());
      cache.set('session-3', bob, later, cache.ticket());
      const ticket = cache.ticket();

      redis.hear({ kind: 'user', id: alice.id, origin: other });
      cache.set('session-4', alice, later, ticket);

      expect(cache.get('session-1', alice.id, new Date())).toBeUndefined();
      expect(cache.get('session-2', alice.id, new Date())).toBeUndefined();
      expect(cache.get('session-4', alice.id, new Date())).toBeUndefined();
      expect(cache.get('session-3', bob.id, new Date())).toBe(bob);
    });

    it('ignores its own messages and ones it cannot read', () => {
      cache.forgetSession('session-0');
      const own = redis.published[0].origin;
      cache.set('session-1', alice, later, cache.ticket());

      redis.hear({ kind: 'session', id: 'session-1', origin: own });
      redis.hear('not json');
      redis.hear(null);
      redis.hear({ kind: 'session', origin: other });
      redis.hear({ kind: 'everything', id: 'session-1', origin: other });

      expect(cache.get('session-1', alice.id, new Date())).toBe(alice);
    });

    it('answers nothing and keeps nothing while Redis is unavailable, so the guard asks the database', () => {
      cache.set('session-1', alice, later, cache.ticket());
      redis.setAvailable(false);

      expect(cache.get('session-1', alice.id, new Date())).toBeUndefined();
      cache.set('session-2', alice, later, cache.ticket());
      expect(cache.get('session-2', alice.id, new Date())).toBeUndefined();
      // Still told to the others: publish swallows the error when Redis is down for all.
      cache.forgetSession('session-3');
      expect(redis.published).toEqual([expect.objectContaining({ kind: 'session', id: 'session-3' })]);
    });

    it('starts afresh when Redis is back: nothing from before, not even a lookup begun during the outage', () => {
      cache.set('session-1', alice, later, cache.ticket());
      redis.setAvailable(false);
      const duringOutage = cache.ticket();
      redis.setAvailable(true);

      expect(cache.get('session-1', alice.id, new Date())).toBeUndefined();
      cache.set('session-2', alice, later, duringOutage);
      expect(cache.get('session-2', alice.id, new Date())).toBeUndefined();
      cache.set('session-2', alice, later, cache.ticket());
      expect(cache.get('session-2', alice.id, new Date())).toBe(alice);
    });

    it('caches as before and publishes nothing when REDIS_URL is unset', () => {
      redis.configured = false;
      redis.available = false;

      cache.set('session-1', alice, later, cache.ticket());
      expect(cache.get('session-1', alice.id, new Date())).toBe(alice);
      cache.forgetSession('session-1');
      cache.forgetUser(alice.id);
      expect(redis.published).toEqual([]);
    });
  });
});
