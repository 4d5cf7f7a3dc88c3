import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG, URL-safe. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Secrets we issue are high-entropy, so a fast hash is enough to make a stolen table useless
 * (no dictionary to try); bcrypt is only for human-chosen passwords.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * The secret of the token that rotation puts in place of the one with `parentSecret`. Only a
 * holder of the parent token can compute it (the database keeps hashes alone), and only
 * knowing the successor's id, which nothing outside its own token reveals; so a second
 * redemption of the parent within the grace window can be answered with the same successor.
 */
export function successorSecret(parentSecret: string, successorId: string): string {
  return createHmac('sha256', parentSecret).update(`refresh-token-successor:${successorId}`).digest('base64url');
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** `<uuid>.<43 base64url chars>`: the id finds the row, the secret proves possession. */
const OPAQUE_TOKEN = /^([0-9a-f-]{36})\.([\w-]{43})$/;

/** The parts of a refresh token or challenge session; null for anything else. */
export function parseOpaqueToken(token: string): { id: string; secret: string } | null {
  const match = OPAQUE_TOKEN.exec(token);
  return match ? { id: match[1], secret: match[2] } : null;
}
