import { Logger } from '@nestjs/common';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from './redis';

/** A loopback port nothing listens on: every connection is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(Redis.name, () => {
  it('without REDIS_URL connects to nothing and does nothing', () => {
    const redis = new Redis({});

    expect(redis.configured).toBe(false);
    expect(redis.available).toBe(false);
    expect(redis.client).toBeUndefined();
    expect(() => redis.publish('channel', 'message')).not.toThrow();
    redis.subscribe('channel', () => undefined);
    redis.onApplicationShutdown();
  });

  it('with Redis down: never throws, says so once without the password, and stops retrying on shutdown', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const listener = jest.fn();
    const redis = new Redis({ url: `redis://:hunter2@127.0.0.1:${await closedPort()}/3` });
    redis.onAvailabilityChange(listener);
    redis.subscribe('channel', () => undefined);

    // The first attempts and a few retries (200 ms, 400 ms) are refused.
    await sleep(800);
    expect(() => redis.publish('channel', 'message')).not.toThrow();
    await sleep(50);

    expect(redis.configured).toBe(true);
    expect(redis.available).toBe(false);
    expect(listener).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    const [line] = warn.mock.calls[0] as [string];
    expect(line).toMatch(
      /^redis:\/\/127\.0\.0\.1:\d+\/3 unavailable \(.*ECONNREFUSED.*\): the guard asks the database/,
    );
    expect(line).not.toContain('hunter2');

    redis.onApplicationShutdown();
    await sleep(300);
    expect(['end', 'reconnecting']).toContain(redis.client!.status);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
