import { Logger } from '@nestjs/common';
import { configFixture } from '../../test/fixtures/config.fixture';
import { Mock, mockOf, withFixedClock } from '../../test/utils';
import { OutboxService } from './outbox.service';
import { OutboxWorker } from './outbox.worker';

const POLL_MS = 1000;

/** A pass of processDue that the test ends when it chooses. */
function pendingPass() {
  let end!: (attempted: number) => void;
  const promise = new Promise<number>((resolve) => (end = resolve));
  return { promise, end };
}

describe(OutboxWorker.name, () => {
  withFixedClock();
  let outbox: Mock<OutboxService>;
  let sut: OutboxWorker;

  /** Lets the clock run `ms`, and every pass due in that time run to its end. */
  const elapse = (ms: number) => jest.advanceTimersByTimeAsync(ms);
  const passes = () => outbox.processDue.mock.calls.length;
  const nudge = () => outbox.onNudge.mock.calls[0][0]();
  /** Runs what is due now and expects `count` passes by then, and the next one a full poll interval later. */
  const expectPassesThenNextPoll = async (count: number) => {
    await elapse(0);
    expect(passes()).toBe(count);
    await elapse(POLL_MS - 1);
    expect(passes()).toBe(count);
    await elapse(1);
    expect(passes()).toBe(count + 1);
  };

  beforeEach(() => {
    outbox = mockOf<OutboxService>();
    outbox.processDue.mockResolvedValue(0);
    sut = new OutboxWorker(outbox, configFixture.mail({ pollIntervalMs: POLL_MS }));
  });
  afterEach(async () => {
    await sut.onModuleDestroy();
    jest.restoreAllMocks();
  });

  it('runs a first pass right after bootstrap, then one every MAIL_POLL_INTERVAL_MS', async () => {
    sut.onApplicationBootstrap();
    expect(passes()).toBe(0);

    await expectPassesThenNextPoll(1);
    await elapse(POLL_MS);
    expect(passes()).toBe(3);
  });

  it('keeps delivering while a pass finds due mail, then waits for the next poll', async () => {
    outbox.processDue.mockResolvedValueOnce(20).mockResolvedValueOnce(20).mockResolvedValueOnce(3);
    sut.onApplicationBootstrap();

    await expectPassesThenNextPoll(4);
  });

  it('runs at once when nudged between polls, and polls again a full interval after that', async () => {
    sut.onApplicationBootstrap();
    await elapse(POLL_MS / 2);
    expect(passes()).toBe(1);

    nudge();
    await expectPassesThenNextPoll(2);
  });

  it('answers a nudge during a pass with one more pass right after it, never a second one alongside', async () => {
    const first = pendingPass();
    outbox.processDue.mockReturnValueOnce(first.promise);
    sut.onApplicationBootstrap();
    await elapse(0);

    nudge();
    nudge();
    await elapse(POLL_MS * 2);
    expect(passes()).toBe(1);

    first.end(0);
    // One pass answers the nudge; the one after it waits for the poll again.
    await expectPassesThenNextPoll(2);
  });

  it('logs a failed pass by its error class only, and tries again at the next poll', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const outage = Object.assign(new Error('connect ECONNREFUSED mysql://root:s3cret@db:3306'), {
      name: 'QueryFailedError',
    });
    outbox.processDue.mockRejectedValueOnce(outage);
    sut.onApplicationBootstrap();

    await elapse(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('Outbox pass failed: QueryFailedError');
    await elapse(POLL_MS);
    expect(passes()).toBe(2);
  });

  it('on destroy, waits for the pass under way, stops it after its batch, and starts none after', async () => {
    const first = pendingPass();
    outbox.processDue.mockReturnValueOnce(first.promise);
    sut.onApplicationBootstrap();
    await elapse(0);

    let destroyed = false;
    const destroying = sut.onModuleDestroy().then(() => (destroyed = true));
    await elapse(0);
    expect(destroyed).toBe(false);

    first.end(20);
    await expect(destroying).resolves.toBe(true);
    nudge();
    await elapse(POLL_MS * 10);
    expect(passes()).toBe(1);
  });

  it('destroyed before its first pass, never runs one', async () => {
    sut.onApplicationBootstrap();

    await sut.onModuleDestroy();
    await elapse(POLL_MS * 10);

    expect(passes()).toBe(0);
  });
});
