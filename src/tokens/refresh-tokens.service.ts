import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ClientInfo } from '../common/http/client-info';
import { AllConfig } from '../config/config.types';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { RedeemableToken, RefreshTokensRepository, TokenOwner } from './refresh-tokens.repository';
import { hashSecret, newSecret, parseOpaqueToken, secretMatches } from './secret-hash';
import { SessionCache } from './session-cache';

const LAST_USED_RESOLUTION_MS = 60_000;

export interface IssuedRefreshToken {
  token: string;
  session: RefreshTokenEntity;
}

/** What presenting a refresh token amounts to. */
export type Redemption =
  | { outcome: 'valid'; token: RedeemableToken }
  /** A rotated token used after its grace window: a copy is in someone else's hands. */
  | { outcome: 'reused'; token: RedeemableToken }
  | { outcome: 'invalid' };

export interface Refreshed {
  /** The family's next token, when rotation is on. */
  refreshToken?: string;
  noteworthy: boolean;
}

@Injectable()
export class RefreshTokensService {
  private readonly ttlSeconds: number;
  private readonly reuseGraceMs: number;
  readonly rotation: boolean;

  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly cache: SessionCache,
    @Inject(ConfigService) config: ConfigService<AllConfig, true>,
  ) {
    const settings = config.get('tokens', { infer: true });
    this.ttlSeconds = settings.refreshTokenTtl;
    this.reuseGraceMs = settings.refreshTokenReuseGrace * 1000;
    this.rotation = settings.refreshTokenRotation;
  }

  /** Starts a session (a new family), or adds a token to one when `parent` is given. */
  async issue(
    user: Pick<UserEntity, 'id'>,
    client: ClientInfo,
    manager?: EntityManager,
    parent?: Pick<RefreshTokenEntity, 'familyId' | 'expiresAt'>,
  ): Promise<IssuedRefreshToken> {
    const secret = newSecret();
    const now = new Date();
    const id = randomUUID();
    const session: RefreshTokenEntity = {
      id,
      userId: user.id,
      familyId: parent?.familyId ?? id,
      createdAt: now,
      // Absolute from login: a rotated token inherits its parent's expiry.
      expiresAt: parent?.expiresAt ?? new Date(now.getTime() + this.ttlSeconds * 1000),
      revokedAt: null,
      rotatedAt: null,
      lastUsedAt: null,
      userAgent: client.userAgent,
      ipAddress: client.ip,
    };
    await this.tokens.insert({ ...session, tokenHash: hashSecret(secret) }, manager);
    return { token: `${session.id}.${secret}`, session };
  }

  async redeem(token: string, now = new Date()): Promise<Redemption> {
    const found = await this.findOwned(token);
    if (!found || found.revokedAt !== null || found.expiresAt <= now) return { outcome: 'invalid' };
    if (found.user.status === UserStatus.Disabled) return { outcome: 'invalid' };
    if (found.rotatedAt !== null && now.getTime() - found.rotatedAt.getTime() > this.reuseGraceMs) {
      return { outcome: 'reused', token: found };
    }
    return { outcome: 'valid', token: found };
  }

  /**
   * Without rotation a refresh only records the use; with it, it mints the family's next token.
   * `noteworthy` tells the audit trail whether to keep it: a rotation always, a plain refresh
   * when it comes from another address than the login's or over a minute after the last
   * recorded use. A client refreshing in a loop from where it logged in adds no rows.
   */
  async refresh(token: RedeemableToken, client: ClientInfo): Promise<Refreshed> {
    const now = new Date();
    if (!this.rotation) {
      const stale = !token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS;
      // last_used_at is for operators, to the minute: skip the write on rapid refreshes.
      if (stale) await this.tokens.touch(token.id, now);
      return { noteworthy: stale || client.ip !== token.ipAddress };
    }
    const refreshToken = await this.tokens.transaction(async (manager) => {
      // Within the grace window a second refresh of the same token also gets a token of
      // this family: one family, never two, however the requests race.
      await this.tokens.markRotated(token.id, now, manager);
      return (await this.issue(token.user, client, manager, token)).token;
    });
    return { refreshToken, noteworthy: true };
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.tokens.revokeFamily(familyId, new Date());
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
   * Inside a transaction, call forgetSessionsOf(userId) again once it has committed: until
   * then another connection still reads the sessions as active and could cache them.
   */
  async revokeAllForUser(userId: string, options: { exceptFamilyId?: string; manager?: EntityManager } = {}) {
    await this.tokens.revokeAllForUser(userId, new Date(), options);
    this.cache.forgetUser(userId);
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
    const state = await this.tokens.findSessionState(familyId, userId);
    const active =
      state !== null && state.revokedAt === null && state.expiresAt > now && state.user.status !== UserStatus.Disabled;
    if (!active) return null;
    this.cache.set(familyId, state.user, state.expiresAt);
    return state.user;
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
