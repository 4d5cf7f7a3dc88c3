import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError, readString } from '../config/env';

const MIN_SECRET_LENGTH = 32;
const CLIENT_NAME = /^[\w.-]{1,64}$/;

/** Client name to the SHA-256 of its secret: the secrets themselves are not kept. */
export type IntrospectionClients = ReadonlyMap<string, Buffer>;

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/** INTROSPECTION_CLIENTS: comma-separated `name:secret`, each secret >= 32 characters. */
export function readIntrospectionClients(env: NodeJS.ProcessEnv): IntrospectionClients {
  const clients = new Map<string, Buffer>();
  const entries = (readString(env, 'INTROSPECTION_CLIENTS') ?? '').split(',').map((entry) => entry.trim());
  for (const [index, entry] of entries.filter((e) => e !== '').entries()) {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon) : '';
    const secret = colon > 0 ? entry.slice(colon + 1) : '';
    if (!CLIENT_NAME.test(name) || secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(
        `INTROSPECTION_CLIENTS (entry ${index + 1}) must be name:secret, the name letters, digits, ".", "_" or "-", ` +
          `the secret at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    if (clients.has(name)) throw new ConfigError(`INTROSPECTION_CLIENTS names "${name}" twice`);
    clients.set(name, digest(secret));
  }
  return clients;
}

/** A secret no client has: an unknown name costs the same comparison as a known one. */
const NOBODY = digest('no introspection client has this secret');

/**
 * The client an `Authorization: Basic` header authenticates, or undefined. Digests are compared
 * in constant time (both 32 bytes whatever the secret's length).
 */
export function authenticateClient(
  clients: IntrospectionClients,
  authorization: string | undefined,
): string | undefined {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization?.trim() ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const name = decoded.slice(0, colon);
  const expected = clients.get(name);
  const matches = timingSafeEqual(digest(decoded.slice(colon + 1)), expected ?? NOBODY);
  return matches && expected ? name : undefined;
}
