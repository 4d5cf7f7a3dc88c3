import type { SessionRecord } from '../../tokens/refresh-tokens.repository';

/** A live session (a login and its refresh tokens), as its user and operators see it. */
export class SessionDto {
  /** @example "3f0c8a4e-2b1d-4c4e-9f6a-8d2e1b7c5a90" */
  id!: string;

  /** @example "2026-11-29T10:00:00.000Z" */
  created_at!: string;

  /**
   * The last refresh, to the minute; null before the first.
   * @example "2026-11-29T12:30:00.000Z"
   */
  last_used_at!: string | null;

  /** @example "2027-02-27T10:00:00.000Z" */
  expires_at!: string;

  /** @example "203.0.113.7" */
  ip_address!: string | null;

  /** @example "Mozilla/5.0 (X11; Linux x86_64)" */
  user_agent!: string | null;
}

export class SessionResponseDto extends SessionDto {
  /**
   * The session the calling access token belongs to.
   * @example true
   */
  current!: boolean;
}

export class SessionListResponseDto {
  sessions!: SessionResponseDto[];
}

export class AdminSessionListResponseDto {
  sessions!: SessionDto[];
}

export function toSession(session: SessionRecord): SessionDto {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt?.toISOString() ?? null,
    expires_at: session.expiresAt.toISOString(),
    ip_address: session.ipAddress,
    user_agent: session.userAgent,
  };
}

export function toSessionList(sessions: SessionRecord[], currentId: string): SessionListResponseDto {
  return { sessions: sessions.map((session) => ({ ...toSession(session), current: session.id === currentId })) };
}
