import { DataSource } from 'typeorm';
import { ForwardingProxy, startForwardingProxy } from './support/forwarding-proxy';
import { HttpClient, httpClient } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Behind a real appending proxy, the per-address limits count the address the proxy saw,
 * whatever X-Forwarded-For a client writes itself. LOGIN_FAILURES_PER_IP is the budget watched.
 */
describe.each([
  ['a hop count', '1'],
  ['the proxy’s address', '127.0.0.1'],
])('TRUST_PROXY set to %s (e2e)', (_name, trustProxy) => {
  let api: TestApp;
  let proxy: ForwardingProxy;

  beforeAll(async () => {
    api = await startTestApp({ TRUST_PROXY: trustProxy, LOGIN_FAILURES_PER_IP: '3', RATE_LIMIT_PER_MINUTE: '0' });
    proxy = await startForwardingProxy(api.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await api?.close();
  });

  /** A client calling through the proxy from `address`. */
  const viaProxy = (address: string) => httpClient(proxy.url, { localAddress: address });
  const wrongLogin = (client: HttpClient, n: number, spoofed?: string) =>
    client.post(
      '/v1/login',
      { username: `someone-${n}`, password: 'a-wrong-guess' },
      spoofed ? { 'x-forwarded-for': spoofed } : {},
    );

  it('keeps a client in its own budget however it spoofs X-Forwarded-For', async () => {
    const client = viaProxy('127.0.0.2');
    const statuses = [];
    for (let n = 0; n < 5; n += 1) statuses.push((await wrongLogin(client, n, `203.0.113.${n + 1}`)).status);

    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Another client behind the same proxy has a budget of its own.
    expect((await wrongLogin(viaProxy('127.0.0.3'), 9)).status).toBe(401);
  });

  it('records the address the proxy saw in the audit trail, not the one the client wrote', async () => {
    await wrongLogin(viaProxy('127.0.0.4'), 20, '198.51.100.9');

    const rows = await api.app
      .get(DataSource)
      .query<{ ip_address: string }[]>("SELECT ip_address FROM audit_events WHERE username = 'someone-20'");
    expect(rows.map((row) => row.ip_address)).toEqual(['127.0.0.4']);
  });
});

describe('TRUST_PROXY set to the proxy’s address, for a client that goes around the proxy (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ TRUST_PROXY: '127.0.0.1', LOGIN_FAILURES_PER_IP: '2', RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => api?.close());

  it('does not believe X-Forwarded-For from a peer that is not the proxy', async () => {
    const direct = httpClient(api.url, { localAddress: '127.0.0.5' });
    const statuses = [];
    for (let n = 0; n < 3; n += 1) {
      const spoofed = { 'x-forwarded-for': `203.0.113.${n + 1}` };
      statuses.push((await direct.post('/v1/login', { username: `x-${n}`, password: 'wrong-guess' }, spoofed)).status);
    }

    expect(statuses).toEqual([401, 401, 429]);
  });
});
