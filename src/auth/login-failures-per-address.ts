import { Inject, Injectable } from '@nestjs/common';
import { ClientInfo } from '../common/http/client-info';
import { Limit, RateLimiterService } from './rate-limiter.service';
import { authConfig, AuthConfig } from './auth.config';

/**
 * LOGIN_FAILURES_PER_IP: failed logins per client address per 10 minutes, whatever the
 * usernames, so one address cannot spray a password over many accounts (each under its own
 * lockout). Counted in the database, where the lockout is, so every instance shares it, and
 * like the lockout before the password is checked: `reserve` counts the attempt, a success
 * `release`s it, and a parallel burst gets no more checks than the limit.
 */
@Injectable()
export class LoginFailuresPerAddress {
  private readonly limit?: Limit;

  constructor(
    private readonly limiter: RateLimiterService,
    @Inject(authConfig.KEY) config: AuthConfig,
  ) {
    const max = config.loginFailuresPerIp;
    if (max > 0) {
      this.limit = limiter.define({
        name: 'login-failures',
        max,
        windowSeconds: 600,
        message: 'Too many failed logins from this address; try again later.',
      });
    }
  }

  /** 429 with Retry-After once the address has used up its failures. */
  async reserve(client: ClientInfo): Promise<void> {
    if (this.limit) await this.limiter.consume(this.limit, addressOf(client));
  }

  async release(client: ClientInfo): Promise<void> {
    if (this.limit) await this.limiter.release(this.limit, addressOf(client));
  }
}

const addressOf = (client: ClientInfo) => client.ip ?? 'unknown';
