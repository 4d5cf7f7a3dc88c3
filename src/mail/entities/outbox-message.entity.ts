import { Column, Entity, PrimaryColumn } from 'typeorm';

export enum OutboxKind {
  /** Generate a confirmation code and mail it; the code exists only at send time (never stored in clear). */
  PasswordResetCode = 'password-reset-code',
  /** Tell the owner their password was changed or reset. */
  PasswordChanged = 'password-changed',
  /** Make up a temporary password an operator asked for, set it and mail it: it too exists only at send time. */
  TemporaryPassword = 'temporary-password',
}

/**
 * A mail to deliver, stored in the same database as the change that caused it, so it
 * survives restarts and SMTP outages. Payloads name a user and a reason, never a secret.
 */
@Entity('mail_outbox')
export class OutboxMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: OutboxKind;

  @Column({ type: 'simple-json' })
  payload!: Record<string, string>;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 })
  nextAttemptAt!: Date;

  /** A worker's claim; another instance skips the message until it lapses. */
  @Column({ name: 'locked_until', type: 'datetime', precision: 3, nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'completed_at', type: 'datetime', precision: 3, nullable: true })
  completedAt!: Date | null;

  /** Error class or SMTP code of the last failure: never the message content. */
  @Column({ name: 'last_error', type: 'varchar', length: 255, nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
