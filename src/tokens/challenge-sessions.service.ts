import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull, LessThan, Repository } from 'typeorm';
import { aDayBefore, deleteBatch, Janitor } from '../database/janitor';
import { canonicalUsername } from '../users/username';
import { UserEntity } from '../users/entities/user.entity';
import { ChallengeKind, ChallengeSessionEntity } from './entities/challenge-session.entity';
import { hashSecret, newSecret, parseOpaqueToken, secretMatches } from './secret-hash';
import { TokensConfig, tokensConfig } from './tokens.config';

/** Wrong one-time codes a challenge session takes; the last of them ends it. */
export const MAX_WRONG_CODES = 5;

/** Opaque, single-use sessions for answering a login challenge, each for one kind of answer. */
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

  async start(user: UserEntity, challenge: ChallengeKind): Promise<{ session: string; expiresIn: number }> {
    const secret = newSecret();
    const now = new Date();
    const id = randomUUID();
    await this.sessions.insert({
      id,
      userId: user.id,
      secretHash: hashSecret(secret),
      challenge,
      failedAttempts: 0,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      consumedAt: null,
    });
    return { session: `${id}.${secret}`, expiresIn: this.ttlSeconds };
  }

  /**
   * The unspent, unexpired session of this kind issued to this username (to anyone, without
   * one); null for anything else.
   */
  async find(
    session: string,
    username: string | undefined,
    challenge: ChallengeKind,
    now = new Date(),
  ): Promise<ChallengeSessionEntity | null> {
    const parts = parseOpaqueToken(session);
    if (!parts) return null;
    const found = await this.sessions
      .createQueryBuilder('challenge')
      .addSelect('challenge.secretHash')
      .innerJoinAndSelect('challenge.user', 'user')
      .where('challenge.id = :id', { id: parts.id })
      .getOne();
    if (!found?.secretHash || !secretMatches(parts.secret, found.secretHash)) return null;
    if (found.consumedAt !== null || found.expiresAt <= now || found.challenge !== challenge) return null;
    if (username === undefined) return found;
    return found.user?.username === canonicalUsername(username) ? found : null;
  }

  /** Marks the session spent; false when a concurrent request spent it first. */
  async consume(id: string, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .getRepository(ChallengeSessionEntity)
      .update({ id, consumedAt: IsNull() }, { consumedAt: new Date() });
    return result.affected === 1;
  }

  /**
   * Counts a wrong code against the session, in its own statement so parallel wrong codes all
   * count; the MAX_WRONG_CODES-th ends it.
   */
  async recordWrongCode(id: string): Promise<void> {
    await this.sessions.update({ id }, { failedAttempts: () => 'failed_attempts + 1' });
    await this.sessions
      .createQueryBuilder()
      .update()
      .set({ consumedAt: new Date() })
      .where('id = :id AND consumed_at IS NULL AND failed_attempts >= :max', { id, max: MAX_WRONG_CODES })
      .execute();
  }
}
