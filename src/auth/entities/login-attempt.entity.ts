import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Consecutive failed logins per canonical username, whether or not such a user exists, so
 * throttling treats both alike. An attempt counts as a failure from the moment it arrives
 * (see LoginThrottleService); a success deletes the row, and it is ignored after 15 quiet minutes.
 */
@Entity('login_attempts')
export class LoginAttemptEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  username!: string;

  @Column({ type: 'int', default: 0 })
  failures!: number;

  /** When the latest attempt arrived. */
  @Column({ name: 'last_failure_at', type: 'datetime', precision: 3 })
  lastFailureAt!: Date;

  @Column({ name: 'locked_until', type: 'datetime', precision: 3, nullable: true })
  lockedUntil!: Date | null;
}
