import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiError } from '../common/decorators/api-errors.decorator';
import { AdminApi } from './admin-api.decorator';
import { AdminAuditService } from './admin-audit.service';
import { AuditEventListResponseDto, toAuditEvent } from './dto/audit-event-response.dto';
import { AuditEventsQuery } from './dto/audit-events.query';

@Controller('v1/admin/audit-events')
@AdminApi()
export class AdminAuditController {
  constructor(private readonly audit: AdminAuditService) {}

  @Get()
  @ApiOperation({
    summary: 'Read the audit trail',
    description:
      'Newest first, a page at a time: pass `next_cursor` back as `cursor` until it is null. ' +
      '`since` is inclusive, `until` exclusive.',
  })
  @ApiOkResponse({ type: AuditEventListResponseDto, description: 'One page of events' })
  @ApiError(HttpStatus.BAD_REQUEST, 'since must be a valid ISO 8601 date string')
  async list(@Query() query: AuditEventsQuery): Promise<AuditEventListResponseDto> {
    const page = await this.audit.page(query);
    return { events: page.events.map(toAuditEvent), next_cursor: page.nextCursor };
  }
}
