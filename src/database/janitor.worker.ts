import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Janitor } from './janitor';
import { DatabaseConfig, databaseConfig } from './database.config';

/** Runs the Janitor in the server process every JANITOR_INTERVAL; the CLI does not. */
@Injectable()
export class JanitorWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Janitor.name);
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private pass?: Promise<unknown>;

  constructor(
    private readonly janitor: Janitor,
    @Inject(databaseConfig.KEY) config: DatabaseConfig,
  ) {
    this.intervalMs = config.janitorIntervalSeconds * 1000;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.run(), this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.pass;
  }

  private run(): void {
    // A pass still going (a big first backlog) is left to finish; the next starts after it.
    this.pass ??= this.janitor
      .runOnce()
      .catch((error: unknown) => this.logger.warn(`Trim pass failed: ${(error as Error).name}`))
      .finally(() => (this.pass = undefined));
  }
}
