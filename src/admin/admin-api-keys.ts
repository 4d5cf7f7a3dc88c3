import { timingSafeEqual } from 'node:crypto';
import { NamedSecrets, readNamedSecrets, secretDigest } from '../config/named-secrets';

/** Key name (the audit trail's `key:<name>`) to the SHA-256 of the key. */
export type AdminApiKeys = NamedSecrets;

/** ADMIN_API_KEYS: comma-separated `name:key`, each key >= 32 characters. */
export function readAdminApiKeys(env: NodeJS.ProcessEnv): AdminApiKeys {
  return readNamedSecrets(env, 'ADMIN_API_KEYS', 'key');
}

/**
 * The name of the key a Bearer credential is, or undefined. The credential carries no name, so
 * every key is compared, in constant time and without stopping at a match: the time taken
 * tells nothing about which key (or whether any) matched.
 */
export function matchAdminApiKey(keys: AdminApiKeys, credential: string): string | undefined {
  const presented = secretDigest(credential);
  let matched: string | undefined;
  for (const [name, digest] of keys) {
    if (timingSafeEqual(presented, digest)) matched ??= name;
  }
  return matched;
}
