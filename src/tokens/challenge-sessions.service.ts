import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull, LessThan, Repository } from 'typeorm';
import { aDayBefore, deleteBatch, Janitor } from '../database/janitor';
import { canonicalUsername } from '../users/username';
import { UserEntity } from '../users/entities/user.entity';
import { ChallengeSessionEntity } from './entities/challenge-session.entity';
import { hashSecret, newSecret, parseOpaqueToken, secretMatches } from './secret-hash';
import { TokensConfig, tokensConfig } from './tokens.config';

/** Opaque, single-use sessions for answering a login challenge. */
@Injectable()
export class ChallengeSessionsService implements OnModuleInit {
  private readonly ttlSeconds: number;

  constructor(
    @InjectRepository(ChallengeSessionEntity) private readonly sessions: Repository<ChallengeSessionEntity>,
    private readonly janitor: Janitor,
    @Inject(tokensConfig.KEY) config: TokensConfig,
  ) {
    this.ttlSeconds = config.challengeSessionTtl;
  }

  onModuleInit(): void {
    this.janitor.register('challenge_sessions', (now, batchSize) =>
      deleteBatch(this.sessions, { expiresAt: LessThan(aDayBefore(now)) }, batchSize),
    );
  }

  async start(user: UserEntity): Promise<{ session: string; expiresIn: number }> {
    const secret = newSecret();
    const now = new Date();
    const id = randomUUID();
    await this.sessions.insert({
      id,
      userId: user.id,
      secretHash: hashSecret(secret),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      consumedAt: null,
    });
    return { session: `${id}.${secret}`, expiresIn: this.ttlSeconds };
  }

  /** The unspent, unexpired session issued to this username; null for anything else. */
  async find(session: string, username: string, now = new Date()): Promise<ChallengeSessionEntity | null> {
    const parts = parseOpaqueToken(session);
    if (!parts) return null;
    const found = await this.sessions
      .createQueryBuilder('challenge')
      .addSelect('challenge.secretHash')
      .innerJoinAndSelect('challenge.user', 'user')
      .where('challenge.id = :id', { id: parts.id })
      .getOne();
    if (!found?.secretHash || !secretMatches(parts.secret, found.secretHash)) return null;
    if (found.consumedAt !== null || found.expiresAt <= now) return null;
    return found.user?.username === canonicalUsername(username) ? found : null;
  }

  /** Marks the session spent; false when a concurrent request spent it first. */
  async consume(id: string, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .getRepository(ChallengeSessionEntity)
      .update({ id, consumedAt: IsNull() }, { consumedAt: new Date() });
    return result.affected === 1;
  }
}
