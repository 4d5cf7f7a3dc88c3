import type { EntityManager } from 'typeorm';
import type { Transactions } from '../src/database/transactions';
import type { Janitor, TrimTask } from '../src/database/janitor';
import type { Metrics } from '../src/metrics/metrics';

/**
 * What unit specs build their subject from: typed mocks of its collaborators, a database
 * layer that runs work at once, and a clock that stands still. E2e specs use none of it.
 */

/** Every method a jest.fn(); a property not given reads as undefined, as on a real object that lacks it. */
export type Mock<T> = jest.Mocked<T>;

/**
 * A mock of `T` whose methods are created on first use, so a spec sets up only what its
 * subject calls. `values` sets plain properties and getters (e.g. `{ rotation: true }`).
 */
export function mockOf<T extends object>(values: Partial<Record<keyof T, unknown>> = {}): Mock<T> {
  const members = new Map<PropertyKey, unknown>(Object.entries(values));
  return new Proxy({} as Mock<T>, {
    get(_target, key) {
      // Awaiting a mock must not treat it as a promise.
      if (key === 'then') return undefined;
      if (!members.has(key)) members.set(key, jest.fn());
      return members.get(key);
    },
    set(_target, key, value) {
      members.set(key, value);
      return true;
    },
  });
}

/** The EntityManager a transaction hands its work: identity only, the subject's collaborators are mocks. */
export const transactionManager = Object.freeze({ transaction: 'manager' }) as unknown as EntityManager;

/** Runs each unit of work once, at once, with `transactionManager`; counts them for the spec. */
export function newTransactionsMock(): Mock<Transactions> {
  return mockOf<Transactions>({
    run: jest.fn((work: (manager: EntityManager) => Promise<unknown>) => work(transactionManager)),
    retrying: jest.fn((work: () => Promise<unknown>) => work()),
    forUpdate: jest.fn((query: unknown) => query),
  });
}

/** A Janitor mock that keeps what each module registers, so a spec can run one table's trim itself. */
export function newJanitorMock(): { janitor: Mock<Janitor>; trims: Map<string, TrimTask> } {
  const trims = new Map<string, TrimTask>();
  const janitor = mockOf<Janitor>({
    register: jest.fn((table: string, task: TrimTask) => void trims.set(table, task)),
  });
  return { janitor, trims };
}

/**
 * Every counter of `metrics` that has moved, as `name{label="value",...}` → value, so a spec
 * checks both what it counted and that nothing else was (give the subject a `new Metrics()`).
 */
export async function countersOf(metrics: Metrics): Promise<Record<string, number>> {
  const counted: Record<string, number> = {};
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    // prom-client types it as an enum; at run time it is the exposition's word.
    if (String(metric.type) !== 'counter') continue;
    for (const { labels, value } of metric.values) {
      if (value === 0) continue;
      const pairs = Object.entries(labels).map(([name, labelValue]) => `${name}="${String(labelValue)}"`);
      counted[pairs.length ? `${metric.name}{${pairs.sort().join(',')}}` : metric.name] = value;
    }
  }
  return counted;
}

/** The instant every unit spec's clock shows, unless the spec moves it. */
export const NOW = new Date('2026-03-04T05:06:07.000Z');

/**
 * Stops the clock at `at` for Date and timers; promises and nextTick still run, so async code
 * behaves. Call `jest.useRealTimers()` in afterEach (or use `withFixedClock`).
 */
export function fixClock(at: Date = NOW): void {
  jest.useFakeTimers({ now: at, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
}

/** `fixClock` for every test of the describe block it is called in. */
export function withFixedClock(at: Date = NOW): void {
  beforeEach(() => fixClock(at));
  afterEach(() => jest.useRealTimers());
}

/** `seconds` after `from` (before, when negative). */
export const later = (seconds: number, from: Date = NOW) => new Date(from.getTime() + seconds * 1000);
