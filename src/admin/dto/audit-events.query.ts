import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { AuditEventType } from '../../audit/entities/audit-event.entity';
import { CursorField, LimitField } from '../../common/pagination/cursor';

export class AuditEventsQuery {
  /** In any letter case. @example "alice" */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @IsNotEmpty()
  username?: string;

  /** @example "login.failed" */
  @IsOptional()
  @IsIn(Object.values(AuditEventType))
  type?: AuditEventType;

  /** ISO 8601; events at or after it. @example "2026-12-01T00:00:00Z" */
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  since?: string;

  /** ISO 8601; events before it. @example "2026-12-02T00:00:00Z" */
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  until?: string;

  @LimitField()
  limit?: number;

  @CursorField()
  cursor?: string;
}
