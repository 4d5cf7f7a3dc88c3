import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../users/entities/user.entity';

/** What a challenge session lets its holder answer. */
export enum ChallengeKind {
  NewPasswordRequired = 'NEW_PASSWORD_REQUIRED',
  SoftwareTokenMfa = 'SOFTWARE_TOKEN_MFA',
  MfaSetup = 'MFA_SETUP',
}

/** A login challenge; the client holds `<id>.<secret>`, we keep the hash. */
@Entity('challenge_sessions')
export class ChallengeSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64, select: false })
  secretHash?: string;

  @Column({ type: 'varchar', length: 32 })
  challenge!: ChallengeKind;

  /** Wrong one-time codes sent with this session; the fifth ends it. */
  @Column({ name: 'failed_attempts', type: 'int', default: 0 })
  failedAttempts!: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'consumed_at', type: 'datetime', precision: 3, nullable: true })
  consumedAt!: Date | null;
}
