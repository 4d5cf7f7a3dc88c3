import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditEventEntity, AuditEventType } from './entities/audit-event.entity';

/** What the audit query route asks for; every field but `limit` is optional. */
export interface AuditFilter {
  /** Canonical form, as events keep it. */
  username?: string;
  type?: AuditEventType;
  /** From this instant on (inclusive)... */
  since?: Date;
  /** ...up to this one (exclusive). */
  until?: Date;
  /** The last event of the previous page. */
  before?: { createdAt: Date; id: string };
  limit: number;
}

/**
 * Reads the audit trail back, newest first, with the id breaking ties between events of the
 * same millisecond. Each filter has an index whose order is the answer's (`(username,
 * created_at, id)`, `(type, created_at, id)`, or `(created_at, id)` alone), so a page reads
 * the index backwards from the cursor and stops at `limit` rows.
 */
@Injectable()
export class AuditTrailService {
  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  page(filter: AuditFilter): Promise<AuditEventEntity[]> {
    const query = this.events
      .createQueryBuilder('event')
      .orderBy('event.createdAt', 'DESC')
      .addOrderBy('event.id', 'DESC')
      .limit(filter.limit);
    if (filter.username !== undefined) query.andWhere('event.username = :username', { username: filter.username });
    if (filter.type !== undefined) query.andWhere('event.type = :type', { type: filter.type });
    if (filter.since) query.andWhere('event.createdAt >= :since', { since: filter.since });
    if (filter.until) query.andWhere('event.createdAt < :until', { until: filter.until });
    if (filter.before) {
      query.andWhere('(event.createdAt < :at OR (event.createdAt = :at AND event.id < :id))', {
        at: filter.before.createdAt,
        id: filter.before.id,
      });
    }
    return query.getMany();
  }
}
