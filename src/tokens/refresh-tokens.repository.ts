import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Not, Repository } from 'typeorm';
import { UserStatus } from '../users/entities/user.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';

export interface SessionState {
  revokedAt: Date | null;
  expiresAt: Date;
  userStatus: UserStatus;
}

@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>) {}

  private repo(manager?: EntityManager): Repository<RefreshTokenEntity> {
    return manager ? manager.getRepository(RefreshTokenEntity) : this.tokens;
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

  /** What the access guard needs, by primary key in one query. */
  async findSessionState(id: string, userId: string): Promise<SessionState | null> {
    const row = await this.tokens
      .createQueryBuilder('token')
      .innerJoin('token.user', 'user')
      .select(['token.revokedAt', 'token.expiresAt', 'user.status'])
      .where('token.id = :id AND token.user_id = :userId', { id, userId })
      .getOne();
    return row ? { revokedAt: row.revokedAt, expiresAt: row.expiresAt, userStatus: row.user!.status } : null;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.tokens.update({ id }, { lastUsedAt: at });
  }

  async revoke(id: string, at: Date): Promise<void> {
    await this.tokens.update({ id, revokedAt: IsNull() }, { revokedAt: at });
  }

  async revokeAllForUser(userId: string, at: Date, options: { exceptId?: string; manager?: EntityManager } = {}) {
    const where = { userId, revokedAt: IsNull(), ...(options.exceptId ? { id: Not(options.exceptId) } : {}) };
    await this.repo(options.manager).update(where, { revokedAt: at });
  }
}
