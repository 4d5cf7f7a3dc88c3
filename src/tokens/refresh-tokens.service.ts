import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ClientInfo } from '../common/http/client-info';
import { AllConfig } from '../config/config.types';
import { UserEntity, UserStatus } from '../users/entities/user.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { hashSecret, newSecret, secretMatches } from './secret-hash';

/** `<uuid>.<43 base64url chars>`: the id finds the row, the secret proves possession. */
const TOKEN_FORMAT = /^([0-9a-f-]{36})\.([\w-]{43})$/;

export interface IssuedRefreshToken {
  token: string;
  session: RefreshTokenEntity;
}

@Injectable()
export class RefreshTokensService {
  private readonly ttlSeconds: number;

  constructor(
    private readonly tokens: RefreshTokensRepository,
    @Inject(ConfigService) config: ConfigService<AllConfig, true>,
  ) {
    this.ttlSeconds = config.get('tokens.refreshTokenTtl', { infer: true });
  }

  async issue(user: UserEntity, client: ClientInfo, manager?: EntityManager): Promise<IssuedRefreshToken> {
    const secret = newSecret();
    const now = new Date();
    const session: RefreshTokenEntity = {
      id: randomUUID(),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      revokedAt: null,
      lastUsedAt: null,
      userAgent: client.userAgent,
      ipAddress: client.ip,
    };
    await this.tokens.insert({ ...session, tokenHash: hashSecret(secret) }, manager);
    return { token: `${session.id}.${secret}`, session };
  }

  /** The live session a refresh token stands for, with its user; null for anything else. */
  async findActive(token: string, now = new Date()): Promise<RefreshTokenEntity | null> {
    const match = TOKEN_FORMAT.exec(token);
    if (!match) return null;
    const [, id, secret] = match;
    const session = await this.tokens.findWithHash(id);
    if (!session?.tokenHash || !secretMatches(secret, session.tokenHash)) return null;
    if (session.revokedAt !== null || session.expiresAt <= now) return null;
    if (session.user?.status === UserStatus.Disabled) return null;
    return session;
  }

  async markUsed(session: RefreshTokenEntity, at = new Date()): Promise<void> {
    await this.tokens.touch(session.id, at);
  }

  /** RFC 7009: revoking an unknown, expired or already revoked token is not an error. */
  async revoke(token: string): Promise<void> {
    const match = TOKEN_FORMAT.exec(token);
    if (!match) return;
    const session = await this.tokens.findWithHash(match[1]);
    if (session?.tokenHash && secretMatches(match[2], session.tokenHash)) {
      await this.tokens.revoke(session.id, new Date());
    }
  }

  async revokeAllForUser(userId: string, options: { exceptId?: string; manager?: EntityManager } = {}) {
    await this.tokens.revokeAllForUser(userId, new Date(), options);
  }

  /** Whether an access token issued from this session may still be used. */
  async isSessionActive(sessionId: string, userId: string, now = new Date()): Promise<boolean> {
    const state = await this.tokens.findSessionState(sessionId, userId);
    return (
      state !== null && state.revokedAt === null && state.expiresAt > now && state.userStatus !== UserStatus.Disabled
    );
  }
}
