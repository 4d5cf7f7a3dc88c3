import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import { Redis } from '../redis/redis';
import { UserEntity } from '../users/entities/user.entity';
import { TokensConfig, tokensConfig } from './tokens.config';

interface CachedSession {
  user: UserEntity;
  expiresAt: Date;
}

/** Taken before a lookup; `set` refuses the lookup's answer if a revocation came after it. */
export interface LookupTicket {
  readonly seq: number;
  readonly at: number;
}

const MAX_ENTRIES = 50_000;
/** How long a revocation is remembered: longer than any lookup can take (the database times out first). */
const TOMBSTONE_TTL_MS = 60_000;
/** Where every instance publishes its revocations (with REDIS_URL), and hears the others'. */
export const REVOCATIONS_CHANNEL = 'auth:revocations';

/** One revocation as published: a session (family id) or every session of a user. */
export interface RevocationMessage {
  kind: 'session' | 'user';
  id: string;
  /** The publishing instance, which has already applied it. */
  origin: string;
}

/**
 * Active sessions the guard has just looked up, kept for a moment (SESSION_CACHE_TTL_MS) so
 * a burst of requests with one access token costs one query. Every revocation made by this
 * instance removes the entry at once. Without REDIS_URL another instance's revocation is seen
 * within the TTL; with it, each revocation is published and every instance drops the entry
 * on receipt, and while Redis is unavailable (a revocation elsewhere could go unheard) the
 * cache answers nothing and keeps nothing, so the guard asks the database on every request.
 * It is emptied whenever Redis becomes available again or stops being so.
 *
 * A lookup that read "active" just before a revocation committed must not put the session
 * back afterwards: each revocation, local or received, leaves a tombstone with a sequence
 * number, and `set` drops an answer whose lookup began before a tombstone for its session or
 * user, or before the cache was last emptied.
 */
@Injectable()
export class SessionCache {
  private readonly entries?: LRUCache<string, CachedSession>;
  private readonly tombstones?: LRUCache<string, number>;
  private seq = 0;
  /** The sequence number of the last emptying: a lookup that began before it is not kept. */
  private clearedAt = 0;
  private readonly origin = randomUUID();

  constructor(
    @Inject(tokensConfig.KEY) config: TokensConfig,
    private readonly redis: Redis,
  ) {
    const ttl = config.sessionCacheTtlMs;
    if (ttl > 0) {
      this.entries = new LRUCache({ max: MAX_ENTRIES, ttl });
      this.tombstones = new LRUCache({ max: MAX_ENTRIES, ttl: Math.max(TOMBSTONE_TTL_MS, ttl) });
    }
    redis.subscribe(REVOCATIONS_CHANNEL, (message) => this.received(message));
    // Revocations published while this instance could not hear them were missed: start afresh.
    redis.onAvailabilityChange(() => this.clear());
  }

  get(familyId: string, userId: string, now: Date): UserEntity | undefined {
    if (!this.trusted) return undefined;
    const entry = this.entries?.get(familyId);
    return entry && entry.user.id === userId && entry.expiresAt > now ? entry.user : undefined;
  }

  ticket(): LookupTicket {
    return { seq: this.seq, at: Date.now() };
  }

  set(familyId: string, user: UserEntity, expiresAt: Date, ticket: LookupTicket): void {
    if (!this.entries || !this.tombstones || !this.trusted) return;
    if (ticket.seq < this.clearedAt) return;
    const revokedSince = (key: string) => (this.tombstones!.get(key) ?? -1) > ticket.seq;
    // A tombstone older than its TTL is gone, so so slow a lookup cannot be checked: drop it.
    if (Date.now() - ticket.at >= TOMBSTONE_TTL_MS) return;
    if (revokedSince(sessionKey(familyId)) || revokedSince(userKey(user.id))) return;
    this.entries.set(familyId, { user, expiresAt });
  }

  /** Call once the revocation has committed: until then a lookup still reads the session as active. */
  forgetSession(familyId: string): void {
    this.dropSession(familyId);
    this.publish('session', familyId);
  }

  /** For changes to every session of a user; call it once the change has committed. */
  forgetUser(userId: string): void {
    this.dropUser(userId);
    this.publish('user', userId);
  }

  /** Without REDIS_URL always; with it, only while Redis is available (see the class comment). */
  private get trusted(): boolean {
    return !this.redis.configured || this.redis.available;
  }

  private dropSession(familyId: string): void {
    if (!this.entries) return;
    this.tombstones!.set(sessionKey(familyId), ++this.seq);
    this.entries.delete(familyId);
  }

  private dropUser(userId: string): void {
    if (!this.entries) return;
    this.tombstones!.set(userKey(userId), ++this.seq);
    for (const [familyId, entry] of this.entries.entries()) {
      if (entry.user.id === userId) this.entries.delete(familyId);
    }
  }

  private clear(): void {
    this.clearedAt = ++this.seq;
    this.entries?.clear();
  }

  private publish(kind: RevocationMessage['kind'], id: string): void {
    if (!this.redis.configured) return;
    const message: RevocationMessage = { kind, id, origin: this.origin };
    this.redis.publish(REVOCATIONS_CHANNEL, JSON.stringify(message));
  }

  /** Another instance's revocation: dropped here as if made here (tombstone included), never published again. */
  private received(raw: string): void {
    let message: Partial<RevocationMessage>;
    try {
      message = JSON.parse(raw) as Partial<RevocationMessage>;
    } catch {
      return;
    }
    if (typeof message?.id !== 'string' || message.origin === this.origin) return;
    if (message.kind === 'session') this.dropSession(message.id);
    else if (message.kind === 'user') this.dropUser(message.id);
  }
}

const sessionKey = (familyId: string) => `session:${familyId}`;
const userKey = (userId: string) => `user:${userId}`;
