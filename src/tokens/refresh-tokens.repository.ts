import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Not, Repository } from 'typeorm';
import { PrebuiltSelect } from '../database/prebuilt-select';
import { UserEntity } from '../users/entities/user.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';

/** What a refresh needs of a token: its state, and the identity the new tokens carry. */
export type RedeemableToken = Pick<
  RefreshTokenEntity,
  'id' | 'familyId' | 'tokenHash' | 'expiresAt' | 'revokedAt' | 'rotatedAt' | 'lastUsedAt' | 'ipAddress'
> & { user: TokenOwner };
export type TokenOwner = Pick<UserEntity, 'id' | 'username' | 'email' | 'status' | 'roles'>;

export interface SessionState {
  revokedAt: Date | null;
  expiresAt: Date;
  user: UserEntity;
}

@Injectable()
export class RefreshTokensRepository {
  /** The two lookups on the hot paths (refresh, and every authenticated request), built once. */
  private readonly tokenWithUser: PrebuiltSelect;
  private readonly sessionState: PrebuiltSelect;

  constructor(@InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>) {
    this.tokenWithUser = new PrebuiltSelect(
      tokens
        .createQueryBuilder('token')
        .innerJoin('token.user', 'user')
        .select(['token.id', 'token.familyId', 'token.tokenHash', 'token.expiresAt', 'token.revokedAt'])
        .addSelect(['token.rotatedAt', 'token.lastUsedAt', 'token.ipAddress'])
        .addSelect(['user.id', 'user.username', 'user.email', 'user.status', 'user.roles'])
        .where('token.id = :id'),
      ['id'],
    );
    this.sessionState = new PrebuiltSelect(
      tokens
        .createQueryBuilder('token')
        .innerJoinAndSelect('token.user', 'user')
        .select(['token.id', 'token.revokedAt', 'token.expiresAt', 'user'])
        .where('token.id = :familyId AND token.user_id = :userId'),
      ['familyId', 'userId'],
    );
  }

  private repo(manager?: EntityManager): Repository<RefreshTokenEntity> {
    return manager ? manager.getRepository(RefreshTokenEntity) : this.tokens;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.tokens.manager.transaction(work);
  }

  async insert(token: RefreshTokenEntity & { tokenHash: string }, manager?: EntityManager): Promise<void> {
    await this.repo(manager).insert(token);
  }

  async findWithHash(id: string): Promise<RedeemableToken | null> {
    const row = await this.tokenWithUser.first({ id });
    if (!row) return null;
    const token = this.tokenWithUser.entity<RefreshTokenEntity>('token', row);
    return { ...token, user: this.tokenWithUser.entity<UserEntity>('user', row) };
  }

  /** What the access guard needs: the family's first token by primary key, and its user, in one query. */
  async findSessionState(familyId: string, userId: string): Promise<SessionState | null> {
    const row = await this.sessionState.first({ familyId, userId });
    if (!row) return null;
    const token = this.sessionState.entity<RefreshTokenEntity>('token', row);
    return {
      revokedAt: token.revokedAt,
      expiresAt: token.expiresAt,
      user: this.sessionState.entity<UserEntity>('user', row),
    };
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
