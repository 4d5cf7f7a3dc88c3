import { ConfigError } from '../config/env';
import { matchAdminApiKey, readAdminApiKeys } from './admin-api-keys';

const KEY = 'k8Vr2nQ5xW7mT1zB9pL4sD6fH3jC0yGa';
const OTHER = 'p2Nm7wQ9xZ4vB1nL6tR8yH3jF5cD0gSe';

describe(readAdminApiKeys.name, () => {
  it('reads comma-separated name:key pairs and keeps digests, not keys', () => {
    const keys = readAdminApiKeys({ ADMIN_API_KEYS: ` console:${KEY} ,deploy-bot:${OTHER}` });
    expect([...keys.keys()]).toEqual(['console', 'deploy-bot']);
    expect(JSON.stringify([...keys.values()])).not.toContain(KEY);
  });

  it('has no key when unset', () => {
    expect(readAdminApiKeys({}).size).toBe(0);
  });

  it('refuses a short key, naming the entry without echoing it', () => {
    let error: unknown;
    try {
      readAdminApiKeys({ ADMIN_API_KEYS: `console:${KEY},bot:${OTHER.slice(0, 31)}` });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^ADMIN_API_KEYS \(entry 2\) must be name:key, .* the key at least 32/);
    expect((error as Error).message).not.toContain(OTHER.slice(0, 20));
  });
});

describe(matchAdminApiKey.name, () => {
  const keys = readAdminApiKeys({ ADMIN_API_KEYS: `console:${KEY},bot:${OTHER}` });

  it('names the key the credential is', () => {
    expect(matchAdminApiKey(keys, KEY)).toBe('console');
    expect(matchAdminApiKey(keys, OTHER)).toBe('bot');
  });

  it.each([
    ['a key with a character more', `${KEY}x`],
    ['a key with one less', KEY.slice(0, -1)],
    ['a name:key pair', `console:${KEY}`],
    ['an empty credential', ''],
  ])('matches nothing for %s', (_name, credential) => {
    expect(matchAdminApiKey(keys, credential)).toBeUndefined();
  });

  it('matches nothing when no key is configured', () => {
    expect(matchAdminApiKey(readAdminApiKeys({}), KEY)).toBeUndefined();
  });
});
