import { canonicalUsername, isValidUsername } from './username';

describe(canonicalUsername.name, () => {
  it.each([
    ['admin', 'admin'],
    ['Admin', 'admin'],
    ['ADMIN', 'admin'],
    ['aDmIn', 'admin'],
    ['Ａｄｍｉｎ', 'admin'],
    ['ＡＤＭＩＮ', 'admin'],
    ['ａｄｍｉｎ１２３', 'admin123'],
    ['\uFB01le', 'file'],
    ['user\u00B2', 'user2'],
    ['\u212Aelvin', 'kelvin'],
    ['\u2126mega', '\u03C9mega'],
    ['J\u00F6rg', 'j\u00F6rg'],
    ['Jo\u0308rg', 'j\u00F6rg'],
    ['JO\u0308RG', 'j\u00F6rg'],
    ['ΣΟΦΙΑ', 'σοφια'],
    ['Ünïcödé.User@Example.COM', 'ünïcödé.user@example.com'],
  ])('folds %p to %p', (input, canonical) => {
    expect(canonicalUsername(input)).toBe(canonical);
  });

  it('maps the spellings of one name to one form', () => {
    const spellings = ['Jörg', 'JÖRG', 'Jo\u0308rg', 'ｊｏ\u0308ｒｇ', 'J\u00D6RG'];

    expect(new Set(spellings.map(canonicalUsername))).toEqual(new Set(['j\u00F6rg']));
  });

  it('keeps different names apart', () => {
    const names = ['admin', 'admin1', 'admín', 'adm1n', 'administrator', 'root'];

    expect(new Set(names.map(canonicalUsername)).size).toBe(names.length);
  });

  it.each(['Admin', 'Ａｄｍｉｎ', 'Jo\u0308rg', '\uFB01le', 'İstanbul', 'ΣΟΦΙΑ', 'ǅemal'])(
    'is idempotent for %p',
    (input) => {
      const once = canonicalUsername(input);

      expect(canonicalUsername(once)).toBe(once);
    },
  );
});

describe(isValidUsername.name, () => {
  it.each(['admin', 'j.doe', 'jane_doe-2', 'jane+tag@example.com', 'jörg', '名前', 'σοφια', 'x', 'u'.repeat(128)])(
    'accepts %p',
    (name) => {
      expect(isValidUsername(name)).toBe(true);
    },
  );

  it.each([
    ['empty', ''],
    ['a space', 'john doe'],
    ['a tab', 'john\tdoe'],
    ['a zero-width space', 'admin\u200B'],
    ['a right-to-left override', 'admin\u202Etxt'],
    ['a slash', 'a/b'],
    ['markup', '<script>'],
    ['a quote', "o'brien"],
    ['a NUL', 'admin\u0000'],
    ['129 characters', 'u'.repeat(129)],
  ])('refuses %s', (_name, name) => {
    expect(isValidUsername(name)).toBe(false);
  });
});
