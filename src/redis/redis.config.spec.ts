import { ConfigError } from '../config/env';
import { readRedisConfig } from './redis.config';

describe(readRedisConfig.name, () => {
  it('leaves Redis out when REDIS_URL is unset or blank', () => {
    expect(readRedisConfig({}).url).toBeUndefined();
    expect(readRedisConfig({ REDIS_URL: '  ' }).url).toBeUndefined();
  });

  it.each(['redis://127.0.0.1:6379', 'redis://cache:6379/2', 'rediss://:secret@cache.example.com:6380/0'])(
    'accepts %s',
    (url) => {
      expect(readRedisConfig({ REDIS_URL: url }).url).toBe(url);
    },
  );

  it.each(['http://cache:6379', 'cache:6379', 'redis://', 'redis://cache:6379/db', 'redis://cache:6379/0/1'])(
    'refuses REDIS_URL=%s with one line',
    (url) => {
      expect(() => readRedisConfig({ REDIS_URL: url })).toThrow(ConfigError);
      expect(() => readRedisConfig({ REDIS_URL: url })).toThrow(/^REDIS_URL must look like redis:\/\/host:6379\/0/);
    },
  );

  it('never repeats the value it refuses, which may hold a password', () => {
    expect(() => readRedisConfig({ REDIS_URL: 'redis:/:hunter2@cache' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
