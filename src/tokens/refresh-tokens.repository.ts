import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, LessThan, MoreThan, Not, Repository } from 'typeorm';
import { aDayBefore, deleteBatch, Janitor } from '../database/janitor';
import { PrebuiltSelect } from '../database/prebuilt-select';
import { Transactions } from '../database/transactions';
import { UserEntity } from '../users/entities/user.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';

/**
 * What a refresh needs of a token: its state, and the identity the new tokens carry.
 * `revokedAt` is the token's own or, when that is unset, its session's (the family's first token).
 */
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

/** A session as its user sees it: the family's first token, last used when any of its tokens was. */
export type SessionRecord = Pick<
  RefreshTokenEntity,
  'id' | 'createdAt' | 'lastUsedAt' | 'expiresAt' | 'ipAddress' | 'userAgent'
>;

/** A token as rotation finds it, read while its session's row is locked. */
export type RotationState = Pick<RefreshTokenEntity, 'revokedAt' | 'rotatedAt' | 'replacedBy'>;

@Injectable()
export class RefreshTokensRepository implements OnModuleInit {
  /** The two lookups on the hot paths (refresh, and every authenticated request), built once. */
  private readonly tokenWithUser: PrebuiltSelect;
  private readonly sessionState: PrebuiltSelect;

  constructor(
    @InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>,
    private readonly transactions: Transactions,
    private readonly janitor: Janitor,
  ) {
    this.tokenWithUser = new PrebuiltSelect(
      tokens
        .createQueryBuilder('token')
        .innerJoin('token.user', 'user')
        .innerJoin(RefreshTokenEntity, 'session', 'session.id = token.family_id')
        .select(['token.id', 'token.familyId', 'token.tokenHash', 'token.expiresAt', 'token.revokedAt'])
        .addSelect(['token.rotatedAt', 'token.lastUsedAt', 'token.ipAddress', 'session.revokedAt'])
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

  /** A session past its absolute expiry is dead, every token of it alike (they share the expiry). */
  onModuleInit(): void {
    this.janitor.register('refresh_tokens', (now, batchSize) =>
      deleteBatch(this.tokens, { expiresAt: LessThan(aDayBefore(now)) }, batchSize),
    );
  }

  private repo(manager?: EntityManager): Repository<RefreshTokenEntity> {
    return manager ? manager.getRepository(RefreshTokenEntity) : this.tokens;
  }

  async insert(token: RefreshTokenEntity & { tokenHash: string }, manager?: EntityManager): Promise<void> {
    await this.repo(manager).insert(token);
  }

  async findWithHash(id: string): Promise<RedeemableToken | null> {
    const row = await this.tokenWithUser.first({ id });
    if (!row) return null;
    const token = this.tokenWithUser.entity<RefreshTokenEntity>('token', row);
    const session = this.tokenWithUser.entity<RefreshTokenEntity>('session', row);
    return {
      ...token,
      revokedAt: token.revokedAt ?? session.revokedAt,
      user: this.tokenWithUser.entity<UserEntity>('user', row),
    };
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

  /**
   * Locks the session's row (the family's first token) until the transaction ends, so a
   * rotation and a revocation of one session happen one after the other; null if it is gone.
   */
  /**
   * The user's live sessions, newest first. With rotation a session is several rows (one per
   * refresh, none revoked while it lives), so they are read together (by the user_id index) and
   * the newest use of any of them is the session's.
   */
  async liveSessionsOf(userId: string, now: Date): Promise<SessionRecord[]> {
    const rows = await this.tokens.find({
      select: ['id', 'familyId', 'createdAt', 'lastUsedAt', 'expiresAt', 'ipAddress', 'userAgent'],
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(now) },
    });
    const lastUse = new Map<string, number>();
    for (const row of rows) {
      const used = row.lastUsedAt?.getTime() ?? 0;
      if (used > (lastUse.get(row.familyId) ?? 0)) lastUse.set(row.familyId, used);
    }
    return rows
      .filter((row) => row.id === row.familyId)
      .map(({ id, createdAt, expiresAt, ipAddress, userAgent }) => {
        const used = lastUse.get(id);
        return { id, createdAt, expiresAt, ipAddress, userAgent, lastUsedAt: used ? new Date(used) : null };
      })
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id));
  }

  lockSession(familyId: string, manager: EntityManager): Promise<Pick<RefreshTokenEntity, 'revokedAt'> | null> {
    const query = this.repo(manager)
      .createQueryBuilder('token')
      .select(['token.id', 'token.revokedAt'])
      .where('token.id = :familyId', { familyId });
    return this.transactions.forUpdate(query).getOne();
  }

  rotationState(id: string, manager: EntityManager): Promise<RotationState | null> {
    return this.repo(manager).findOne({ select: ['id', 'revokedAt', 'rotatedAt', 'replacedBy'], where: { id } });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.transactions.retrying(() => this.tokens.update({ id }, { lastUsedAt: at }));
  }

  async markRotated(id: string, successorId: string, at: Date, manager: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, { rotatedAt: at, lastUsedAt: at, replacedBy: successorId });
  }

  /** The session's row first, then the rest of the family: the order every revocation locks them in. */
  async revokeFamily(familyId: string, at: Date, manager: EntityManager): Promise<void> {
    const repo = this.repo(manager);
    await repo.update({ id: familyId, revokedAt: IsNull() }, { revokedAt: at });
    await repo.update({ familyId, revokedAt: IsNull() }, { revokedAt: at });
  }

  /**
   * Every session's row first (which alone ends the sessions), then the tokens under them.
   * Run inside the transaction that holds the user's row (see Transactions).
   */
  async revokeAllForUser(userId: string, at: Date, manager: EntityManager, exceptFamilyId?: string): Promise<void> {
    const repo = this.repo(manager);
    const except = exceptFamilyId ? { familyId: Not(exceptFamilyId) } : {};
    await repo
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at })
      .where({ userId, revokedAt: IsNull(), ...except })
      .andWhere('id = family_id')
      .execute();
    await repo.update({ userId, revokedAt: IsNull(), ...except }, { revokedAt: at });
  }
}
