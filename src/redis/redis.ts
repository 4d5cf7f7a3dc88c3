import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis as RedisClient, RedisOptions } from 'ioredis';
import { RedisConfig, redisConfig } from './redis.config';

export type MessageHandler = (message: string) => void;
export type AvailabilityListener = (available: boolean) => void;

/** Reconnect backoff: 200 ms, doubling, never more than this, and never giving up. */
const MAX_RECONNECT_DELAY_MS = 2000;
/** A command not answered by then fails (the throttler falls back to memory) instead of waiting. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * The connections to REDIS_URL, shared by every instance of the service: a command client
 * (publish, the per-IP counters) and a subscriber. Without REDIS_URL both are undefined,
 * `configured` is false and every method is a no-op.
 *
 * A down Redis never fails a caller: commands fail at once instead of queueing
 * (enableOfflineQueue off), `publish` swallows the error, and both clients reconnect by
 * themselves. `available` is true only while both are ready and every channel asked for is
 * subscribed; callers that share state through Redis fall back to their own while it is
 * false. Each change of `available` is logged once (the URL's credentials never are) and
 * reported to the listeners of `onAvailabilityChange`.
 */
@Injectable()
export class Redis implements OnApplicationShutdown {
  /** For commands; undefined without REDIS_URL. */
  readonly client?: RedisClient;
  private readonly subscriber?: RedisClient;
  private readonly handlers = new Map<string, MessageHandler[]>();
  private readonly subscribed = new Set<string>();
  private readonly listeners: AvailabilityListener[] = [];
  private readonly logger = new Logger('Redis');
  private readonly target: string = '';
  private readonly secret?: string;
  private up = false;
  /** Whether the current outage (or failed start) has been logged; reset when Redis is back. */
  private outageLogged = false;
  private lastError?: string;
  private closing = false;

  constructor(@Inject(redisConfig.KEY) config: RedisConfig) {
    if (!config.url) return;
    const url = new URL(config.url);
    this.secret = url.password ? decodeURIComponent(url.password) : undefined;
    this.target = `${url.protocol}//${url.host}${url.pathname.length > 1 ? url.pathname : '/0'}`;
    const options: RedisOptions = {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // On shutdown a socket that is already gone would otherwise hold the process for 2 s.
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), MAX_RECONNECT_DELAY_MS),
    };
    this.client = this.watch(new RedisClient(config.url, { ...options, commandTimeout: COMMAND_TIMEOUT_MS }));
    // Subscriptions are made again by this class on each ready, so `available` can wait for them.
    this.subscriber = this.watch(new RedisClient(config.url, { ...options, autoResubscribe: false }));
    this.subscriber.on('ready', () => this.subscribeAll());
    this.subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  /** Both connections ready and every channel subscribed: state shared through Redis can be trusted. */
  get available(): boolean {
    return this.up;
  }

  /** Called with the new value each time `available` changes, synchronously, before any caller sees it. */
  onAvailabilityChange(listener: AvailabilityListener): void {
    this.listeners.push(listener);
  }

  /** Fire and forget: never throws, and a down Redis is logged at most once per outage. */
  publish(channel: string, message: string): void {
    this.client?.publish(channel, message).catch((error: unknown) => this.failed(error, 'publish failed'));
  }

  /** `handler` gets each message on `channel`, now and after every reconnect. */
  subscribe(channel: string, handler: MessageHandler): void {
    if (!this.subscriber) return;
    const known = this.handlers.get(channel);
    if (known) {
      known.push(handler);
      return;
    }
    this.handlers.set(channel, [handler]);
    this.update();
    if (this.subscriber.status === 'ready') this.subscribeTo(channel);
  }

  onApplicationShutdown(): void {
    this.closing = true;
    this.client?.disconnect();
    this.subscriber?.disconnect();
  }

  private watch(client: RedisClient): RedisClient {
    client.on('error', (error: Error) => (this.lastError = this.redact(error.message)));
    for (const event of ['ready', 'close', 'reconnecting', 'end']) client.on(event, () => this.update());
    return client;
  }

  private subscribeAll(): void {
    this.subscribed.clear();
    for (const channel of this.handlers.keys()) this.subscribeTo(channel);
  }

  private subscribeTo(channel: string): void {
    const subscriber = this.subscriber!;
    subscriber.subscribe(channel).then(
      () => {
        this.subscribed.add(channel);
        this.update();
      },
      (error: unknown) => {
        this.failed(error, `subscribing to ${channel} failed`);
        // Start over: the next ready subscribes again.
        if (subscriber.status === 'ready' && !this.closing) subscriber.disconnect(true);
      },
    );
  }

  private deliver(channel: string, message: string): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(message);
      } catch (error) {
        this.logger.error(`A handler of ${channel} failed: ${(error as Error).message}`);
      }
    }
  }

  private update(): void {
    if (this.subscriber?.status !== 'ready') this.subscribed.clear();
    const now =
      !this.closing &&
      this.client?.status === 'ready' &&
      this.subscriber?.status === 'ready' &&
      [...this.handlers.keys()].every((channel) => this.subscribed.has(channel));
    if (now === this.up) {
      // Never up since the start, and a connection has failed: that is an outage too.
      if (!now && !this.outageLogged && !this.closing && this.lastError) this.logOutage();
      return;
    }
    this.up = now;
    if (now) {
      this.outageLogged = false;
      this.lastError = undefined;
      this.logger.log(`Connected to ${this.target}: revocations and the per-IP limit are shared`);
    } else if (!this.closing) {
      this.logOutage();
    }
    for (const listener of this.listeners) {
      try {
        listener(now);
      } catch (error) {
        this.logger.error(`An availability listener failed: ${(error as Error).message}`);
      }
    }
  }

  private logOutage(): void {
    this.outageLogged = true;
    const reason = this.lastError ? ` (${this.lastError})` : '';
    this.logger.warn(
      `${this.target} unavailable${reason}: the guard asks the database on every request and the per-IP limit counts in memory until it is back`,
    );
  }

  private failed(error: unknown, what: string): void {
    if (this.outageLogged || this.closing) return;
    this.outageLogged = true;
    this.logger.warn(`${this.target}: ${what} (${this.redact((error as Error).message)})`);
  }

  private redact(text: string): string {
    return this.secret ? text.split(this.secret).join('***') : text;
  }
}
