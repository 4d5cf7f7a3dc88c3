import { pipedStdin, terminalStdin } from '../../test/fixtures/command-line.fixture';
import { passwordFrom, PASSWORD_ENV } from './password-input';
import { CliUsageError } from './provisioning-report';

describe(passwordFrom.name, () => {
  const noEnv = Object.freeze({});
  /** A stdin that must not be read: iterating it fails the test. */
  const untouched = () => terminalStdin();

  it('returns --password as given, before CLI_PASSWORD, without reading stdin', async () => {
    const stdin = untouched();

    await expect(
      passwordFrom({ password: 'Given-On-The-Line-1' }, { CLI_PASSWORD: 'From-Env-2' }, stdin),
    ).resolves.toBe('Given-On-The-Line-1');
    expect(stdin[Symbol.asyncIterator]).not.toHaveBeenCalled();
  });

  it('refuses --password with --password-stdin, without reading stdin', async () => {
    const stdin = untouched();

    const refused = passwordFrom({ password: 'Given-On-The-Line-1', passwordStdin: true }, noEnv, stdin);

    await expect(refused).rejects.toThrow(CliUsageError);
    await expect(refused).rejects.toThrow('give either --password or --password-stdin, not both');
    expect(stdin[Symbol.asyncIterator]).not.toHaveBeenCalled();
  });

  it.each([
    ['a line ending in \\n', ['Piped-Password-3\n']],
    ['a line ending in \\r\\n', ['Piped-Password-3\r\nsecond line\n']],
    ['no line ending', ['Piped-Password-3']],
    ['a line split over several chunks', ['Piped-', 'Pass', 'word-3\nignored']],
    ['Buffers, as a real pipe gives', [Buffer.from('Piped-Password-3\n')]],
  ])('--password-stdin takes the first line of %s', async (_case, chunks) => {
    await expect(
      passwordFrom({ passwordStdin: true }, { CLI_PASSWORD: 'From-Env-2' }, pipedStdin(...chunks)),
    ).resolves.toBe('Piped-Password-3');
  });

  it('--password-stdin keeps the line as typed, spaces and all', async () => {
    await expect(passwordFrom({ passwordStdin: true }, noEnv, pipedStdin('  spaced out  \n'))).resolves.toBe(
      '  spaced out  ',
    );
  });

  it('--password-stdin keeps a character whose bytes arrive in two chunks', async () => {
    const bytes = Buffer.from('pä-Password-4\n', 'utf8');
    const split = bytes.indexOf(0xc3) + 1;

    await expect(
      passwordFrom({ passwordStdin: true }, noEnv, pipedStdin(bytes.subarray(0, split), bytes.subarray(split))),
    ).resolves.toBe('pä-Password-4');
  });

  it('--password-stdin refuses a terminal, saying to pipe the password in, without waiting on it', async () => {
    const stdin = untouched();

    const refused = passwordFrom({ passwordStdin: true }, noEnv, stdin);

    await expect(refused).rejects.toThrow(CliUsageError);
    await expect(refused).rejects.toThrow(/--password-stdin reads a pipe, e\.g\. printf/);
    expect(stdin[Symbol.asyncIterator]).not.toHaveBeenCalled();
  });

  it.each([
    ['an empty pipe', []],
    ['an empty first line', ['\nSecond-Line-Password\n']],
    ['an empty first line ending in \\r\\n', ['\r\n']],
  ])('--password-stdin refuses %s', async (_case, chunks) => {
    const refused = passwordFrom({ passwordStdin: true }, noEnv, pipedStdin(...chunks));

    await expect(refused).rejects.toThrow(CliUsageError);
    await expect(refused).rejects.toThrow('--password-stdin read no password');
  });

  it.each([
    ['CLI_PASSWORD when set', { CLI_PASSWORD: 'From-Env-2' }, 'From-Env-2'],
    ['nothing when CLI_PASSWORD is empty', { CLI_PASSWORD: '' }, undefined],
    ['nothing when CLI_PASSWORD is unset', {}, undefined],
  ])('without an option, returns %s, without reading stdin', async (_case, env, expected) => {
    const stdin = untouched();

    await expect(passwordFrom({}, env, stdin)).resolves.toBe(expected);
    expect(stdin[Symbol.asyncIterator]).not.toHaveBeenCalled();
  });

  describe('by default', () => {
    const saved = process.env[PASSWORD_ENV];
    afterEach(() => {
      if (saved === undefined) delete process.env[PASSWORD_ENV];
      else process.env[PASSWORD_ENV] = saved;
      jest.restoreAllMocks();
    });

    it('reads the process environment', async () => {
      process.env[PASSWORD_ENV] = 'From-Process-Env-4';

      await expect(passwordFrom({})).resolves.toBe('From-Process-Env-4');
    });

    it('reads the process’s stdin', async () => {
      jest.spyOn(process, 'stdin', 'get').mockReturnValue(pipedStdin('From-Process-Stdin-5\n'));

      await expect(passwordFrom({ passwordStdin: true })).resolves.toBe('From-Process-Stdin-5');
    });
  });
});
