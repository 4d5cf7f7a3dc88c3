import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
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

/**
 * Active sessions the guard has just looked up, kept for a moment (SESSION_CACHE_TTL_MS) so
 * a burst of requests with one access token costs one query. Every revocation made by this
 * instance removes the entry at once; another instance's revocation is seen within the TTL.
 *
 * A lookup that read "active" just before a revocation committed must not put the session
 * back afterwards: each revocation leaves a tombstone with a sequence number, and `set`
 * drops an answer whose lookup began before a tombstone for its session or user.
 */
@Injectable()
export class SessionCache {
  private readonly entries?: LRUCache<string, CachedSession>;
  private readonly tombstones?: LRUCache<string, number>;
  private seq = 0;

  constructor(@Inject(tokensConfig.KEY) config: TokensConfig) {
    const ttl = config.sessionCacheTtlMs;
    if (ttl > 0) {
      this.entries = new LRUCache({ max: MAX_ENTRIES, ttl });
      this.tombstones = new LRUCache({ max: MAX_ENTRIES, ttl: Math.max(TOMBSTONE_TTL_MS, ttl) });
    }
  }

  get(familyId: string, userId: string, now: Date): UserEntity | undefined {
    const entry = this.entries?.get(familyId);
    return entry && entry.user.id === userId && entry.expiresAt > now ? entry.user : undefined;
  }

  ticket(): LookupTicket {
    return { seq: this.seq, at: Date.now() };
  }

  set(familyId: string, user: UserEntity, expiresAt: Date, ticket: LookupTicket): void {
    if (!this.entries || !this.tombstones) return;
    const revokedSince = (key: string) => (this.tombstones!.get(key) ?? -1) > ticket.seq;
    // A tombstone older than its TTL is gone, so so slow a lookup cannot be checked: drop it.
    if (Date.now() - ticket.at >= TOMBSTONE_TTL_MS) return;
    if (revokedSince(sessionKey(familyId)) || revokedSince(userKey(user.id))) return;
    this.entries.set(familyId, { user, expiresAt });
  }

  /** Call once the revocation has committed: until then a lookup still reads the session as active. */
  forgetSession(familyId: string): void {
    if (!this.entries) return;
    this.tombstones!.set(sessionKey(familyId), ++this.seq);
    this.entries.delete(familyId);
  }

  /** For changes to every session of a user; call it once the change has committed. */
  forgetUser(userId: string): void {
    if (!this.entries) return;
    this.tombstones!.set(userKey(userId), ++this.seq);
    for (const [familyId, entry] of this.entries.entries()) {
      if (entry.user.id === userId) this.entries.delete(familyId);
    }
  }
}

const sessionKey = (familyId: string) => `session:${familyId}`;
const userKey = (userId: string) => `user:${userId}`;
