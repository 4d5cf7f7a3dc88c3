import { configStub } from '../../test/support/config-stub';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { PasswordHasher } from './password-hasher.service';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordPolicy } from './password-policy';

const GOOD_PASSPHRASE = 'violet tractor moonlight 42';

describe(PasswordPolicy.name, () => {
  let sut: PasswordPolicy;

  beforeAll(() => {
    sut = new PasswordPolicy();
  });

  it('follows NIST SP 800-63B: at least 8, and at least 64 allowed', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(8);
    expect(MAX_PASSWORD_LENGTH).toBeGreaterThanOrEqual(64);
  });

  describe('accepts', () => {
    it.each([
      ['a passphrase', GOOD_PASSPHRASE],
      ['8 characters with no composition rule met', 'tzqmvbxk'],
      ['all digits', '40716253'],
      ['8 CJK characters', '東京特許許可局長'],
      ['8 emoji (16 UTF-16 code units)', '🦊🌲🍄🌙🦉🪵🔥🌌'],
      ['64 characters', 'x7'.repeat(32)],
      ['64 CJK characters (192 bytes)', '漢字仮名交'.repeat(13).slice(0, 64)],
      ['exactly the maximum', 'k9'.repeat(MAX_PASSWORD_LENGTH / 2)],
      ['the maximum in emoji (twice as many code units)', '🦊'.repeat(MAX_PASSWORD_LENGTH)],
    ])('%s', (_name, password) => {
      expect(sut.violation(password, 'alice')).toBeUndefined();
      expect(() => sut.assertAcceptable(password, 'alice')).not.toThrow();
    });
  });

  describe('refuses, saying which rule', () => {
    const TOO_SHORT = /at least 8 characters/;
    const TOO_LONG = new RegExp(`at most ${MAX_PASSWORD_LENGTH} characters`);
    const USERNAME = /must not be the username/;
    const COMMON = /too common/;

    it.each([
      ['empty', '', TOO_SHORT],
      ['7 characters', 'tzqmvbx', TOO_SHORT],
      ['7 emoji, though 14 UTF-16 code units', '🦊🌲🍄🌙🦉🪵🔥', TOO_SHORT],
      ['6 letters and a combining accent (7 code points)', 'tzqmvb\u0301', TOO_SHORT],
      ['one over the maximum', 'k'.repeat(MAX_PASSWORD_LENGTH + 1), TOO_LONG],
      ['one emoji over the maximum', '🦊'.repeat(MAX_PASSWORD_LENGTH + 1), TOO_LONG],
      ['password1', 'password1', COMMON],
      ['qwertyuiop', 'qwertyuiop', COMMON],
      ['PASSWORD1 (the blocklist ignores case)', 'PASSWORD1', COMMON],
      ['Qwertyuiop', 'Qwertyuiop', COMMON],
      ['12345678', '12345678', COMMON],
    ])('%s', (_name, password, rule) => {
      expect(sut.violation(password, 'alice')).toMatch(rule);
    });

    it.each([
      ['the same', 'alice.smith'],
      ['upper case', 'ALICE.SMITH'],
      ['mixed case', 'Alice.Smith'],
      ['full-width', 'Ａｌｉｃｅ.Ｓｍｉｔｈ'],
    ])('the username, %s', (_name, password) => {
      expect(sut.violation(password, 'alice.smith')).toMatch(USERNAME);
      expect(sut.violation(password, 'Alice.Smith')).toMatch(USERNAME);
    });

    /**
     * The hasher stores NFKC(password), so the policy must judge that same string: otherwise a
     * refused password gets in under a compatibility spelling, and its plain form then logs in.
     */
    describe('judging the NFKC form that the hasher stores', () => {
      const hasher = new PasswordHasher(configStub({ auth: { bcryptCost: 4, passwordQueueLimit: 64 } }));

      it.each([
        [
          '"password1" in full-width letters',
          '\uFF50\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44\uFF11',
          'password1',
          COMMON,
        ],
        [
          '"qwertyuiop" in full-width letters',
          '\uFF51\uFF57\uFF45\uFF52\uFF54\uFF59\uFF55\uFF49\uFF4F\uFF50',
          'qwertyuiop',
          COMMON,
        ],
        [
          'four "e" + combining acute (8 code points, 4 characters)',
          'e\u0301'.repeat(4),
          '\u00E9'.repeat(4),
          TOO_SHORT,
        ],
      ])('%s', async (_name, disguised, plain, rule) => {
        // The premise: both spellings are one password to the hasher, and the plain one is refused.
        await expect(hasher.verify(plain, await hasher.hash(disguised))).resolves.toBe(true);
        expect(sut.violation(plain, 'alice')).toMatch(rule);

        expect(sut.violation(disguised, 'alice')).toMatch(rule);
      });
    });

    it('gives each rule its own message', () => {
      const messages = [
        sut.violation('short', 'alice'),
        sut.violation('k'.repeat(MAX_PASSWORD_LENGTH + 1), 'alice'),
        sut.violation('alice.smith', 'alice.smith'),
        sut.violation('password1', 'alice'),
      ];

      expect(messages.every((message) => typeof message === 'string' && message.length > 0)).toBe(true);
      expect(new Set(messages).size).toBe(4);
    });
  });

  describe('assertAcceptable', () => {
    it('throws InvalidPassword (400) with the broken rule as the message', () => {
      let thrown: unknown;
      try {
        sut.assertAcceptable('password1', 'alice');
      } catch (error) {
        thrown = error;
      }

      expect(thrown).toBeInstanceOf(ApiException);
      expect(thrown).toMatchObject({ code: ErrorCode.InvalidPassword, message: sut.violation('password1', 'alice') });
      expect((thrown as ApiException).getStatus()).toBe(400);
    });
  });
});
