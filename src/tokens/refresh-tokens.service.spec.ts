import { configFixture } from '../../test/fixtures/config.fixture';
import { clientFixture, userFixture } from '../../test/fixtures/user.fixture';
import { later, mockOf, newTransactionsMock, NOW, transactionManager, withFixedClock } from '../../test/utils';
import { UserStatus } from '../users/entities/user.entity';
import { RedeemableToken, RefreshTokensRepository, RotationState } from './refresh-tokens.repository';
import { RefreshTokensService } from './refresh-tokens.service';
import { hashSecret, successorSecret } from './secret-hash';
import { SessionCache } from './session-cache';

const TTL_SECONDS = 3600;
const GRACE_SECONDS = 10;

const FAMILY_ID = '0d8f5c2a-41b7-4e3a-9c6d-2f1e0a9b8c70';
const TOKEN_ID = '9a4e7b1c-5d2f-4c8e-b3a6-7f0d1e2c3b41';
const SUCCESSOR_ID = 'c2b7e9d4-0a1f-4b6c-8e3d-5f4a2b1c0d92';
/** 43 base64url characters, as `newSecret()` makes them. */
const SECRET = Buffer.alloc(32, 7).toString('base64url');
const PRESENTED = `${TOKEN_ID}.${SECRET}`;
const OTHER_SECRET = Buffer.alloc(32, 8).toString('base64url');
const OPAQUE_TOKEN = /^([0-9a-f-]{36})\.([\w-]{43})$/;

const owner = Object.freeze(userFixture());

/** A token of the family as `findWithHash` reads it: live, never rotated, used from the client's address. */
const redeemable = (overrides: Partial<RedeemableToken> = {}): RedeemableToken =>
  Object.freeze({
    id: TOKEN_ID,
    familyId: FAMILY_ID,
    tokenHash: hashSecret(SECRET),
    expiresAt: later(TTL_SECONDS),
    revokedAt: null,
    rotatedAt: null,
    lastUsedAt: null,
    ipAddress: clientFixture.ip,
    user: owner,
    ...overrides,
  });

/** The row a new token of the family gets: unused, from the client's user agent and address. */
const storedRow = (fields: { id: unknown; familyId: unknown; expiresAt: Date }) => ({
  ...fields,
  userId: owner.id,
  createdAt: NOW,
  revokedAt: null,
  rotatedAt: null,
  replacedBy: null,
  lastUsedAt: null,
  userAgent: clientFixture.userAgent,
  ipAddress: clientFixture.ip,
});

const unrotated: RotationState = Object.freeze({ revokedAt: null, rotatedAt: null, replacedBy: null });

function setup(settings: Parameters<typeof configFixture.tokens>[0] = {}) {
  const tokens = mockOf<RefreshTokensRepository>();
  const cache = mockOf<SessionCache>();
  const transactions = newTransactionsMock();
  const config = configFixture.tokens({
    refreshTokenTtl: TTL_SECONDS,
    refreshTokenReuseGrace: GRACE_SECONDS,
    refreshTokenRotation: true,
    ...settings,
  });
  const sut = new RefreshTokensService(tokens, cache, transactions, config);
  return { sut, tokens, cache, transactions };
}

describe(RefreshTokensService.name, () => {
  withFixedClock();

  it.each([true, false])('tells its callers whether REFRESH_TOKEN_ROTATION is %p', (refreshTokenRotation) => {
    const { sut } = setup({ refreshTokenRotation });

    expect(sut.rotation).toBe(refreshTokenRotation);
  });

  describe('issue', () => {
    it.each([
      ['in the caller’s transaction', transactionManager],
      ['on its own when given no transaction', undefined],
    ])('starts a new family %s: its own session, expiring REFRESH_TOKEN_TTL from now', async (_name, manager) => {
      const { sut, tokens } = setup();

      const issued = await sut.issue(owner, clientFixture, manager);

      const [id, secret] = OPAQUE_TOKEN.exec(issued.token)!.slice(1);
      const session = storedRow({ id, familyId: id, expiresAt: later(TTL_SECONDS) });
      expect(issued.session).toEqual(session);
      expect(tokens.insert).toHaveBeenCalledTimes(1);
      expect(tokens.insert).toHaveBeenCalledWith({ ...session, tokenHash: hashSecret(secret) }, manager);
    });

    it('gives every session a fresh id and secret, and stores only the secret’s hash', async () => {
      const { sut, tokens } = setup();

      const first = await sut.issue(owner, clientFixture);
      const second = await sut.issue(owner, clientFixture);

      expect(first.session.id).not.toBe(second.session.id);
      expect(first.token.split('.')[1]).not.toBe(second.token.split('.')[1]);
      const stored = JSON.stringify(tokens.insert.mock.calls);
      expect(stored).not.toContain(first.token.split('.')[1]);
      expect(stored).not.toContain(second.token.split('.')[1]);
    });

    it('issues a token that redeems as valid against the row it stored', async () => {
      const { sut, tokens } = setup();
      const issued = await sut.issue(owner, clientFixture);
      const [[row]] = tokens.insert.mock.calls;
      tokens.findWithHash.mockResolvedValue({ ...row, user: owner });

      await expect(sut.redeem(issued.token)).resolves.toEqual({ outcome: 'valid', token: { ...row, user: owner } });
      expect(tokens.findWithHash).toHaveBeenCalledWith(issued.session.id);
    });
  });

  describe('redeem', () => {
    it.each([UserStatus.Active, UserStatus.ForceChangePassword])(
      'accepts a live token whose secret matches, for a user who is %s',
      async (status) => {
        const { sut, tokens } = setup();
        const found = redeemable({ user: { ...owner, status } });
        tokens.findWithHash.mockResolvedValue(found);

        await expect(sut.redeem(PRESENTED)).resolves.toEqual({ outcome: 'valid', token: found });
        expect(tokens.findWithHash).toHaveBeenCalledWith(TOKEN_ID);
      },
    );

    it.each([
      ['an empty string', ''],
      ['a token without a secret', TOKEN_ID],
      ['a short secret', `${TOKEN_ID}.${SECRET.slice(1)}`],
      ['an id that is no UUID', `not-a-uuid-at-all-but-36-characters.${SECRET}`],
    ])('refuses %s without looking it up', async (_name, presented) => {
      const { sut, tokens } = setup();

      await expect(sut.redeem(presented)).resolves.toEqual({ outcome: 'invalid' });
      expect(tokens.findWithHash).not.toHaveBeenCalled();
    });

    it.each([
      ['an unknown id', null],
      ['a wrong secret', redeemable({ tokenHash: hashSecret(OTHER_SECRET) })],
      ['a row read without its hash', redeemable({ tokenHash: undefined })],
      ['a revoked token (its own revocation or its session’s)', redeemable({ revokedAt: later(-1) })],
      ['a token that expires this very instant', redeemable({ expiresAt: NOW })],
      ['an expired token', redeemable({ expiresAt: later(-1) })],
      ['a token of a disabled user', redeemable({ user: { ...owner, status: UserStatus.Disabled } })],
      [
        'a revoked token rotated long ago (revocation, not reuse)',
        redeemable({ revokedAt: NOW, rotatedAt: later(-60) }),
      ],
    ])('refuses %s as invalid', async (_name, found) => {
      const { sut, tokens } = setup();
      tokens.findWithHash.mockResolvedValue(found);

      await expect(sut.redeem(PRESENTED)).resolves.toEqual({ outcome: 'invalid' });
    });

    it('judges expiry at the instant it is given', async () => {
      const { sut, tokens } = setup();
      tokens.findWithHash.mockResolvedValue(redeemable({ expiresAt: later(30) }));

      await expect(sut.redeem(PRESENTED, later(29))).resolves.toMatchObject({ outcome: 'valid' });
      await expect(sut.redeem(PRESENTED, later(30))).resolves.toEqual({ outcome: 'invalid' });
    });

    it.each([
      ['a moment ago', later(-1)],
      ['exactly the grace window ago', later(-GRACE_SECONDS)],
    ])('still accepts a token rotated %s (a parallel tab)', async (_name, rotatedAt) => {
      const { sut, tokens } = setup();
      const found = redeemable({ rotatedAt });
      tokens.findWithHash.mockResolvedValue(found);

      await expect(sut.redeem(PRESENTED)).resolves.toEqual({ outcome: 'valid', token: found });
    });

    it('reports a token rotated longer ago than the grace window as reused', async () => {
      const { sut, tokens } = setup();
      const found = redeemable({ rotatedAt: later(-GRACE_SECONDS - 0.001) });
      tokens.findWithHash.mockResolvedValue(found);

      await expect(sut.redeem(PRESENTED)).resolves.toEqual({ outcome: 'reused', token: found });
    });

    it('measures the grace window with REFRESH_TOKEN_REUSE_GRACE', async () => {
      const { sut, tokens } = setup({ refreshTokenReuseGrace: 0 });
      tokens.findWithHash.mockResolvedValue(redeemable({ rotatedAt: later(-0.001) }));

      await expect(sut.redeem(PRESENTED)).resolves.toMatchObject({ outcome: 'reused' });
    });

    it('only reads: it neither writes nor revokes anything', async () => {
      const { sut, tokens, transactions } = setup();
      tokens.findWithHash.mockResolvedValue(redeemable({ rotatedAt: later(-3600) }));

      await expect(sut.redeem(PRESENTED)).resolves.toMatchObject({ outcome: 'reused' });
      expect(tokens.revokeFamily).not.toHaveBeenCalled();
      expect(tokens.touch).not.toHaveBeenCalled();
      expect(transactions.run).not.toHaveBeenCalled();
    });
  });

  describe('recordUse (rotation off)', () => {
    it.each([
      ['never used before', null],
      ['last used over a minute ago', later(-60.001)],
    ])('records the use of a token %s, as noteworthy', async (_name, lastUsedAt) => {
      const { sut, tokens } = setup({ refreshTokenRotation: false });

      await expect(sut.recordUse(redeemable({ lastUsedAt }), clientFixture)).resolves.toEqual({ noteworthy: true });
      expect(tokens.touch).toHaveBeenCalledWith(TOKEN_ID, NOW);
    });

    it.each([
      ['a moment ago', later(-1)],
      ['exactly a minute ago', later(-60)],
    ])('skips the write and the audit for a token last used %s from the login’s address', async (_name, lastUsedAt) => {
      const { sut, tokens } = setup({ refreshTokenRotation: false });

      await expect(sut.recordUse(redeemable({ lastUsedAt }), clientFixture)).resolves.toEqual({ noteworthy: false });
      expect(tokens.touch).not.toHaveBeenCalled();
    });

    it('calls a recent use from another address noteworthy, without writing it', async () => {
      const { sut, tokens } = setup({ refreshTokenRotation: false });
      const elsewhere = { ...clientFixture, ip: '198.51.100.9' };

      await expect(sut.recordUse(redeemable({ lastUsedAt: later(-1) }), elsewhere)).resolves.toEqual({
        noteworthy: true,
      });
      expect(tokens.touch).not.toHaveBeenCalled();
    });
  });

  describe('rotate (rotation on)', () => {
    const liveSession = Object.freeze({ revokedAt: null });

    /** The locked session's row and the token's state as `rotate` reads them in the transaction. */
    function rotating(
      state: RotationState | null = unrotated,
      session: { revokedAt: Date | null } | null = liveSession,
    ) {
      const context = setup();
      context.tokens.lockSession.mockResolvedValue(session);
      context.tokens.rotationState.mockResolvedValue(state);
      return context;
    }

    /** Expects no successor: none inserted, and the token not marked rotated. */
    function expectNoSuccessor(tokens: ReturnType<typeof setup>['tokens']) {
      expect(tokens.insert).not.toHaveBeenCalled();
      expect(tokens.markRotated).not.toHaveBeenCalled();
    }

    it('replaces the token with the family’s next one, inheriting its absolute expiry', async () => {
      const { sut, tokens } = rotating();
      const token = redeemable({ expiresAt: later(1234) });

      const rotation = await sut.rotate(token, PRESENTED, clientFixture, transactionManager);

      const [[row, manager]] = tokens.insert.mock.calls;
      expect(rotation).toEqual({ outcome: 'rotated', refreshToken: `${row.id}.${successorSecret(SECRET, row.id)}` });
      expect(row).toEqual({
        ...storedRow({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), familyId: FAMILY_ID, expiresAt: later(1234) }),
        tokenHash: hashSecret(successorSecret(SECRET, row.id)),
      });
      expect(row.id).not.toBe(TOKEN_ID);
      expect(manager).toBe(transactionManager);
      expect(tokens.markRotated).toHaveBeenCalledWith(TOKEN_ID, row.id, NOW, transactionManager);
    });

    it('locks the session’s row before it reads the token’s state, both in the caller’s transaction', async () => {
      const { sut, tokens } = rotating();

      await sut.rotate(redeemable(), PRESENTED, clientFixture, transactionManager);

      expect(tokens.lockSession).toHaveBeenCalledWith(FAMILY_ID, transactionManager);
      expect(tokens.rotationState).toHaveBeenCalledWith(TOKEN_ID, transactionManager);
      const [lock] = tokens.lockSession.mock.invocationCallOrder;
      const [read] = tokens.rotationState.mock.invocationCallOrder;
      const [write] = tokens.insert.mock.invocationCallOrder;
      expect(lock).toBeLessThan(read);
      expect(read).toBeLessThan(write);
    });

    it.each([
      ['a moment later', 1],
      ['at the end of the grace window', GRACE_SECONDS],
    ])('answers a second redemption %s with the same successor, adding no sibling', async (_name, secondsLater) => {
      const { sut, tokens } = rotating();
      const first = await sut.rotate(redeemable(), PRESENTED, clientFixture, transactionManager);
      const [[{ id: successorId }]] = tokens.insert.mock.calls;
      tokens.rotationState.mockResolvedValue({ revokedAt: null, rotatedAt: NOW, replacedBy: successorId });
      jest.setSystemTime(later(secondsLater));

      const second = await sut.rotate(redeemable({ rotatedAt: NOW }), PRESENTED, clientFixture, transactionManager);

      expect(second).toEqual(first);
      expect(tokens.insert).toHaveBeenCalledTimes(1);
      expect(tokens.markRotated).toHaveBeenCalledTimes(1);
      expect(tokens.revokeFamily).not.toHaveBeenCalled();
    });

    it('revokes the whole family, in the caller’s transaction, when a token is reused after the grace window', async () => {
      const { sut, tokens } = rotating({ revokedAt: null, rotatedAt: NOW, replacedBy: SUCCESSOR_ID });
      jest.setSystemTime(later(GRACE_SECONDS + 0.001));

      await expect(sut.rotate(redeemable(), PRESENTED, clientFixture, transactionManager)).resolves.toEqual({
        outcome: 'reused',
      });
      expect(tokens.revokeFamily).toHaveBeenCalledWith(FAMILY_ID, later(GRACE_SECONDS + 0.001), transactionManager);
      expectNoSuccessor(tokens);
    });

    it('judges the grace window at the instant it is given', async () => {
      const { sut, tokens } = rotating({ revokedAt: null, rotatedAt: NOW, replacedBy: SUCCESSOR_ID });

      await expect(
        sut.rotate(redeemable(), PRESENTED, clientFixture, transactionManager, later(GRACE_SECONDS + 1)),
      ).resolves.toEqual({ outcome: 'reused' });
      expect(tokens.revokeFamily).toHaveBeenCalledWith(FAMILY_ID, later(GRACE_SECONDS + 1), transactionManager);
    });

    it.each([
      ['the presented token is malformed', 'not-a-token', liveSession, unrotated],
      ['the session is gone', PRESENTED, null, unrotated],
      ['the session was revoked meanwhile', PRESENTED, { revokedAt: NOW }, unrotated],
      ['the token is gone', PRESENTED, liveSession, null],
      ['the token was revoked meanwhile', PRESENTED, liveSession, { ...unrotated, revokedAt: NOW }],
      [
        'the token was revoked, even long after its rotation',
        PRESENTED,
        liveSession,
        { revokedAt: NOW, rotatedAt: later(-3600), replacedBy: SUCCESSOR_ID },
      ],
    ])('refuses, writing nothing, when %s', async (_name, presented, session, state) => {
      const { sut, tokens } = rotating(state, session);

      await expect(sut.rotate(redeemable(), presented, clientFixture, transactionManager)).resolves.toEqual({
        outcome: 'invalid',
      });
      expectNoSuccessor(tokens);
      expect(tokens.revokeFamily).not.toHaveBeenCalled();
    });
  });

  describe('revokeFamily', () => {
    it('ends the session in its own transaction, then forgets it', async () => {
      const { sut, tokens, cache, transactions } = setup();

      await expect(sut.revokeFamily(FAMILY_ID)).resolves.toBeUndefined();

      expect(transactions.run).toHaveBeenCalledTimes(1);
      expect(tokens.revokeFamily).toHaveBeenCalledWith(FAMILY_ID, NOW, transactionManager);
      expect(cache.forgetSession).toHaveBeenCalledWith(FAMILY_ID);
      expect(tokens.revokeFamily.mock.invocationCallOrder[0]).toBeLessThan(
        cache.forgetSession.mock.invocationCallOrder[0],
      );
    });

    it('keeps the cached session when the revocation fails', async () => {
      const { sut, tokens, cache } = setup();
      const failure = new Error('database down');
      tokens.revokeFamily.mockRejectedValue(failure);

      await expect(sut.revokeFamily(FAMILY_ID)).rejects.toBe(failure);
      expect(cache.forgetSession).not.toHaveBeenCalled();
    });
  });

  describe('revoke', () => {
    it.each([
      ['a live token', redeemable()],
      ['an already revoked token', redeemable({ revokedAt: later(-5) })],
      ['an expired token', redeemable({ expiresAt: later(-5) })],
    ])('revokes the family of %s and returns its owner', async (_name, found) => {
      const { sut, tokens, cache } = setup();
      tokens.findWithHash.mockResolvedValue(found);

      await expect(sut.revoke(PRESENTED)).resolves.toBe(owner);
      expect(tokens.revokeFamily).toHaveBeenCalledWith(FAMILY_ID, NOW, transactionManager);
      expect(cache.forgetSession).toHaveBeenCalledWith(FAMILY_ID);
    });

    it.each([
      ['a malformed token', 'garbage', redeemable()],
      ['an unknown token', PRESENTED, null],
      ['a token with a wrong secret', `${TOKEN_ID}.${OTHER_SECRET}`, redeemable()],
    ])('accepts %s quietly, revoking nothing (RFC 7009)', async (_name, presented, found) => {
      const { sut, tokens, cache, transactions } = setup();
      tokens.findWithHash.mockResolvedValue(found);

      await expect(sut.revoke(presented)).resolves.toBeUndefined();
      expect(transactions.run).not.toHaveBeenCalled();
      expect(tokens.revokeFamily).not.toHaveBeenCalled();
      expect(cache.forgetSession).not.toHaveBeenCalled();
    });
  });

  describe('revokeAllForUser', () => {
    it('revokes every session of the user now, in the caller’s transaction, and leaves the cache to the caller', async () => {
      const { sut, tokens, cache, transactions } = setup();

      await sut.revokeAllForUser(owner.id, transactionManager);

      expect(tokens.revokeAllForUser).toHaveBeenCalledWith(owner.id, NOW, transactionManager, undefined);
      expect(transactions.run).not.toHaveBeenCalled();
      expect(cache.forgetUser).not.toHaveBeenCalled();
    });

    it('spares the session it is told to keep', async () => {
      const { sut, tokens } = setup();

      await sut.revokeAllForUser(owner.id, transactionManager, { exceptFamilyId: FAMILY_ID });

      expect(tokens.revokeAllForUser).toHaveBeenCalledWith(owner.id, NOW, transactionManager, FAMILY_ID);
    });
  });

  describe('forgetSession and forgetSessionsOf', () => {
    it('forget one session, or all of a user’s, in the cache', () => {
      const { sut, cache } = setup();

      sut.forgetSession(FAMILY_ID);
      sut.forgetSessionsOf(owner.id);

      expect(cache.forgetSession).toHaveBeenCalledWith(FAMILY_ID);
      expect(cache.forgetUser).toHaveBeenCalledWith(owner.id);
    });
  });

  describe('activeSessionUser', () => {
    it('answers from the cache without a query', async () => {
      const { sut, tokens, cache } = setup();
      cache.get.mockReturnValue(owner);

      await expect(sut.activeSessionUser(FAMILY_ID, owner.id)).resolves.toBe(owner);
      expect(cache.get).toHaveBeenCalledWith(FAMILY_ID, owner.id, NOW);
      expect(tokens.findSessionState).not.toHaveBeenCalled();
    });

    it('looks an uncached session up and caches it until its expiry, with a ticket taken before the lookup', async () => {
      const { sut, tokens, cache } = setup();
      const ticket = { seq: 3, at: NOW.getTime() };
      cache.ticket.mockReturnValue(ticket);
      tokens.findSessionState.mockResolvedValue({ revokedAt: null, expiresAt: later(60), user: owner });

      await expect(sut.activeSessionUser(FAMILY_ID, owner.id)).resolves.toBe(owner);
      expect(tokens.findSessionState).toHaveBeenCalledWith(FAMILY_ID, owner.id);
      expect(cache.set).toHaveBeenCalledWith(FAMILY_ID, owner, later(60), ticket);
      expect(cache.ticket.mock.invocationCallOrder[0]).toBeLessThan(
        tokens.findSessionState.mock.invocationCallOrder[0],
      );
    });

    it.each([
      ['an unknown session', null],
      ['a revoked session', { revokedAt: later(-1), expiresAt: later(60), user: owner }],
      ['a session that expires this very instant', { revokedAt: null, expiresAt: NOW, user: owner }],
      [
        'the session of a disabled user',
        { revokedAt: null, expiresAt: later(60), user: { ...owner, status: UserStatus.Disabled } },
      ],
    ])('answers null for %s and caches nothing', async (_name, state) => {
      const { sut, tokens, cache } = setup();
      tokens.findSessionState.mockResolvedValue(state);

      await expect(sut.activeSessionUser(FAMILY_ID, owner.id)).resolves.toBeNull();
      expect(cache.set).not.toHaveBeenCalled();
    });
  });
});
