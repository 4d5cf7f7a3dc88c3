import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ClientInfo } from '../common/http/client-info';
import { Transactions } from '../database/transactions';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { RedeemableToken, RefreshTokensRepository, SessionRecord, TokenOwner } from './refresh-tokens.repository';
import { hashSecret, newSecret, parseOpaqueToken, secretMatches, successorSecret } from './secret-hash';
import { SessionCache } from './session-cache';
import { TokensConfig, tokensConfig } from './tokens.config';

const LAST_USED_RESOLUTION_MS = 60_000;

export interface IssuedRefreshToken {
  token: string;
  session: RefreshTokenEntity;
}

/** What presenting a refresh token amounts to, before any rotation. */
export type Redemption =
  | { outcome: 'valid'; token: RedeemableToken }
  /** A rotated token used after its grace window: a copy is in someone else's hands. */
  | { outcome: 'reused'; token: RedeemableToken }
  | { outcome: 'invalid' };

/** What a rotation did, decided while the session's row was locked. */
export type Rotation =
  | { outcome: 'rotated'; refreshToken: string }
  /** Replaced after its grace window: the session is revoked (call forgetSession once committed). */
  | { outcome: 'reused' }
  | { outcome: 'invalid' };

@Injectable()
export class RefreshTokensService {
  private readonly ttlSeconds: number;
  private readonly reuseGraceMs: number;
  readonly rotation: boolean;

  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly cache: SessionCache,
    private readonly transactions: Transactions,
    @Inject(tokensConfig.KEY) config: TokensConfig,
  ) {
    const settings = config;
    this.ttlSeconds = settings.refreshTokenTtl;
    this.reuseGraceMs = settings.refreshTokenReuseGrace * 1000;
    this.rotation = settings.refreshTokenRotation;
  }

  /** Starts a session: the first token of a new family. */
  async issue(user: Pick<UserEntity, 'id'>, client: ClientInfo, manager?: EntityManager): Promise<IssuedRefreshToken> {
    const id = randomUUID();
    return this.insert(id, newSecret(), user, client, manager);
  }

  async redeem(token: string, now = new Date()): Promise<Redemption> {
    const found = await this.findOwned(token);
    if (!found || found.revokedAt !== null || found.expiresAt <= now) return { outcome: 'invalid' };
    if (found.user.status === UserStatus.Disabled) return { outcome: 'invalid' };
    if (found.rotatedAt !== null && !this.withinGrace(found.rotatedAt, now)) return { outcome: 'reused', token: found };
    return { outcome: 'valid', token: found };
  }

  /**
   * Without rotation a refresh only records the use, and says whether the audit trail should
   * keep it: when it comes from another address than the login's, or over a minute after the
   * last recorded use. A client refreshing in a loop from where it logged in adds no rows.
   */
  async recordUse(token: RedeemableToken, client: ClientInfo, now = new Date()): Promise<{ noteworthy: boolean }> {
    const stale = !token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS;
    // last_used_at is for operators, to the minute: skip the write on rapid refreshes.
    if (stale) await this.tokens.touch(token.id, now);
    return { noteworthy: stale || client.ip !== token.ipAddress };
  }

  /**
   * Replaces `presented` with the family's next token, inside the caller's transaction, which
   * must already hold the owner's row. The session's row is locked first and checked, so a
   * revocation that committed before is seen, and one that comes later also catches the new
   * token. Within the grace window a token that was already replaced yields the same successor
   * (parallel tabs share one token, never two siblings); after it, the session is revoked.
   */
  async rotate(
    token: RedeemableToken,
    presented: string,
    client: ClientInfo,
    manager: EntityManager,
    now = new Date(),
  ): Promise<Rotation> {
    const parts = parseOpaqueToken(presented);
    const session = await this.tokens.lockSession(token.familyId, manager);
    const state = await this.tokens.rotationState(token.id, manager);
    if (!parts || !session || session.revokedAt !== null || !state || state.revokedAt !== null) {
      return { outcome: 'invalid' };
    }
    if (state.rotatedAt !== null && !this.withinGrace(state.rotatedAt, now)) {
      await this.tokens.revokeFamily(token.familyId, now, manager);
      return { outcome: 'reused' };
    }
    if (state.replacedBy !== null) {
      return {
        outcome: 'rotated',
        refreshToken: `${state.replacedBy}.${successorSecret(parts.secret, state.replacedBy)}`,
      };
    }
    const successorId = randomUUID();
    const successor = await this.insert(
      successorId,
      successorSecret(parts.secret, successorId),
      token.user,
      client,
      manager,
      token,
    );
    await this.tokens.markRotated(token.id, successorId, now, manager);
    return { outcome: 'rotated', refreshToken: successor.token };
  }

  /** Ends the session in its own transaction and forgets it once that has committed. */
  async revokeFamily(familyId: string): Promise<void> {
    await this.transactions.run((manager) => this.tokens.revokeFamily(familyId, new Date(), manager));
    this.cache.forgetSession(familyId);
  }

  /**
   * RFC 7009: revoking an unknown, expired or already revoked token is not an error.
   * Returns the owner when the token was ours.
   */
  async revoke(token: string): Promise<TokenOwner | undefined> {
    const found = await this.findOwned(token);
    if (!found) return undefined;
    await this.revokeFamily(found.familyId);
    return found.user;
  }

  /**
   * Inside the caller's transaction, which must already hold the user's row; call
   * forgetSessionsOf(userId) once it has committed.
   */
  async revokeAllForUser(userId: string, manager: EntityManager, options: { exceptFamilyId?: string } = {}) {
    await this.tokens.revokeAllForUser(userId, new Date(), manager, options.exceptFamilyId);
  }

  liveSessionsOf(userId: string, now = new Date()): Promise<SessionRecord[]> {
    return this.tokens.liveSessionsOf(userId, now);
  }

  forgetSession(familyId: string): void {
    this.cache.forgetSession(familyId);
  }

  forgetSessionsOf(userId: string): void {
    this.cache.forgetUser(userId);
  }

  /**
   * The user of a session (`sid`, the family id) whose access tokens may still be used;
   * null once it is revoked or expired, or its user disabled.
   */
  async activeSessionUser(familyId: string, userId: string, now = new Date()): Promise<UserEntity | null> {
    const cached = this.cache.get(familyId, userId, now);
    if (cached) return cached;
    const ticket = this.cache.ticket();
    const state = await this.tokens.findSessionState(familyId, userId);
    const active =
      state !== null && state.revokedAt === null && state.expiresAt > now && state.user.status !== UserStatus.Disabled;
    if (!active) return null;
    this.cache.set(familyId, state.user, state.expiresAt, ticket);
    return state.user;
  }

  private withinGrace(rotatedAt: Date, now: Date): boolean {
    return now.getTime() - rotatedAt.getTime() <= this.reuseGraceMs;
  }

  private async insert(
    id: string,
    secret: string,
    user: Pick<UserEntity, 'id'>,
    client: ClientInfo,
    manager?: EntityManager,
    parent?: Pick<RefreshTokenEntity, 'familyId' | 'expiresAt'>,
  ): Promise<IssuedRefreshToken> {
    const now = new Date();
    const session: RefreshTokenEntity = {
      id,
      userId: user.id,
      familyId: parent?.familyId ?? id,
      createdAt: now,
      // Absolute from login: a rotated token inherits its parent's expiry.
      expiresAt: parent?.expiresAt ?? new Date(now.getTime() + this.ttlSeconds * 1000),
      revokedAt: null,
      rotatedAt: null,
      replacedBy: null,
      lastUsedAt: null,
      userAgent: client.userAgent,
      ipAddress: client.ip,
    };
    await this.tokens.insert({ ...session, tokenHash: hashSecret(secret) }, manager);
    return { token: `${session.id}.${secret}`, session };
  }

  /** The row a token names, if the caller proves possession of its secret. */
  private async findOwned(token: string): Promise<RedeemableToken | null> {
    const parts = parseOpaqueToken(token);
    if (!parts) return null;
    const found = await this.tokens.findWithHash(parts.id);
    if (!found?.tokenHash || !secretMatches(parts.secret, found.tokenHash)) return null;
    return found;
  }
}
