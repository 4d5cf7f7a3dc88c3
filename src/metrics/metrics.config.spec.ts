import { ConfigError } from '../config/env';
import { readMetricsConfig } from './metrics.config';

describe(readMetricsConfig.name, () => {
  it.each([{}, { METRICS_PORT: '' }, { METRICS_PORT: '  ' }])(
    'serves no metrics when METRICS_PORT is unset (%j)',
    (env) => {
      expect(readMetricsConfig(env).port).toBeUndefined();
    },
  );

  it.each([
    ['1', 1],
    ['9464', 9464],
    ['65535', 65535],
  ])('takes METRICS_PORT=%s', (value, port) => {
    expect(readMetricsConfig({ METRICS_PORT: value }).port).toBe(port);
  });

  it.each(['0', '65536', '-1', '9464.5', 'metrics', '0x24e8'])('refuses METRICS_PORT=%s, naming it', (value) => {
    expect(() => readMetricsConfig({ METRICS_PORT: value })).toThrow(ConfigError);
    expect(() => readMetricsConfig({ METRICS_PORT: value })).toThrow(
      /METRICS_PORT must be a whole number from 1 to 65535/,
    );
  });
});
