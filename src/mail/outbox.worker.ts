import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AsyncResource } from 'node:async_hooks';
import { OutboxService } from './outbox.service';
import { mailConfig, MailConfig } from './mail.config';

/**
 * Runs the outbox in the server process: at every poll interval, and at once when a request
 * enqueues mail. One pass at a time; a failed pass (say, the database is down) just waits
 * for the next. Not registered in the CLI, which only enqueues.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Outbox');
  private readonly pollIntervalMs: number;
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private again = false;
  private stopped = false;
  /** Bound here, at start-up: a pass a request wakes must not log as part of that request. */
  private readonly runOutsideRequests = AsyncResource.bind(() => this.run());

  constructor(
    private readonly outbox: OutboxService,
    @Inject(mailConfig.KEY) config: MailConfig,
  ) {
    this.pollIntervalMs = config.pollIntervalMs;
  }

  onApplicationBootstrap(): void {
    this.outbox.onNudge(() => this.wake());
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  private wake(): void {
    if (this.pass) this.again = true;
    else this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.runOutsideRequests, delayMs);
    this.timer.unref();
  }

  private run(): void {
    this.pass = this.drain()
      .catch((error: unknown) => this.logger.warn(`Outbox pass failed: ${(error as Error).name}`))
      .finally(() => {
        this.pass = undefined;
        this.schedule(this.again ? 0 : this.pollIntervalMs);
        this.again = false;
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && (await this.outbox.processDue()) > 0) {
      // Keep going while there is due mail.
    }
  }
}
