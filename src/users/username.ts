/**
 * Usernames are matched in one canonical form, so "Admin", "ADMIN" and the full-width
 * "Ａｄｍｉｎ" are one account: Unicode NFKC folds compatibility forms, then lower case.
 * The database compares the result byte for byte (binary collation on both engines).
 */
export function canonicalUsername(input: string): string {
  return input.normalize('NFKC').toLowerCase();
}

/** Letters and digits of any script plus . _ - @ +; nothing invisible or confusable as syntax. */
export const USERNAME_PATTERN = /^[\p{L}\p{M}\p{N}._@+-]{1,128}$/u;

export function isValidUsername(canonical: string): boolean {
  return USERNAME_PATTERN.test(canonical);
}
