import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A fixed-window counter, shared by every instance through the database. */
@Entity('rate_limits')
export class RateLimitEntity {
  /** What is limited and for whom, e.g. `forgot-password:alice`. */
  @PrimaryColumn({ name: 'limit_key', type: 'varchar', length: 191 })
  key!: string;

  @Column({ name: 'window_started_at', type: 'datetime', precision: 3 })
  windowStartedAt!: Date;

  @Column({ type: 'int', default: 0 })
  hits!: number;
}
