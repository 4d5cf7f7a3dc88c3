import { Logger } from '@nestjs/common';
import { parseScrape } from '../../test/fixtures/prometheus-text';
import { countersOf } from '../../test/utils';
import { Metrics, OUTBOX_COUNT_TIMEOUT_MS, REVOCATION_REASONS } from './metrics';

/** The samples of a scrape, `name{labels}` → value. */
const samples = (text: string) => parseScrape(text).samples;

describe(Metrics.name, () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('keeps its series on a registry of its own: two instances count apart, and neither uses the global one', async () => {
    const one = new Metrics();
    const other = new Metrics();

    one.loginOutcomes.inc({ outcome: 'success' });

    expect(await countersOf(one)).toEqual({ 'auth_login_outcomes_total{outcome="success"}': 1 });
    expect(await countersOf(other)).toEqual({});
    const { register } = jest.requireActual<typeof import('prom-client')>('prom-client');
    expect(register.getSingleMetric('auth_login_outcomes_total')).toBeUndefined();
  });

  it('shows every label value of its counters at 0 from the first scrape', async () => {
    const text = await new Metrics().text();

    for (const outcome of ['success', 'failure', 'locked', 'challenge']) {
      expect(samples(text).get(`auth_login_outcomes_total{outcome="${outcome}"}`)).toBe(0);
    }
    for (const outcome of ['success', 'invalid', 'reused']) {
      expect(samples(text).get(`auth_token_refreshes_total{outcome="${outcome}"}`)).toBe(0);
    }
    for (const reason of REVOCATION_REASONS) {
      expect(samples(text).get(`auth_session_revocations_total{reason="${reason}"}`)).toBe(0);
    }
    for (const outcome of ['sent', 'retry', 'given_up']) {
      expect(samples(text).get(`auth_outbox_deliveries_total{outcome="${outcome}"}`)).toBe(0);
    }
    expect(samples(text).get('auth_login_lockouts_total')).toBe(0);
  });

  it('answers in the Prometheus text format 0.0.4', () => {
    expect(new Metrics().contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('adds the process and Node.js defaults once, when asked', async () => {
    const metrics = new Metrics();
    expect(await metrics.text()).not.toContain('process_cpu_user_seconds_total');

    metrics.collectDefaults();
    metrics.collectDefaults();

    const text = await metrics.text();
    expect(samples(text).has('process_cpu_user_seconds_total')).toBe(true);
    expect(samples(text).has('nodejs_heap_size_used_bytes')).toBe(true);
    expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
  });

  describe('outbox gauges', () => {
    it('show what the outbox source counts at scrape time, read once per scrape', async () => {
      const metrics = new Metrics();
      const source = jest
        .fn()
        .mockResolvedValueOnce({ pending: 4, failed: 2 })
        .mockResolvedValue({ pending: 0, failed: 0 });
      metrics.countOutboxWith(source);

      const first = samples(await metrics.text());
      const second = samples(await metrics.text());

      expect(first.get('auth_outbox_pending_messages')).toBe(4);
      expect(first.get('auth_outbox_failed_messages')).toBe(2);
      expect(first.get('auth_outbox_stats_up')).toBe(1);
      expect(second.get('auth_outbox_pending_messages')).toBe(0);
      expect(source).toHaveBeenCalledTimes(2);
    });

    it('have no sample, with the other metrics still answered, when the database query fails', async () => {
      const metrics = new Metrics();
      metrics.loginOutcomes.inc({ outcome: 'failure' });
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
      metrics.countOutboxWith(jest.fn().mockResolvedValueOnce({ pending: 4, failed: 2 }).mockRejectedValue(refused));
      await metrics.text();

      const text = await metrics.text();

      const scraped = samples(text);
      expect(scraped.has('auth_outbox_pending_messages')).toBe(false);
      expect(scraped.has('auth_outbox_failed_messages')).toBe(false);
      expect(scraped.get('auth_outbox_stats_up')).toBe(0);
      expect(text).toContain('# TYPE auth_outbox_pending_messages gauge');
      expect(scraped.get('auth_login_outcomes_total{outcome="failure"}')).toBe(1);
    });

    it('log the failure once per outage, by error class and code only, and again after a recovery', async () => {
      const metrics = new Metrics();
      const refused = Object.assign(new Error('Access denied for user root@10.0.0.1'), {
        code: 'ER_ACCESS_DENIED_ERROR',
      });
      const source = jest.fn().mockRejectedValue(refused);
      metrics.countOutboxWith(source);

      await metrics.text();
      await metrics.text();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith('Could not count the mail outbox: Error ER_ACCESS_DENIED_ERROR');

      source.mockResolvedValueOnce({ pending: 0, failed: 0 });
      await metrics.text();
      await metrics.text();
      expect(warn).toHaveBeenCalledTimes(2);
    });

    it('give up on a query that hangs after 2 s, and the scrape answers', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
      const metrics = new Metrics();
      metrics.countOutboxWith(() => new Promise(() => undefined));

      const scrape = metrics.text();
      await jest.advanceTimersByTimeAsync(OUTBOX_COUNT_TIMEOUT_MS);
      const scraped = samples(await scrape);

      expect(scraped.has('auth_outbox_pending_messages')).toBe(false);
      expect(scraped.get('auth_outbox_stats_up')).toBe(0);
      expect(warn).toHaveBeenCalledWith('Could not count the mail outbox: Timeout');
    });

    it('have no sample, and log nothing, when nothing counts the outbox', async () => {
      const scraped = samples(await new Metrics().text());

      expect(scraped.has('auth_outbox_pending_messages')).toBe(false);
      expect(scraped.get('auth_outbox_stats_up')).toBe(0);
      expect(warn).not.toHaveBeenCalled();
    });
  });
});
