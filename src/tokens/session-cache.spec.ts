import { configFixture } from '../../test/fixtures/config.fixture';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { SessionCache } from './session-cache';

const alice = Object.freeze({ id: 'user-alice', username: 'alice', status: UserStatus.Active }) as UserEntity;
const later = new Date(Date.now() + 3_600_000);

describe(SessionCache.name, () => {
  let sut: SessionCache;

  beforeEach(() => {
    sut = new SessionCache(configFixture.tokens({ sessionCacheTtlMs: 60_000 }));
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
    const off = new SessionCache(configFixture.tokens({ sessionCacheTtlMs: 0 }));
    off.set('session-1', alice, later, off.ticket());

    expect(off.get('session-1', alice.id, new Date())).toBeUndefined();
  });
});
