import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';

/**
 * The `Metrics` every feature records to, global so the features inject it without importing
 * this module. It serves nothing: MetricsServerModule, which only the server imports, does.
 */
@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
