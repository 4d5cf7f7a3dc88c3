import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Not, Repository } from 'typeorm';
import { UserEntity } from '../users/entities/user.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';

export interface SessionState {
  revokedAt: Date | null;
  expiresAt: Date;
  user: UserEntity;
}

@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>) {}

  private repo(manager?: EntityManager): Repository<RefreshTokenEntity> {
    return manager ? manager.getRepository(RefreshTokenEntity) : this.tokens;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.tokens.manager.transaction(work);
  }

  async insert(token: RefreshTokenEntity & { tokenHash: string }, manager?: EntityManager): Promise<void> {
    await this.repo(manager).insert(token);
  }

  findWithHash(id: string): Promise<RefreshTokenEntity | null> {
    return this.tokens
      .createQueryBuilder('token')
      .addSelect('token.tokenHash')
      .innerJoinAndSelect('token.user', 'user')
      .where('token.id = :id', { id })
      .getOne();
  }

  /** What the access guard needs: the family's first token by primary key, and its user, in one query. */
  async findSessionState(familyId: string, userId: string): Promise<SessionState | null> {
    const row = await this.tokens
      .createQueryBuilder('token')
      .innerJoinAndSelect('token.user', 'user')
      .select(['token.id', 'token.revokedAt', 'token.expiresAt', 'user'])
      .where('token.id = :familyId AND token.user_id = :userId', { familyId, userId })
      .getOne();
    return row?.user ? { revokedAt: row.revokedAt, expiresAt: row.expiresAt, user: row.user } : null;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.tokens.update({ id }, { lastUsedAt: at });
  }

  /** Marks a token replaced; false when a concurrent refresh replaced it first. */
  async markRotated(id: string, at: Date, manager: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).update({ id, rotatedAt: IsNull() }, { rotatedAt: at, lastUsedAt: at });
    return result.affected === 1;
  }

  async revokeFamily(familyId: string, at: Date): Promise<void> {
    await this.tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: at });
  }

  async revokeAllForUser(
    userId: string,
    at: Date,
    options: { exceptFamilyId?: string; manager?: EntityManager } = {},
  ): Promise<void> {
    const where = {
      userId,
      revokedAt: IsNull(),
      ...(options.exceptFamilyId ? { familyId: Not(options.exceptFamilyId) } : {}),
    };
    await this.repo(options.manager).update(where, { revokedAt: at });
  }
}
