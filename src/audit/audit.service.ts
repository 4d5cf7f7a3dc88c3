import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { ClientInfo } from '../common/http/client-info';
import { AuditEventEntity, AuditEventType } from './entities/audit-event.entity';

export interface AuditSubject {
  userId?: string | null;
  username?: string | null;
}

export const subjectOf = (user: { id: string; username: string }): AuditSubject => ({
  userId: user.id,
  username: user.username,
});

/** Appends to the audit trail; inside the caller's transaction when it passes one. */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  async record(
    type: AuditEventType,
    subject: AuditSubject,
    client: ClientInfo,
    manager?: EntityManager,
  ): Promise<void> {
    await (manager ?? this.events.manager).getRepository(AuditEventEntity).insert({
      id: randomUUID(),
      type,
      userId: subject.userId ?? null,
      username: subject.username?.slice(0, 128) ?? null,
      ipAddress: client.ip,
      userAgent: client.userAgent,
      createdAt: new Date(),
    });
  }
}
