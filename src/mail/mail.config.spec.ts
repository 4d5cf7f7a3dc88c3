import { ConfigError } from '../config/env';
import { readMailConfig } from './mail.config';

describe(readMailConfig.name, () => {
  it('writes mail to the log when SMTP_URL is unset outside production', () => {
    expect(readMailConfig({ NODE_ENV: 'development' }).smtpUrl).toBeUndefined();
  });

  it('refuses production without SMTP_URL, naming the variable', () => {
    expect(() => readMailConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => readMailConfig({ NODE_ENV: 'production' })).toThrow(/SMTP_URL must be set when NODE_ENV=production/);
  });

  it.each(['smtp://127.0.0.1:1025', 'smtps://user:pass@mail.example.com:465'])('accepts %s', (url) => {
    expect(readMailConfig({ NODE_ENV: 'production', SMTP_URL: url }).smtpUrl).toBe(url);
  });

  it.each(['http://mail.example.com', 'mail.example.com:25', 'smtp://'])('refuses SMTP_URL=%s', (url) => {
    expect(() => readMailConfig({ SMTP_URL: url })).toThrow(/SMTP_URL must look like/);
  });

  it('uses a sender that names the service by default, and MAIL_FROM when given', () => {
    expect(readMailConfig({}).from).toContain('no-reply@');
    expect(readMailConfig({ MAIL_FROM: 'Ops <ops@example.com>' }).from).toBe('Ops <ops@example.com>');
  });
});
