import { randomInt } from 'node:crypto';

/** Lower case, no 0/o, 1/l/i: read off paper and typed in any case. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

/** `xxxxx-xxxxx`: 10 characters of 31, about 49 bits, each drawn without modulo bias. */
export function generateRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** What a typed code is compared as: no spaces or hyphens, lower case. */
export function normalizeRecoveryCode(input: string): string {
  return input.replace(/[\s-]/g, '').toLowerCase();
}

/** A TOTP code is six digits; anything else sent as a code is taken for a recovery code. */
export const isTotpCode = (input: string) => /^\d{6}$/.test(input);
