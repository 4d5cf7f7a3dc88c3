import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import { AllConfig } from '../config/config.types';
import { UserEntity } from '../users/entities/user.entity';

interface CachedSession {
  user: UserEntity;
  expiresAt: Date;
}

/**
 * Active sessions the guard has just looked up, kept for a moment (SESSION_CACHE_TTL_MS) so
 * a burst of requests with one access token costs one query. Every revocation made by this
 * instance removes the entry at once; another instance's revocation is seen within the TTL.
 */
@Injectable()
export class SessionCache {
  private readonly entries?: LRUCache<string, CachedSession>;

  constructor(@Inject(ConfigService) config: ConfigService<AllConfig, true>) {
    const ttl = config.get('tokens.sessionCacheTtlMs', { infer: true });
    if (ttl > 0) this.entries = new LRUCache({ max: 50_000, ttl });
  }

  get(familyId: string, userId: string, now: Date): UserEntity | undefined {
    const entry = this.entries?.get(familyId);
    return entry && entry.user.id === userId && entry.expiresAt > now ? entry.user : undefined;
  }

  set(familyId: string, user: UserEntity, expiresAt: Date): void {
    this.entries?.set(familyId, { user, expiresAt });
  }

  forgetSession(familyId: string): void {
    this.entries?.delete(familyId);
  }

  /** For changes to every session of a user; call it again after the transaction commits. */
  forgetUser(userId: string): void {
    if (!this.entries) return;
    for (const [familyId, entry] of this.entries.entries()) {
      if (entry.user.id === userId) this.entries.delete(familyId);
    }
  }
}
