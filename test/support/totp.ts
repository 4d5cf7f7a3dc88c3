import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const STEP_SECONDS = 30;

/** RFC 4648 base32, as an authenticator app reads the secret it is given. */
export function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/**
 * The code an authenticator app shows (RFC 6238 over RFC 4226's HOTP: HMAC-SHA-1 of the
 * 30-second step, dynamic truncation), written here from the RFCs so the specs check the
 * service against the standard rather than against the library it uses.
 */
export function totpCode(key: Buffer, at = Date.now(), stepOffset = 0, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / STEP_SECONDS) + stepOffset));
  const hmac = createHmac('sha1', key).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0x0f;
  const binary = (hmac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(binary).padStart(digits, '0');
}

/** Codes for `secret` (base32) at the current step and the steps around it. */
export const codeFor = (secret: string, stepOffset = 0) => totpCode(base32Decode(secret), Date.now(), stepOffset);

/** Waits out the end of a step, so the codes a spec is about to send stay in the window. */
export async function awayFromStepEdge(marginSeconds = 4): Promise<void> {
  const intoStep = (Date.now() / 1000) % STEP_SECONDS;
  if (intoStep > STEP_SECONDS - marginSeconds) await sleep((STEP_SECONDS - intoStep + 0.2) * 1000);
}
