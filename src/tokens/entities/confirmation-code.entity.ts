import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A password-reset code; one per user (a newer code replaces the older), kept as a hash. */
@Entity('confirmation_codes')
export class ConfirmationCodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36, unique: true })
  userId!: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64, select: false })
  codeHash?: string;

  /** Wrong guesses at this code from any address; shown to operators, it never wears the code out. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'consumed_at', type: 'datetime', precision: 3, nullable: true })
  consumedAt!: Date | null;
}
