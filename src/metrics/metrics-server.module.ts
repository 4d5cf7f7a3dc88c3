import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { MetricsEndpoint } from './metrics-endpoint';
import { metricsConfig } from './metrics.config';

/**
 * The server's, not the CLI's: the METRICS_PORT listener and the HTTP timing hook. `Metrics`
 * itself comes from the global MetricsModule.
 */
@Module({ imports: [ConfigModule.forFeature(metricsConfig)], providers: [MetricsEndpoint] })
export class MetricsServerModule {}
