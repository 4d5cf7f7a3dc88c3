import { createRootLogger } from './root-logger';

describe('createRootLogger', () => {
  let written: string[];
  const sink = { write: (line: string) => written.push(line) };

  beforeEach(() => {
    written = [];
  });

  const lines = () => written.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes one JSON object a line, with the level by name', () => {
    createRootLogger({ logLevel: 'info', logFormat: 'json' }, sink).info({ context: 'Test' }, 'hello');
    expect(written).toHaveLength(1);
    expect(written[0].endsWith('}\n')).toBe(true);
    expect(lines()[0]).toMatchObject({ level: 'info', context: 'Test', msg: 'hello', time: expect.any(Number) });
  });

  it('redacts secret fields at the top and one level down, and the authorization header', () => {
    createRootLogger({ logLevel: 'info', logFormat: 'json' }, sink).info(
      {
        password: 'p1',
        body: { new_password: 'p2', refresh_token: 'r1', confirmation_code: 'c1', session: 's1', username: 'kept' },
        req: { headers: { authorization: 'Bearer t1', cookie: 'k1', 'user-agent': 'ua' } },
      },
      'with secrets',
    );
    const [line] = lines();
    expect(line).toMatchObject({
      password: '[redacted]',
      body: {
        new_password: '[redacted]',
        refresh_token: '[redacted]',
        confirmation_code: '[redacted]',
        session: '[redacted]',
        username: 'kept',
      },
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', 'user-agent': 'ua' } },
    });
    expect(written.join('')).not.toMatch(/p1|p2|r1|c1|s1|t1|k1/);
  });

  it('writes nothing when silent', () => {
    const logger = createRootLogger({ logLevel: 'silent', logFormat: 'pretty' }, sink);
    logger.error('nothing');
    expect(written).toEqual([]);
  });
});
