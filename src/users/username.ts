import { ValidateBy, ValidationArguments } from 'class-validator';

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

export const MAX_USERNAME_LENGTH = 128;

/**
 * For request fields: a non-empty string whose canonical form fits the column. NFKC can
 * lengthen a name ("ﬀ" becomes "ff"), so the raw length alone is not enough.
 */
export function IsUsername(): PropertyDecorator {
  return ValidateBy({
    name: 'isUsername',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && value.length > 0 && canonicalUsername(value).length <= MAX_USERNAME_LENGTH,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'username'} must be a non-empty string of at most ${MAX_USERNAME_LENGTH} characters`,
    },
  });
}
