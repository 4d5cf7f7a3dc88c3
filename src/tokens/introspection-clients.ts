import { timingSafeEqual } from 'node:crypto';
import { NamedSecrets, readNamedSecrets, secretDigest } from '../config/named-secrets';

/** Client name to the SHA-256 of its secret. */
export type IntrospectionClients = NamedSecrets;

/** INTROSPECTION_CLIENTS: comma-separated `name:secret`, each secret >= 32 characters. */
export function readIntrospectionClients(env: NodeJS.ProcessEnv): IntrospectionClients {
  return readNamedSecrets(env, 'INTROSPECTION_CLIENTS', 'secret');
}

/** A secret no client has: an unknown name costs the same comparison as a known one. */
const NOBODY = secretDigest('no introspection client has this secret');

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
  const matches = timingSafeEqual(secretDigest(decoded.slice(colon + 1)), expected ?? NOBODY);
  return matches && expected ? name : undefined;
}
