import { ConfigError } from './env';
import { readTrustProxy } from './trust-proxy';

describe(readTrustProxy.name, () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['TRUE', true],
    ['1', 1],
    [' 2 ', 2],
  ])('reads %p as %p', (value, expected) => {
    expect(readTrustProxy(value)).toBe(expected);
  });

  it('reads proxy addresses and CIDRs, IPv4 and IPv6', () => {
    expect(readTrustProxy('10.0.0.7, 192.168.0.0/16,fd00::/8,::1')).toEqual([
      '10.0.0.7',
      '192.168.0.0/16',
      'fd00::/8',
      '::1',
    ]);
  });

  it.each(['yes', 'on', '10.0.0', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/1', 'proxy.internal', '10.0.0.1,', '101'])(
    'refuses %p, saying what it takes',
    (value) => {
      expect(() => readTrustProxy(value)).toThrow(ConfigError);
      expect(() => readTrustProxy(value)).toThrow(/hop count/);
    },
  );
});
