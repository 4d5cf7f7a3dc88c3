import { AsyncResource } from 'node:async_hooks';

/**
 * Fastify binds a callback to an AsyncResource for every request that has a body. Node's
 * `AsyncResource#bind` hangs a deprecated `asyncResource` accessor (DEP0172) on each bound
 * function, made of fresh closures over the request, and on Node 20 also re-parents it. Both
 * give V8 per-request metadata it keeps in long-lived tables, which its young-generation
 * collector treats as roots: every POST's objects then outlive the next scavenge and wait for
 * a full collection. Under token-refresh load 1.5 MB survived each scavenge, with 6 ms pauses;
 * without the accessor, 0.1 MB and 2 ms. Node 22 and 24 stopped the re-parenting
 * (nodejs/node#58218, fixed by #59195); the property itself is slated for removal
 * (nodejs/node#58618), and nothing we run reads it.
 *
 * This installs Node's `bind` less that property, where the runtime still defines it.
 * Returns whether it did.
 */
export function fixAsyncResourceBind(): boolean {
  if (!definesAccessor()) return false;
  AsyncResource.prototype.bind = bind as AsyncResource['bind'];
  return true;
}

function bind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) {
  if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
  return bindTo(this, fn, thisArg);
}

function bindTo(resource: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg: unknown) {
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : (...args: unknown[]) => resource.runInAsyncScope(fn, thisArg, ...args);
  return Object.defineProperty(bound, 'length', { configurable: true, value: fn.length });
}

function definesAccessor(): boolean {
  return Object.hasOwn(
    new AsyncResource('probe').bind(() => undefined),
    'asyncResource',
  );
}
