import bcrypt from 'bcrypt';
import { configFixture } from '../../test/fixtures/config.fixture';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { hashingThreads } from '../config/thread-pool';
import { PasswordHasher } from './password-hasher.service';

/** 64 distinct CJK ideographs: 64 characters, 192 bytes of UTF-8. */
const CJK_64 = Array.from({ length: 64 }, (_, i) => String.fromCodePoint(0x4e00 + i * 37)).join('');
const BCRYPT_COST_4 = /^\$2[aby]\$04\$[./A-Za-z0-9]{53}$/;

describe(PasswordHasher.name, () => {
  let sut: PasswordHasher;

  beforeEach(async () => {
    sut = new PasswordHasher(configFixture.users({ bcryptCost: 4, passwordQueueLimit: 64 }));
    await sut.onModuleInit();
  });
  afterEach(() => jest.restoreAllMocks());

  it('hashes with bcrypt at the configured cost and verifies the same password', async () => {
    const hash = await sut.hash('Correct-Horse-Battery-7');

    expect(hash).toMatch(BCRYPT_COST_4);
    await expect(sut.verify('Correct-Horse-Battery-7', hash)).resolves.toBe(true);
  });

  it.each([
    ['another password', 'Wrong-Horse-Battery-7'],
    ['a different case', 'correct-horse-battery-7'],
    ['a prefix', 'Correct-Horse-Battery-'],
    ['an extra character', 'Correct-Horse-Battery-77'],
    ['an empty string', ''],
  ])('does not verify %s', async (_name, attempt) => {
    const hash = await sut.hash('Correct-Horse-Battery-7');

    await expect(sut.verify(attempt, hash)).resolves.toBe(false);
  });

  it('salts every hash: the same password twice gives two hashes, both of which verify', async () => {
    const [first, second] = await Promise.all([sut.hash('same-password-here'), sut.hash('same-password-here')]);

    expect(first).not.toBe(second);
    await expect(sut.verify('same-password-here', first)).resolves.toBe(true);
    await expect(sut.verify('same-password-here', second)).resolves.toBe(true);
  });

  it('pre-hashes: two passwords that share their first 72 bytes do not verify against each other', async () => {
    const shared = 'a'.repeat(72);
    const first = `${shared}-first-ending`;
    const second = `${shared}-second-ending`;
    // The premise: bcrypt alone reads 72 bytes, so it cannot tell these two apart.
    await expect(bcrypt.compare(second, await bcrypt.hash(first, 4))).resolves.toBe(true);

    const hash = await sut.hash(first);

    await expect(sut.verify(first, hash)).resolves.toBe(true);
    await expect(sut.verify(second, hash)).resolves.toBe(false);
    await expect(sut.verify(shared, hash)).resolves.toBe(false);
  });

  it('round-trips a 64-character password in a multi-byte script (192 bytes), and its last character counts', async () => {
    expect([...CJK_64]).toHaveLength(64);
    expect(Buffer.byteLength(CJK_64, 'utf8')).toBe(192);
    const lastChanged = `${CJK_64.slice(0, -1)}${String.fromCodePoint(0x9fa5)}`;

    const hash = await sut.hash(CJK_64);

    await expect(sut.verify(CJK_64, hash)).resolves.toBe(true);
    await expect(sut.verify(lastChanged, hash)).resolves.toBe(false);
    await expect(sut.verify(CJK_64.slice(0, 24), hash)).resolves.toBe(false);
  });

  it('round-trips 64 emoji (256 bytes of UTF-8)', async () => {
    const emoji = '\u{1F600}\u{1F680}\u{1F308}\u{1F34E}'.repeat(16);
    expect(Buffer.byteLength(emoji, 'utf8')).toBe(256);

    const hash = await sut.hash(emoji);

    await expect(sut.verify(emoji, hash)).resolves.toBe(true);
    await expect(sut.verify(emoji.slice(0, -2), hash)).resolves.toBe(false);
  });

  it('does not stop at a NUL character', async () => {
    const hash = await sut.hash('prefix\u0000first-suffix');

    await expect(sut.verify('prefix\u0000second-suffix', hash)).resolves.toBe(false);
    await expect(sut.verify('prefix', hash)).resolves.toBe(false);
  });

  it.each([
    ['full-width letters', 'Ｃｏｒｒｅｃｔ-Ｈｏｒｓｅ', 'Correct-Horse'],
    ['a decomposed accent', 'cafe\u0301-au-lait', 'caf\u00e9-au-lait'],
    ['a ligature', '\uFB01nal-answer-42', 'final-answer-42'],
  ])('normalises NFKC first, so %s verify against their plain form', async (_name, typed, stored) => {
    const hash = await sut.hash(stored);

    await expect(sut.verify(typed, hash)).resolves.toBe(true);
  });

  describe('verifyAgainstDummy', () => {
    it.each(['Correct-Horse-Battery-7', '', CJK_64])('resolves false for %p', async (password) => {
      await expect(sut.verifyAgainstDummy(password)).resolves.toBe(false);
    });

    it('spends one bcrypt comparison at the configured cost, like verify', async () => {
      const compare = jest.spyOn(bcrypt, 'compare');

      await expect(sut.verifyAgainstDummy('Correct-Horse-Battery-7')).resolves.toBe(false);

      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare.mock.calls[0][1]).toMatch(BCRYPT_COST_4);
    });
  });

  describe('with PASSWORD_QUEUE_LIMIT', () => {
    const threads = hashingThreads();
    const limited = async (passwordQueueLimit: number) => {
      const hasher = new PasswordHasher(configFixture.users({ bcryptCost: 4, passwordQueueLimit }));
      await hasher.onModuleInit();
      return hasher;
    };

    it('hands bcrypt no more jobs at once than it has threads, and queues the rest', async () => {
      const hasher = await limited(10);
      let running = 0;
      let most = 0;
      const original = bcrypt.compare.bind(bcrypt) as (data: string, hash: string) => Promise<boolean>;
      const counted = async (data: string, hash: string) => {
        running += 1;
        most = Math.max(most, running);
        try {
          return await original(data, hash);
        } finally {
          running -= 1;
        }
      };
      // bcrypt.compare's typings include its callback form; only the promise form is called.
      jest.spyOn(bcrypt, 'compare').mockImplementation(counted as never);
      const hash = await hasher.hash('Correct-Horse-Battery-7');

      const results = await Promise.all(Array.from({ length: threads + 3 }, () => hasher.verify('x', hash)));

      expect(results).toEqual(Array(threads + 3).fill(false));
      expect(most).toBe(threads);
    });

    it('answers 503 at once, with Retry-After, past the threads and the queue', async () => {
      const hasher = await limited(1);
      const hash = await hasher.hash('Correct-Horse-Battery-7');
      const admitted = Array.from({ length: threads + 1 }, () => hasher.verify('x', hash));

      const refused = hasher.verify('x', hash);

      await expect(refused).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable, retryAfterSeconds: 1 });
      expect(() => hasher.assertCapacity()).toThrow(ApiException);
      await expect(Promise.all(admitted)).resolves.toEqual(Array(threads + 1).fill(false));
      expect(() => hasher.assertCapacity()).not.toThrow();
    });
  });
});
