import { AuditEventEntity, AuditEventType } from '../../audit/entities/audit-event.entity';

export class AuditEventResponseDto {
  /** @example "0b7e6d1c-4f3a-4a8e-9d2b-5c1f0e9a7b36" */
  id!: string;

  /** @example "admin.user_disabled" */
  type!: AuditEventType;

  /** The account the event is about, as typed for unknown ones; null when none. @example "alice" */
  username!: string | null;

  /** Who made the change when it was not the user: `user:<name>`, `key:<name>` or `cli:<name>`. @example "key:ops-console" */
  actor!: string | null;

  /** @example "203.0.113.7" */
  ip_address!: string | null;

  /** @example "Mozilla/5.0 (X11; Linux x86_64)" */
  user_agent!: string | null;

  /** @example "2026-12-01T09:30:00.000Z" */
  created_at!: string;
}

export class AuditEventListResponseDto {
  events!: AuditEventResponseDto[];

  /** Pass as `cursor` for the next (older) page; null on the last. @example null */
  next_cursor!: string | null;
}

export function toAuditEvent(event: AuditEventEntity): AuditEventResponseDto {
  return {
    id: event.id,
    type: event.type,
    username: event.username,
    actor: event.actor,
    ip_address: event.ipAddress,
    user_agent: event.userAgent,
    created_at: event.createdAt.toISOString(),
  };
}
