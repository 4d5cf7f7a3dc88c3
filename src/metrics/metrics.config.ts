import { registerAs } from '@nestjs/config';
import { readInt, readString } from '../config/env';

export interface MetricsConfig {
  /** METRICS_PORT: where GET /metrics is served, on its own listener. Unset: no metrics are served. */
  port?: number;
}

export function readMetricsConfig(env: NodeJS.ProcessEnv = process.env): MetricsConfig {
  const port = readString(env, 'METRICS_PORT') === undefined ? undefined : readInt(env, 'METRICS_PORT', 0, 1, 65535);
  return { port };
}

export const metricsConfig = registerAs('metrics', () => readMetricsConfig());
