import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { instrumentHttp } from './http-metrics';
import { Metrics } from './metrics';
import { metricsConfig, MetricsConfig } from './metrics.config';
import { MetricsServer, startMetricsServer } from './metrics-server';

/**
 * With METRICS_PORT set: times the application's HTTP responses, and serves GET /metrics on
 * that port from the application's start to its shutdown (after the API port has closed, so
 * the last requests are still counted and a scrape during the grace period answers). Unset:
 * no hook on the request path and no listener.
 */
@Injectable()
export class MetricsEndpoint implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: MetricsServer;

  constructor(
    private readonly metrics: Metrics,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
  ) {}

  /** Before Fastify is ready, so the hook covers every route and the 404s. */
  onModuleInit(): void {
    if (this.config.port === undefined) return;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) instrumentHttp(fastify, this.metrics);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.port === undefined) return;
    this.metrics.collectDefaults();
    this.server = await startMetricsServer(this.metrics, this.config.port);
    this.logger.log(`Serving GET /metrics on port ${this.server.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }
}
