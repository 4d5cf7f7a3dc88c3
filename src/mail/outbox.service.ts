import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Brackets, EntityManager, IsNull, LessThan, LessThanOrEqual, Repository, SelectQueryBuilder } from 'typeorm';
import { deleteBatch, Janitor } from '../database/janitor';
import { Metrics, OutboxCounts } from '../metrics/metrics';
import { mailConfig, MailConfig } from './mail.config';
import { OutboxKind, OutboxMessageEntity } from './entities/outbox-message.entity';

export type OutboxHandler = (payload: Record<string, string>) => Promise<void>;

/** How long a claimed message stays hidden from other workers; longer than any SMTP attempt. */
const LEASE_MS = 60_000;
const BATCH = 20;
/** The metrics' counts stop there, so a scrape reads a bounded stretch of the index whatever the backlog. */
export const OUTBOX_COUNT_CAP = 10_000;
/** How far back the failed-messages gauge looks. */
const FAILED_WINDOW_MS = 24 * 3600 * 1000;

/**
 * A durable queue of mail to send. Writers enqueue inside their own transaction, so a
 * message exists exactly when the change it reports was committed; OutboxWorker delivers.
 */
@Injectable()
export class OutboxService implements OnModuleInit {
  private readonly logger = new Logger('Outbox');
  private readonly handlers = new Map<OutboxKind, OutboxHandler>();
  private listener?: () => void;

  constructor(
    @InjectRepository(OutboxMessageEntity) private readonly messages: Repository<OutboxMessageEntity>,
    private readonly janitor: Janitor,
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    private readonly metrics: Metrics,
  ) {}

  /**
   * OUTBOX_RETENTION: done messages (delivered, given up, or for a name with no account) go
   * after it. The metrics count the outbox at each scrape.
   */
  onModuleInit(): void {
    this.metrics.countOutboxWith(() => this.counts());
    this.janitor.register('mail_outbox', (now, batchSize) => {
      const before = new Date(now.getTime() - this.config.retentionSeconds * 1000);
      return deleteBatch(this.messages, { completedAt: LessThan(before) }, batchSize);
    });
  }

  /** Registers what delivering a kind of message means (the module that owns the reason does). */
  handle(kind: OutboxKind, handler: OutboxHandler): void {
    this.handlers.set(kind, handler);
  }

  async enqueue(kind: OutboxKind, payload: Record<string, string>, manager?: EntityManager): Promise<void> {
    const now = new Date();
    await (manager ?? this.messages.manager).getRepository(OutboxMessageEntity).insert({
      id: randomUUID(),
      kind,
      payload,
      attempts: 0,
      nextAttemptAt: now,
      lockedUntil: null,
      completedAt: null,
      lastError: null,
      createdAt: now,
    });
  }

  /** Tells the worker there is something to send now, instead of at its next poll. */
  nudge(): void {
    this.listener?.();
  }

  onNudge(listener: () => void): void {
    this.listener = listener;
  }

  /** Delivers what is due; returns how many messages were attempted. */
  async processDue(now = new Date()): Promise<number> {
    const due = await this.messages.find({
      select: { id: true },
      where: { completedAt: IsNull(), nextAttemptAt: LessThanOrEqual(now) },
      order: { nextAttemptAt: 'ASC' },
      take: BATCH,
    });
    let attempted = 0;
    for (const { id } of due) {
      const message = await this.claim(id, now);
      if (message) {
        attempted += 1;
        await this.deliver(message);
      }
    }
    return attempted;
  }

  /** Takes a message for this worker unless another one holds it. */
  private async claim(id: string, now: Date): Promise<OutboxMessageEntity | null> {
    const result = await this.messages
      .createQueryBuilder()
      .update(OutboxMessageEntity)
      .set({ lockedUntil: new Date(now.getTime() + LEASE_MS), attempts: () => 'attempts + 1' })
      .where('id = :id AND completed_at IS NULL', { id })
      .andWhere(new Brackets((q) => q.where('locked_until IS NULL').orWhere('locked_until < :now', { now })))
      .execute();
    return result.affected === 1 ? this.messages.findOneBy({ id }) : null;
  }

  private async deliver(message: OutboxMessageEntity): Promise<void> {
    const handler = this.handlers.get(message.kind);
    try {
      if (!handler) throw new Error(`no handler for ${message.kind}`);
      await handler(message.payload);
      await this.messages.update({ id: message.id }, { completedAt: new Date(), lockedUntil: null, lastError: null });
      this.metrics.outboxDeliveries.inc({ outcome: 'sent' });
    } catch (error) {
      await this.reschedule(message, describeFailure(error));
    }
  }

  private async reschedule(message: OutboxMessageEntity, reason: string): Promise<void> {
    const now = new Date();
    if (message.attempts >= this.config.maxAttempts) {
      this.logger.error(
        `Giving up on ${message.kind} message ${message.id} after ${message.attempts} attempts: ${reason}`,
      );
      await this.messages.update({ id: message.id }, { completedAt: now, lockedUntil: null, lastError: reason });
      this.metrics.outboxDeliveries.inc({ outcome: 'given_up' });
      return;
    }
    const delay = Math.min(this.config.retryBaseDelayMs * 2 ** (message.attempts - 1), this.config.maxRetryDelayMs);
    this.logger.warn(`Could not deliver ${message.kind} message ${message.id} (${reason}); retrying in ${delay} ms`);
    await this.messages.update(
      { id: message.id },
      { nextAttemptAt: new Date(now.getTime() + delay), lockedUntil: null, lastError: reason },
    );
    this.metrics.outboxDeliveries.inc({ outcome: 'retry' });
  }

  /**
   * For the metrics: messages still to deliver, and those given up in the last 24 hours. Each
   * count reads at most OUTBOX_COUNT_CAP rows of the (completed_at, next_attempt_at) index: the
   * pending ones, and the most recently completed ones, whose last_error says they were given up.
   */
  async counts(now = new Date()): Promise<OutboxCounts> {
    const pending = this.messages
      .createQueryBuilder('m')
      .select('1', 'one')
      .where('m.completedAt IS NULL')
      .limit(OUTBOX_COUNT_CAP);
    const recent = this.messages
      .createQueryBuilder('m')
      .select('m.lastError', 'last_error')
      .where('m.completedAt >= :since', { since: new Date(now.getTime() - FAILED_WINDOW_MS) })
      .orderBy('m.completedAt', 'DESC')
      .limit(OUTBOX_COUNT_CAP);
    const [pendingCount, failedCount] = await Promise.all([
      this.countRows(pending),
      this.countRows(recent, 'counted.last_error IS NOT NULL'),
    ]);
    return { pending: pendingCount, failed: failedCount };
  }

  private async countRows(rows: SelectQueryBuilder<OutboxMessageEntity>, where?: string): Promise<number> {
    const query = this.messages.manager
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from(`(${rows.getQuery()})`, 'counted')
      .setParameters(rows.getParameters());
    if (where) query.where(where);
    const row = await query.getRawOne<{ n: number | string }>();
    return Number(row?.n ?? 0);
  }
}

/** The error's class and code: SMTP replies can quote the message, so never its text. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const { code, responseCode } = error as { code?: string; responseCode?: number };
  return [error.name, code, responseCode].filter(Boolean).join(' ').slice(0, 255);
}
