import { Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service';
import { AuditEventEntity } from '../audit/entities/audit-event.entity';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { decodeCursor, DEFAULT_PAGE_SIZE, invalidCursor, pageOf } from '../common/pagination/cursor';
import { canonicalUsername } from '../users/username';
import { AuditEventsQuery } from './dto/audit-events.query';

export interface AuditPage {
  events: AuditEventEntity[];
  nextCursor: string | null;
}

/** The audit query route: the trail newest first, filtered, a page at a time. */
@Injectable()
export class AdminAuditService {
  constructor(private readonly trail: AuditTrailService) {}

  async page({
    username,
    type,
    since,
    until,
    limit = DEFAULT_PAGE_SIZE,
    cursor,
  }: AuditEventsQuery): Promise<AuditPage> {
    const from = since === undefined ? undefined : new Date(since);
    const to = until === undefined ? undefined : new Date(until);
    if (from && to && from > to) throw new ApiException(ErrorCode.InvalidParameter, 'since must not be after until');
    const rows = await this.trail.page({
      username: username === undefined ? undefined : canonicalUsername(username),
      type,
      since: from,
      until: to,
      before: cursor === undefined ? undefined : position(cursor),
      limit: limit + 1,
    });
    const { items, nextCursor } = pageOf(rows, limit, (last) => [last.createdAt.toISOString(), last.id]);
    return { events: items, nextCursor };
  }
}

function position(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = decodeCursor(cursor, 2);
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime())) throw invalidCursor();
  return { createdAt, id };
}
