import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type LoginOutcome = 'success' | 'failure' | 'locked' | 'challenge';
export type RefreshOutcome = 'success' | 'invalid' | 'reused';
export type RevocationReason =
  | 'token_revoke'
  | 'password_change'
  | 'password_reset'
  | 'challenge'
  | 'reuse'
  | 'session_delete'
  | 'global_sign_out'
  | 'admin_disable'
  | 'admin_sign_out'
  | 'admin_password_reset'
  | 'admin_session_delete'
  | 'admin_delete';
export type DeliveryOutcome = 'sent' | 'retry' | 'given_up';

const LOGIN_OUTCOMES: readonly LoginOutcome[] = ['success', 'failure', 'locked', 'challenge'];
const REFRESH_OUTCOMES: readonly RefreshOutcome[] = ['success', 'invalid', 'reused'];
/** Every reason a session ends for; each is exported at 0 from the start, so a rate() sees its first one. */
export const REVOCATION_REASONS: readonly RevocationReason[] = [
  'token_revoke',
  'password_change',
  'password_reset',
  'challenge',
  'reuse',
  'session_delete',
  'global_sign_out',
  'admin_disable',
  'admin_sign_out',
  'admin_password_reset',
  'admin_session_delete',
  'admin_delete',
];
const DELIVERY_OUTCOMES: readonly DeliveryOutcome[] = ['sent', 'retry', 'given_up'];

/** A counter whose label `L` takes only the values `V`, so a feature cannot invent a series. */
export interface LabelledCounter<L extends string, V extends string> {
  inc(labels: Record<L, V>, value?: number): void;
}

/** What the outbox holds right now, as its owner (MailModule) counts it. */
export interface OutboxCounts {
  /** Not yet delivered nor given up, retries included. */
  pending: number;
  /** Given up after MAIL_MAX_ATTEMPTS, recently (the owner says how recently). */
  failed: number;
}

/** Seconds, from a fast 401 to a login that waited for a hashing thread. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A scrape waits no longer than this for the outbox counts; the other metrics answer regardless. */
export const OUTBOX_COUNT_TIMEOUT_MS = 2000;

/**
 * The service's Prometheus metrics, on a registry of its own (not prom-client's global one),
 * so several applications in one process, and unit specs, never share or collide on a series.
 * Features record what they decide; MetricsServerModule serves the registry on METRICS_PORT.
 * Every labelled counter starts at 0 for each of its label values, so `rate()` and `increase()`
 * see a series from the first scrape, before its first event.
 */
@Injectable()
export class Metrics {
  private readonly logger = new Logger('Metrics');
  readonly registry = new Registry();

  readonly httpRequests = new Counter<'method' | 'route' | 'status'>({
    name: 'auth_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern ("unmatched" when no route matched) and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram<'method' | 'route' | 'status'>({
    name: 'auth_http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its response, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly loginOutcomes: LabelledCounter<'outcome', LoginOutcome> = this.counter(
    'auth_login_outcomes_total',
    'Login attempts decided: success (tokens issued), failure (wrong credentials, disabled account, expired temporary password), locked (refused by the account lockout or the per-address limit), challenge (NEW_PASSWORD_REQUIRED).',
    'outcome',
    LOGIN_OUTCOMES,
  );

  readonly lockouts = new Counter({
    name: 'auth_login_lockouts_total',
    help: 'Password checks (login or change-password) refused because the account must wait after repeated failures.',
    registers: [this.registry],
  });

  readonly refreshes: LabelledCounter<'outcome', RefreshOutcome> = this.counter(
    'auth_token_refreshes_total',
    'Token refreshes: success, invalid (unknown, expired, revoked or not the named user), reused (a rotated token came back: its session is revoked).',
    'outcome',
    REFRESH_OUTCOMES,
  );

  readonly revocations: LabelledCounter<'reason', RevocationReason> = this.counter(
    'auth_session_revocations_total',
    "Revocations committed, by reason: token_revoke (one session), password_change (the user's other sessions), password_reset and challenge (all the user's sessions), reuse (the session of a reused token).",
    'reason',
    REVOCATION_REASONS,
  );

  readonly outboxDeliveries: LabelledCounter<'outcome', DeliveryOutcome> = this.counter(
    'auth_outbox_deliveries_total',
    'Outbox delivery attempts by this instance: sent, retry (failed, tried again later), given_up (failed for the MAIL_MAX_ATTEMPTS-th time).',
    'outcome',
    DELIVERY_OUTCOMES,
  );

  readonly outboxPending: Gauge = new Gauge({
    name: 'auth_outbox_pending_messages',
    help: 'Outbox messages not yet delivered nor given up, retries included, read from the database at scrape time (counted up to 10000). No sample when the database did not answer.',
    registers: [this.registry],
    collect: async (): Promise<void> => show(this.outboxPending, (await this.readOutbox())?.pending),
  });

  readonly outboxFailed: Gauge = new Gauge({
    name: 'auth_outbox_failed_messages',
    help: 'Outbox messages given up after MAIL_MAX_ATTEMPTS in the last 24 hours, read from the database at scrape time. No sample when the database did not answer.',
    registers: [this.registry],
    collect: async (): Promise<void> => show(this.outboxFailed, (await this.readOutbox())?.failed),
  });

  readonly outboxStatsUp: Gauge = new Gauge({
    name: 'auth_outbox_stats_up',
    help: '1 when this scrape could count the outbox in the database, 0 when the query failed or took over 2 s.',
    registers: [this.registry],
    collect: async (): Promise<void> => this.outboxStatsUp.set((await this.readOutbox()) ? 1 : 0),
  });

  private outboxSource?: () => Promise<OutboxCounts>;
  /** One count per scrape, shared by the three gauges that show it. */
  private outboxRead?: Promise<OutboxCounts | undefined>;
  private outboxWasUp = true;
  private defaultsCollected = false;

  /** The content type of `text()`: Prometheus text format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Everything registered, in the Prometheus text format; the outbox gauges query the database. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** prom-client's process and Node.js metrics (CPU, memory, handles, event loop lag, GC), once. */
  collectDefaults(): void {
    if (this.defaultsCollected) return;
    this.defaultsCollected = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** How to count the outbox at scrape time; MailModule, which owns the table, registers it. */
  countOutboxWith(source: () => Promise<OutboxCounts>): void {
    this.outboxSource = source;
  }

  private readOutbox(): Promise<OutboxCounts | undefined> {
    this.outboxRead ??= this.countOutbox().finally(() => (this.outboxRead = undefined));
    return this.outboxRead;
  }

  /** Undefined when it cannot be counted: no source, the query failed, or it took too long. */
  private async countOutbox(): Promise<OutboxCounts | undefined> {
    if (!this.outboxSource) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('timed out'), { name: 'Timeout' })),
        OUTBOX_COUNT_TIMEOUT_MS,
      );
    });
    try {
      const counts = await Promise.race([this.outboxSource(), timeout]);
      this.outboxWasUp = true;
      return counts;
    } catch (error) {
      // Once per outage: a scrape every few seconds must not fill the log.
      if (this.outboxWasUp) {
        this.logger.warn(`Could not count the mail outbox: ${describe(error)}`);
      }
      this.outboxWasUp = false;
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private counter<L extends string, V extends string>(
    name: string,
    help: string,
    label: L,
    values: readonly V[],
  ): Counter<L> {
    const counter = new Counter<L>({ name, help, labelNames: [label], registers: [this.registry] });
    for (const value of values) counter.inc({ [label]: value } as Record<L, V>, 0);
    return counter;
  }
}

/** The error's class and driver code, as the exception filter logs them: never its text. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}

/** A gauge with the value, or with no sample at all when it is unknown (so no alert reads a stale 0). */
function show(gauge: Gauge, value: number | undefined): void {
  if (value === undefined) gauge.remove();
  else gauge.set(value);
}
