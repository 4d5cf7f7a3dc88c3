import { Column, Entity, PrimaryColumn } from 'typeorm';

export enum UserStatus {
  /** Can log in with the password it has. */
  Active = 'ACTIVE',
  /** Created with a temporary password; login answers NEW_PASSWORD_REQUIRED. */
  ForceChangePassword = 'FORCE_CHANGE_PASSWORD',
  /** Every login and token is refused. */
  Disabled = 'DISABLED',
}

export enum Role {
  User = 'user',
  Admin = 'admin',
}

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Canonical form (NFKC, lower case), compared byte for byte: see username.ts. */
  @Column({ type: 'varchar', length: 128, unique: true })
  username!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 60, select: false })
  passwordHash?: string;

  @Column({ type: 'varchar', length: 32 })
  status!: UserStatus;

  @Column({ type: 'simple-array' })
  roles!: Role[];

  /** Whether login asks for a second factor (a verified TOTP factor in mfa_factors). */
  @Column({ name: 'mfa_enabled', type: 'boolean', default: false })
  mfaEnabled!: boolean;

  @Column({ name: 'temporary_password_expires_at', type: 'datetime', precision: 3, nullable: true })
  temporaryPasswordExpiresAt!: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
