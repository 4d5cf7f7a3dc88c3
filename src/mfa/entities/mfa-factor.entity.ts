import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../users/entities/user.entity';

/**
 * A user's TOTP factor (RFC 6238: SHA-1, 6 digits, 30 s), one per user. Pending from setup
 * until a first code verifies it; `users.mfa_enabled` says whether login asks for it.
 */
@Entity('mfa_factors')
export class MfaFactorEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @OneToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  /** The base32 secret, sealed by SecretBox (never in clear, never selected by default). */
  @Column({ name: 'secret_sealed', type: 'varchar', length: 255, select: false })
  secretSealed?: string;

  /** Null while pending. */
  @Column({ name: 'enabled_at', type: 'datetime', precision: 3, nullable: true })
  enabledAt!: Date | null;

  /**
   * The 30-second step of the last code accepted: a code of that step or an earlier one is a
   * replay. Kept in the database, so every instance refuses it.
   */
  @Column({ name: 'last_used_step', type: 'int', nullable: true })
  lastUsedStep!: number | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
