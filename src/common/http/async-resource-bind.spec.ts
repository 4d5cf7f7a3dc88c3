import fastify from 'fastify';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { fixAsyncResourceBind } from './async-resource-bind';
import { acceptOnlyJson } from './json-body-parser';

type Callback = (...args: unknown[]) => unknown;

/** Node's own AsyncResource#bind, as it was before the fix replaced it. */
const nodeBind = AsyncResource.prototype.bind as (this: AsyncResource, fn: Callback, thisArg?: unknown) => Callback;
const nodeDefinesAccessor = Object.hasOwn(
  nodeBind.call(new AsyncResource('probe'), () => undefined),
  'asyncResource',
);

describe(fixAsyncResourceBind.name, () => {
  let installed: boolean;

  beforeAll(() => {
    installed = fixAsyncResourceBind();
  });

  afterAll(() => {
    AsyncResource.prototype.bind = nodeBind as AsyncResource['bind'];
  });

  // What the missing accessor saves (garbage promoted per request) depends on the collector's
  // timing, so it is measured, not asserted: node bench/workarounds/async-resource-bind.js.
  it("replaces Node's bind where it defines the deprecated asyncResource accessor, and only once", () => {
    // Node 20 defines it (DEP0172); a Node that no longer does keeps its own bind.
    expect(installed).toBe(nodeDefinesAccessor);
    expect(AsyncResource.prototype.bind === nodeBind).toBe(!nodeDefinesAccessor);
    const bound = new AsyncResource('test').bind(() => undefined);
    expect(Object.hasOwn(bound, 'asyncResource')).toBe(false);
    expect(fixAsyncResourceBind()).toBe(false);
  });

  it('runs the callback in the async context the resource was created in, wherever it is called from', async () => {
    const storage = new AsyncLocalStorage<string>();
    const done = storage.run('request', () => new AsyncResource('test').bind(() => storage.getStore()));

    const seen = storage.run('socket', () => new Promise((resolve) => setImmediate(() => resolve(done()))));

    await expect(seen).resolves.toBe('request');
  });

  /**
   * Why the context matters: a JSON body arrives on socket events, outside the request's
   * context; Fastify carries that context to the handler with the bound callback.
   */
  it("gives a JSON POST's handler the request's async context, over real HTTP", async () => {
    const storage = new AsyncLocalStorage<string>();
    const app = fastify();
    acceptOnlyJson(app, 1024);
    app.addHook('onRequest', (request, _reply, done) => storage.run(request.id, done));
    app.post('/', (request) => ({ id: request.id, context: storage.getStore() ?? null, body: request.body }));
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const post = async (body: string) => {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        return (await response.json()) as { id: string };
      };

      // Two requests, so a context left over from the first cannot pass for the second's.
      for (const n of [1, 2]) {
        const answer = await post(`{"n":${n}}`);
        expect(answer).toEqual({ id: expect.any(String), context: answer.id, body: { n } });
      }
    } finally {
      await app.close();
    }
  });

  it("passes the arguments, and the caller's this or else the thisArg given, and keeps the length", () => {
    function describeCall(this: unknown, a: number, b: number) {
      return { self: this, sum: a + b };
    }
    const resource = new AsyncResource('test');
    const receiver = { name: 'receiver' };
    // Node takes a thisArg (documented); @types/node leaves it out.
    const bind = resource.bind as unknown as (fn: typeof describeCall, thisArg?: unknown) => typeof describeCall;

    const unbound = bind.call(resource, describeCall);
    const fixed = bind.call(resource, describeCall, { name: 'fixed' });

    expect(unbound.call(receiver, 1, 2)).toEqual({ self: receiver, sum: 3 });
    expect(fixed.call(receiver, 2, 3)).toEqual({ self: { name: 'fixed' }, sum: 5 });
    expect(unbound).toHaveLength(2);
    expect(fixed).toHaveLength(2);
  });

  it('refuses what is not a function when binding, as Node does', () => {
    let error: unknown;
    try {
      new AsyncResource('test').bind('nope' as unknown as Callback);
    } catch (thrown) {
      error = thrown;
    }

    // By name: Node's own TypeError comes from another realm than this spec's.
    expect(error).toMatchObject({
      name: 'TypeError',
      message: expect.stringMatching(/^The "fn" argument must be of type function/),
    });
  });
});
