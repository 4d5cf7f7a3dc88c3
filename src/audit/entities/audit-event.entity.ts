import { Column, Entity, PrimaryColumn } from 'typeorm';

export enum AuditEventType {
  LoginSucceeded = 'login.succeeded',
  LoginFailed = 'login.failed',
  LoginLocked = 'login.locked',
  ChallengeAnswered = 'login.new_password_set',
  /** The right password of an account whose login goes on to a second factor (or its setup). */
  PasswordVerified = 'login.password_verified',
  MfaCodeFailed = 'mfa.code_failed',
  RecoveryCodeUsed = 'mfa.recovery_code_used',
  MfaEnabled = 'mfa.enabled',
  MfaDisabled = 'mfa.disabled',
  MfaDisableFailed = 'mfa.disable_failed',
  TokenRefreshed = 'token.refreshed',
  RefreshTokenReused = 'token.reuse_detected',
  TokenRevoked = 'token.revoked',
  PasswordChanged = 'password.changed',
  PasswordChangeFailed = 'password.change_failed',
  PasswordResetRequested = 'password.reset_requested',
  PasswordReset = 'password.reset',
  PasswordResetFailed = 'password.reset_failed',
  SessionEnded = 'session.ended',
  GlobalSignOut = 'session.global_sign_out',
  UserDisabled = 'admin.user_disabled',
  UserEnabled = 'admin.user_enabled',
  UserSignedOut = 'admin.user_signed_out',
  UserCreated = 'admin.user_created',
  UserUpdated = 'admin.user_updated',
  UserDeleted = 'admin.user_deleted',
  ResetCodeSent = 'admin.password_reset_code_sent',
  TemporaryPasswordSet = 'admin.temporary_password_set',
  UserSessionEnded = 'admin.session_ended',
  MfaReset = 'admin.mfa_reset',
}

/** One security-relevant event: who, what, when, from where. Never a secret. */
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: AuditEventType;

  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  /** As typed (canonical form), also for unknown users: spraying shows up. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  username!: string | null;

  /** Who made the change when it was not the user themselves: `user:<username>` or `key:<name>`. */
  @Column({ type: 'varchar', length: 140, nullable: true })
  actor!: string | null;

  @Column({ name: 'ip_address', type: 'varchar', length: 45, nullable: true })
  ipAddress!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 255, nullable: true })
  userAgent!: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
