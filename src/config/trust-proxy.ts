import { isIP } from 'node:net';
import { ConfigError } from './env';

/** What Fastify's `trustProxy` takes: no proxy, every hop, a hop count, or the proxies' addresses. */
export type TrustProxy = boolean | number | string[];

const USAGE =
  'TRUST_PROXY must be false, true, a hop count (1: one proxy in front) or proxy addresses/CIDRs separated by commas';

/**
 * Which X-Forwarded-For entries to believe. A hop count trusts that many proxies nearest the
 * service (the rightmost entries), which an appending proxy such as nginx makes unspoofable as
 * long as clients cannot reach the service around it; addresses trust only those peers, so a
 * client that does reach it directly is not believed either. `true` believes the leftmost
 * entry, which the client writes itself: only for a proxy that overwrites the header.
 */
export function readTrustProxy(value: string | undefined): TrustProxy {
  const setting = value?.trim().toLowerCase() ?? '';
  if (setting === '' || setting === 'false') return false;
  if (setting === 'true') return true;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    if (hops > 100) throw new ConfigError(USAGE);
    return hops === 0 ? false : hops;
  }
  const proxies = setting.split(',').map((entry) => entry.trim());
  if (proxies.some((proxy) => !isAddressOrCidr(proxy))) throw new ConfigError(USAGE);
  return proxies;
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
