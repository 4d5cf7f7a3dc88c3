import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { ClientInfo } from '../common/http/client-info';
import { deleteBatch, Janitor } from '../database/janitor';
import { AuditEventEntity, AuditEventType } from './entities/audit-event.entity';
import { AuditConfig, auditConfig } from './audit.config';

export interface AuditSubject {
  userId?: string | null;
  username?: string | null;
  /** Who acted on the user, when it was someone else (an operator): see AuditEventEntity.actor. */
  actor?: string | null;
}

export const subjectOf = (user: { id: string; username: string }): AuditSubject => ({
  userId: user.id,
  username: user.username,
});

/** Buffered events are written together at most this long after the first of them. */
const FLUSH_DELAY_MS = 50;
const MAX_BUFFERED = 100;

/** Appends to the audit trail. */
@Injectable()
export class AuditService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Audit');
  private buffer: AuditEventEntity[] = [];
  private flushTimer?: NodeJS.Timeout;
  /** Inserts under way; shutdown waits for them before the connection is closed. */
  private readonly writes = new Set<Promise<void>>();
  private stopping = false;
  private readonly retentionMs: number;

  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    private readonly janitor: Janitor,
    @Inject(auditConfig.KEY) config: AuditConfig,
  ) {
    this.retentionMs = config.retentionSeconds * 1000;
  }

  /** AUDIT_RETENTION: strangers write events too (every failed login), so the trail is kept for a set time. */
  onModuleInit(): void {
    this.janitor.register('audit_events', (now, batchSize) =>
      deleteBatch(this.events, { createdAt: LessThan(new Date(now.getTime() - this.retentionMs)) }, batchSize),
    );
  }

  /** Written now, inside the caller's transaction when it passes one. */
  async record(
    type: AuditEventType,
    subject: AuditSubject,
    client: ClientInfo,
    manager?: EntityManager,
  ): Promise<void> {
    await (manager ?? this.events.manager).getRepository(AuditEventEntity).insert(event(type, subject, client));
  }

  /**
   * For frequent, routine events (token refreshes): written in one insert with the others
   * of the next few milliseconds, off the request path. Once shutdown has begun, written at
   * once: a timer would fire after the connection is closed.
   */
  recordSoon(type: AuditEventType, subject: AuditSubject, client: ClientInfo): void {
    this.buffer.push(event(type, subject, client));
    if (this.stopping || this.buffer.length >= MAX_BUFFERED) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes what is buffered and waits for every insert under way, the timer's included. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    void this.flush();
    // Events recorded while this waits are written at once and join the set.
    while (this.writes.size > 0) await Promise.all(this.writes);
  }

  private flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return Promise.resolve();
    const write = this.write(batch).finally(() => this.writes.delete(write));
    this.writes.add(write);
    return write;
  }

  private async write(batch: AuditEventEntity[]): Promise<void> {
    try {
      await this.events.insert(batch);
    } catch (error) {
      this.logger.warn(`Lost ${batch.length} audit event(s): ${(error as Error).name}`);
    }
  }
}

function event(type: AuditEventType, subject: AuditSubject, client: ClientInfo): AuditEventEntity {
  return {
    id: randomUUID(),
    type,
    userId: subject.userId ?? null,
    username: subject.username?.slice(0, 128) ?? null,
    actor: subject.actor ?? null,
    ipAddress: client.ip,
    userAgent: client.userAgent,
    createdAt: new Date(),
  };
}
