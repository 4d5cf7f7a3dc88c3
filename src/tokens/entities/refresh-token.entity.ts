import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../users/entities/user.entity';

/**
 * A refresh token. The client holds `<id>.<secret>`; only the SHA-256 of the secret is kept,
 * so a copy of this table lets nobody refresh. Tokens descending from one login form a
 * family (the session): with rotation on, each refresh adds a token to it, and revoking
 * any of them revokes them all. The family's first token is the session's record: the guard
 * and every redemption read its `revoked_at`, so revoking that one row ends the session.
 */
@Entity('refresh_tokens')
export class RefreshTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  /** The id of the family's first token, which access tokens name as their session (`sid`). */
  @Column({ name: 'family_id', type: 'varchar', length: 36 })
  familyId!: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, select: false })
  tokenHash?: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  /** Absolute: fixed at login, never moved by a refresh. */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;

  /** When rotation replaced this token; reuse after the grace window revokes the family. */
  @Column({ name: 'rotated_at', type: 'datetime', precision: 3, nullable: true })
  rotatedAt!: Date | null;

  /** The token rotation replaced this one with; redeeming this one again within the grace window yields it. */
  @Column({ name: 'replaced_by', type: 'varchar', length: 36, nullable: true })
  replacedBy!: string | null;

  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 255, nullable: true })
  userAgent!: string | null;

  @Column({ name: 'ip_address', type: 'varchar', length: 45, nullable: true })
  ipAddress!: string | null;
}
