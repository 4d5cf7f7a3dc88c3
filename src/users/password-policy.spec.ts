import { configFixture } from '../../test/fixtures/config.fixture';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { PasswordHasher } from './password-hasher.service';
import { isSamePassword, PasswordPolicy, unchangedPassword } from './password-policy';

// The rules as docs/cli.md and docs/auth-flows.md give them: 8 to 256 characters, not the
// username, not on zxcvbn-ts's common-passwords list, and no composition rules.
const TOO_SHORT = 'Password must be at least 8 characters long.';
const TOO_LONG = 'Password must be at most 256 characters long.';
const USERNAME = 'Password must not be the username.';
const COMMON = 'Password is too common; choose a less guessable one.';

/** The 400 a client gets for a refused password. */
const refused = (message: string) => ({ status: 400, code: ErrorCode.InvalidPassword, message });

/** What a thrown ApiException tells the client, or 'accepted' when nothing is thrown. */
function outcome(act: () => void) {
  try {
    act();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    return { status: error.getStatus(), code: error.code, message: error.message };
  }
}

describe(PasswordPolicy.name, () => {
  let sut: PasswordPolicy;

  beforeAll(() => {
    sut = new PasswordPolicy();
  });

  const verdict = (password: string, username = 'alice') => outcome(() => sut.assertAcceptable(password, username));

  describe('accepts', () => {
    it.each([
      ['a passphrase', 'violet tractor moonlight 42'],
      ['8 characters with no composition rule met', 'tzqmvbxk'],
      ['8 digits', '40716253'],
      ['8 CJK characters', '東京特許許可局長'],
      ['8 emoji (16 UTF-16 code units)', '🦊🌲🍄🌙🦉🪵🔥🌌'],
      ['64 characters', 'x7'.repeat(32)],
      ['256 characters', 'k9'.repeat(128)],
      ['256 emoji (512 UTF-16 code units)', '🦊'.repeat(256)],
      ['one that only contains the username', 'alice-in-wonderland-1865'],
    ])('%s', (_name, password) => {
      expect(verdict(password)).toBe('accepted');
      expect(sut.violation(password, 'alice')).toBeUndefined();
    });
  });

  describe('refuses with InvalidPassword (400), naming the rule broken', () => {
    it.each([
      ['empty', '', TOO_SHORT],
      ['7 characters', 'tzqmvbx', TOO_SHORT],
      ['7 emoji, though 14 UTF-16 code units', '🦊🌲🍄🌙🦉🪵🔥', TOO_SHORT],
      ['6 letters and a combining accent (7 code points)', 'tzqmvb\u0301', TOO_SHORT],
      ['257 characters', 'k'.repeat(257), TOO_LONG],
      ['257 emoji', '🦊'.repeat(257), TOO_LONG],
      ['password1', 'password1', COMMON],
      ['PASSWORD1 (the list ignores case)', 'PASSWORD1', COMMON],
      ['qwertyuiop', 'qwertyuiop', COMMON],
      ['12345678', '12345678', COMMON],
    ])('%s', (_name, password, message) => {
      expect(verdict(password)).toEqual(refused(message));
      expect(sut.violation(password, 'alice')).toBe(message);
    });

    it.each([
      ['as it is', 'alice.smith', 'alice.smith'],
      ['in upper case', 'ALICE.SMITH', 'alice.smith'],
      ['in mixed case, against a mixed-case username', 'alice.smith', 'Alice.Smith'],
      ['in full-width letters', 'Ａｌｉｃｅ.Ｓｍｉｔｈ', 'alice.smith'],
    ])('the username, %s', (_name, password, username) => {
      expect(verdict(password, username)).toEqual(refused(USERNAME));
    });

    /**
     * The hasher stores NFKC(password), so the policy must judge that same string: otherwise a
     * refused password gets in under a compatibility spelling, and its plain form then logs in.
     */
    describe('judging the NFKC form that the hasher stores', () => {
      const hasher = new PasswordHasher(configFixture.users({ bcryptCost: 4 }));

      it.each([
        ['"password1" in full-width letters', 'ｐａｓｓｗｏｒｄ１', 'password1', COMMON],
        ['"qwertyuiop" in full-width letters', 'ｑｗｅｒｔｙｕｉｏｐ', 'qwertyuiop', COMMON],
        [
          'four "e" + combining acute: 8 code points, 4 once composed',
          'e\u0301'.repeat(4),
          '\u00E9'.repeat(4),
          TOO_SHORT,
        ],
      ])('%s', async (_name, disguised, plain, message) => {
        // The premise: two spellings, one password to the hasher, and the plain one is refused.
        expect(disguised).not.toBe(plain);
        await expect(hasher.verify(plain, await hasher.hash(disguised))).resolves.toBe(true);
        expect(verdict(plain)).toEqual(refused(message));

        expect(verdict(disguised)).toEqual(refused(message));
      });
    });
  });
});

describe(isSamePassword.name, () => {
  it.each([
    ['the same string', 'Correct-Horse-7', 'Correct-Horse-7', true],
    ['full-width letters and their plain form', 'Ｃｏｒｒｅｃｔ-Ｈｏｒｓｅ-７', 'Correct-Horse-7', true],
    ['a combining accent and the composed letter', 'cafe\u0301-latte', 'caf\u00E9-latte', true],
    ['another case (passwords are case-sensitive)', 'correct-horse-7', 'Correct-Horse-7', false],
    ['one more character', 'Correct-Horse-77', 'Correct-Horse-7', false],
  ])('%s', (_name, a, b, same) => {
    expect(isSamePassword(a, b)).toBe(same);
  });
});

describe(unchangedPassword.name, () => {
  it.each([
    ['current', 'The new password must differ from the current one.'],
    ['temporary', 'The new password must differ from the temporary one.'],
  ] as const)('is an InvalidPassword (400) naming the %s password', (replaced, message) => {
    expect(
      outcome(() => {
        throw unchangedPassword(replaced);
      }),
    ).toEqual(refused(message));
  });
});
