import { hash } from 'node:crypto';
import { ConfigError, readString } from './env';

const MIN_SECRET_LENGTH = 32;
const NAME = /^[\w.-]{1,64}$/;

/** Name to the SHA-256 of its secret: the secrets themselves are not kept. */
export type NamedSecrets = ReadonlyMap<string, Buffer>;

/**
 * SHA-256, 32 bytes whatever the secret's length, so digests compare in constant time. One-shot
 * `hash()`: it runs on every introspection and admin request, and a Hash object per call costs
 * more than the digest.
 */
export const secretDigest = (secret: string) => hash('sha256', secret, 'buffer');

/**
 * A variable of comma-separated `name:<what>` entries (INTROSPECTION_CLIENTS, ADMIN_API_KEYS),
 * each secret at least 32 characters. A bad entry is named by its position, never echoed.
 */
export function readNamedSecrets(env: NodeJS.ProcessEnv, variable: string, what: string): NamedSecrets {
  const secrets = new Map<string, Buffer>();
  const entries = (readString(env, variable) ?? '').split(',').map((entry) => entry.trim());
  for (const [index, entry] of entries.filter((e) => e !== '').entries()) {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon) : '';
    const secret = colon > 0 ? entry.slice(colon + 1) : '';
    if (!NAME.test(name) || secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(
        `${variable} (entry ${index + 1}) must be name:${what}, the name letters, digits, ".", "_" or "-", ` +
          `the ${what} at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    if (secrets.has(name)) throw new ConfigError(`${variable} names "${name}" twice`);
    secrets.set(name, secretDigest(secret));
  }
  return secrets;
}
