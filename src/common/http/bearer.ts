const BEARER = /^Bearer (\S+)$/i;

/** The credential of an `Authorization: Bearer <credential>` header; undefined for any other. */
export function bearerCredential(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization?.trim() ?? '')?.[1];
}
