import { randomInt } from 'node:crypto';

/** No 0/O, 1/l/I: a person may have to read it off a screen and type it. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

/** 16 characters from 56: about 93 bits, drawn without modulo bias. */
export function generateTemporaryPassword(length = 16): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}
