import { decode, sign, SignOptions } from 'jsonwebtoken';

export function claimsOf(token: string): Record<string, any> {
  return decode(token, { json: true }) ?? {};
}

export function headerOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/** A token like the service's, with chosen claims: for proving which ones the guard checks. */
export function forgeToken(secret: string, claims: Record<string, unknown>, options: SignOptions = {}): string {
  const algorithm = options.algorithm ?? 'HS256';
  return sign(claims, secret, {
    issuer: 'auth-service',
    audience: 'auth-service',
    ...options,
    algorithm,
    header: { alg: algorithm, typ: 'at+jwt', ...options.header },
  });
}

/** An unsigned token (`alg: none`), which no verifier may accept. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
