import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { fixAsyncResourceBind } from './async-resource-bind';

describe('fixAsyncResourceBind', () => {
  beforeAll(() => fixAsyncResourceBind());

  it('binds without the deprecated asyncResource accessor, and is then not needed again', () => {
    const bound = new AsyncResource('test').bind(() => undefined);
    expect(Object.hasOwn(bound, 'asyncResource')).toBe(false);
    expect(fixAsyncResourceBind()).toBe(false);
  });

  it('runs the function in the async context the resource was created in', () => {
    const storage = new AsyncLocalStorage<string>();
    const resource = storage.run('at creation', () => new AsyncResource('test'));
    const bound = resource.bind(() => storage.getStore());
    expect(storage.run('at call', bound)).toBe('at creation');
  });

  it("passes arguments and the caller's this, or the thisArg given", () => {
    const resource = new AsyncResource('test');
    function describeCall(this: unknown, a: number, b: number) {
      return { self: this, sum: a + b };
    }
    const receiver = { name: 'receiver' };
    const unbound = resource.bind(describeCall);
    expect(unbound.call(receiver, 1, 2)).toEqual({ self: receiver, sum: 3 });
    // Node takes a thisArg (documented); @types/node leaves it out.
    const withThisArg = resource as unknown as { bind(fn: typeof describeCall, thisArg: unknown): typeof describeCall };
    const fixed = withThisArg.bind(describeCall, { name: 'fixed' });
    expect(fixed.call(receiver, 2, 3)).toEqual({ self: { name: 'fixed' }, sum: 5 });
    expect(unbound).toHaveLength(2);
  });

  it('refuses what is not a function, as Node does', () => {
    expect(() => new AsyncResource('test').bind('nope' as unknown as () => void)).toThrow(/must be of type function/);
  });
});
