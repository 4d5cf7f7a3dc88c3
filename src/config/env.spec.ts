import { ConfigError, readBoolean, readDurationSeconds, readEnum, readInt, readString } from './env';

/** Runs `read` and returns the ConfigError it throws, failing the test if it throws nothing else. */
function configErrorOf(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe(readString.name, () => {
  it('returns the trimmed value', () => {
    expect(readString({ NAME: '  value \n' }, 'NAME')).toBe('value');
  });

  it.each([
    ['unset', {}],
    ['empty', { NAME: '' }],
    ['blank', { NAME: '   ' }],
  ])('falls back when %s', (_name, env) => {
    expect(readString(env, 'NAME', 'fallback')).toBe('fallback');
    expect(readString(env, 'NAME')).toBeUndefined();
  });
});

describe(readInt.name, () => {
  const sut = (value: string | undefined) => readInt({ PORT: value }, 'PORT', 3000, 0, 65535);

  it.each([
    ['8080', 8080],
    [' 8080 ', 8080],
    ['0', 0],
    ['65535', 65535],
  ])('reads "%s" as %d', (value, expected) => {
    expect(sut(value)).toBe(expected);
  });

  it.each([undefined, '', '  '])('falls back when the value is %p', (value) => {
    expect(sut(value)).toBe(3000);
  });

  it.each(['abc', '80a', '8.5', '1e3', '0x10', '-1', '65536', '99999999999999999999'])(
    'refuses "%s", naming the variable, the range and the value',
    (value) => {
      const error = configErrorOf(() => sut(value));

      expect(error.message).toMatch(/^PORT /);
      expect(error.message).toContain('0 to 65535');
      expect(error.message).toContain(`"${value}"`);
    },
  );

  it('accepts negative numbers when the range allows them', () => {
    expect(readInt({ OFFSET: '-5' }, 'OFFSET', 0, -10, 10)).toBe(-5);
  });
});

describe(readBoolean.name, () => {
  const sut = (value: string | undefined, fallback = false) => readBoolean({ FLAG: value }, 'FLAG', fallback);

  it.each(['true', 'TRUE', 'True', '1', 'yes', 'YES', ' true '])('reads "%s" as true', (value) => {
    expect(sut(value)).toBe(true);
  });

  it.each(['false', 'FALSE', '0', 'no', 'No'])('reads "%s" as false', (value) => {
    expect(sut(value, true)).toBe(false);
  });

  it('falls back when unset or empty', () => {
    expect(sut(undefined, true)).toBe(true);
    expect(sut('', true)).toBe(true);
    expect(sut(undefined, false)).toBe(false);
  });

  it.each(['maybe', 'on', '2', 'tru'])('refuses "%s", naming the variable', (value) => {
    const error = configErrorOf(() => sut(value));

    expect(error.message).toMatch(/^FLAG must be true or false/);
    expect(error.message).toContain(value);
  });
});

describe(readDurationSeconds.name, () => {
  const sut = (value: string | undefined, fallback = '24h') =>
    readDurationSeconds({ ACCESS_TOKEN_TTL: value }, 'ACCESS_TOKEN_TTL', fallback);

  it.each([
    ['24h', 86_400],
    ['90d', 7_776_000],
    ['3600', 3600],
    ['15m', 900],
    ['3m', 180],
    ['7d', 604_800],
    ['45s', 45],
    ['1', 1],
    ['1.5h', 5400],
    [' 10m ', 600],
  ])('reads "%s" as %d seconds', (value, seconds) => {
    expect(sut(value)).toBe(seconds);
  });

  it('falls back when unset or empty, parsing the fallback the same way', () => {
    expect(sut(undefined)).toBe(86_400);
    expect(sut('', '90d')).toBe(7_776_000);
  });

  it.each(['forever', 'h', '24 hours please', '-5', '-1h', '0', '0s', '500ms', '10x', '1,5h'])(
    'refuses "%s", naming the variable and the value',
    (value) => {
      const error = configErrorOf(() => sut(value));

      expect(error.message).toMatch(/^ACCESS_TOKEN_TTL must be a duration/);
      expect(error.message).toContain(`"${value}"`);
    },
  );

  it('refuses a bad fallback too, naming the variable', () => {
    expect(configErrorOf(() => sut(undefined, 'soon')).message).toMatch(/^ACCESS_TOKEN_TTL /);
  });
});

describe(readEnum.name, () => {
  const LEVELS = ['development', 'production', 'test'] as const;
  const sut = (value: string | undefined) => readEnum({ NODE_ENV: value }, 'NODE_ENV', LEVELS, 'development');

  it.each(LEVELS)('reads "%s"', (value) => {
    expect(sut(value)).toBe(value);
  });

  it('falls back when unset or empty', () => {
    expect(sut(undefined)).toBe('development');
    expect(sut('')).toBe('development');
  });

  it.each(['prod', 'Production', 'staging'])('refuses "%s", naming the variable and listing the choices', (value) => {
    const error = configErrorOf(() => sut(value));

    expect(error.message).toMatch(/^NODE_ENV must be one of development, production, test/);
    expect(error.message).toContain(`"${value}"`);
  });
});

describe(ConfigError.name, () => {
  it('is an Error named ConfigError, so main.ts can print it as one line', () => {
    const sut = new ConfigError('X must be set');

    expect(sut).toBeInstanceOf(Error);
    expect(sut.name).toBe('ConfigError');
    expect(sut.message).toBe('X must be set');
  });
});
