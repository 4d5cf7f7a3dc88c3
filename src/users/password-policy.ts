import { Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { canonicalUsername } from './username';

export const MIN_PASSWORD_LENGTH = 8;
/** NIST SP 800-63B asks for at least 64; pre-hashing (password-hasher) makes any length safe for bcrypt. */
export const MAX_PASSWORD_LENGTH = 256;

/** 400 for a "new" password that is the one it replaces (the hasher sees both as the same NFKC string). */
export const unchangedPassword = (replaced: 'current' | 'temporary') =>
  new ApiException(ErrorCode.InvalidPassword, `The new password must differ from the ${replaced} one.`);

export const isSamePassword = (a: string, b: string) => a.normalize('NFKC') === b.normalize('NFKC');

/**
 * NIST SP 800-63B / ASVS 5.0 V6.2: length and a blocklist, no composition rules. Length is
 * counted in code points, so a password in any script gets the same allowance.
 */
@Injectable()
export class PasswordPolicy {
  /** ~49k passwords from breach corpora, as shipped with zxcvbn-ts. */
  private readonly blocklist = new Set(dictionary['passwords-common'].map((p: string) => p.toLowerCase()));

  /** Returns the rule a password breaks, or undefined when it is acceptable. */
  violation(raw: string, username: string): string | undefined {
    // Judge what the hasher stores (NFKC), so a full-width "ｐａｓｓｗｏｒｄ１" is "password1".
    const password = raw.normalize('NFKC');
    const length = [...password].length;
    if (length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
    if (length > MAX_PASSWORD_LENGTH) return `Password must be at most ${MAX_PASSWORD_LENGTH} characters long.`;
    if (canonicalUsername(password) === canonicalUsername(username)) return 'Password must not be the username.';
    if (this.blocklist.has(password.toLowerCase())) return 'Password is too common; choose a less guessable one.';
    return undefined;
  }

  assertAcceptable(password: string, username: string): void {
    const violation = this.violation(password, username);
    if (violation) throw new ApiException(ErrorCode.InvalidPassword, violation);
  }
}
