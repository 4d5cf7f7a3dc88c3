import { ConfigError } from '../config/env';
import { authenticateClient, readIntrospectionClients } from './introspection-clients';

const SECRET = 'q4Zr8vN1xK7mT2wB9pL5sD3fH6jC0yGa';
const OTHER = 'm3Kp9wQ2xZ7vB4nL8tR1yH6jF5cD0gSa';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe(readIntrospectionClients.name, () => {
  it('reads comma-separated name:secret pairs and keeps digests, not secrets', () => {
    const clients = readIntrospectionClients({ INTROSPECTION_CLIENTS: ` orders:${SECRET} ,billing.v2:${OTHER}:x` });
    expect([...clients.keys()]).toEqual(['orders', 'billing.v2']);
    for (const digest of clients.values()) expect(digest).toHaveLength(32);
    expect(JSON.stringify([...clients.values()])).not.toContain(SECRET);
  });

  it('has no client when unset or empty', () => {
    expect(readIntrospectionClients({}).size).toBe(0);
    expect(readIntrospectionClients({ INTROSPECTION_CLIENTS: ' , ' }).size).toBe(0);
  });

  it.each([
    ['a short secret', `orders:${SECRET.slice(0, 31)}`],
    ['no secret', 'orders'],
    ['no name', `:${SECRET}`],
    ['a name with a space', `my orders:${SECRET}`],
  ])('refuses %s, naming the entry without echoing it', (_name, value) => {
    let error: unknown;
    try {
      readIntrospectionClients({ INTROSPECTION_CLIENTS: `billing:${OTHER},${value}` });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^INTROSPECTION_CLIENTS \(entry 2\) must be name:secret/);
    expect((error as Error).message).not.toContain(SECRET.slice(0, 20));
  });

  it('refuses a name given twice', () => {
    expect(() => readIntrospectionClients({ INTROSPECTION_CLIENTS: `a:${SECRET},a:${OTHER}` })).toThrow(
      'INTROSPECTION_CLIENTS names "a" twice',
    );
  });
});

describe(authenticateClient.name, () => {
  const clients = readIntrospectionClients({ INTROSPECTION_CLIENTS: `orders:${SECRET},billing:${OTHER}` });

  it('names the client whose secret the Basic credentials carry', () => {
    expect(authenticateClient(clients, basic(`orders:${SECRET}`))).toBe('orders');
    expect(authenticateClient(clients, basic(`billing:${OTHER}`))).toBe('billing');
    expect(authenticateClient(clients, `basic ${Buffer.from(`orders:${SECRET}`).toString('base64')}`)).toBe('orders');
  });

  it.each([
    ['no header', undefined],
    ['another client’s secret', basic(`orders:${OTHER}`)],
    ['an unknown name', basic(`nobody:${SECRET}`)],
    ['an empty secret', basic('orders:')],
    ['no colon', basic('orders')],
    ['a bearer token', `Bearer ${SECRET}`],
    ['not base64', 'Basic ***'],
  ])('authenticates nobody for %s', (_name, header) => {
    expect(authenticateClient(clients, header)).toBeUndefined();
  });

  it('authenticates nobody when there are no clients', () => {
    expect(authenticateClient(new Map(), basic(`orders:${SECRET}`))).toBeUndefined();
  });
});
