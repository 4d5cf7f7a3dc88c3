import { availableParallelism } from 'node:os';
import { hashingThreads, sizeThreadPool } from './thread-pool';

const perCore = Math.max(2, availableParallelism());

describe('sizeThreadPool', () => {
  it('gives libuv one thread per core (at least 2) and one more, when nothing is set', () => {
    const env: NodeJS.ProcessEnv = {};
    sizeThreadPool(env);
    expect(env.UV_THREADPOOL_SIZE).toBe(String(perCore + 1));
  });

  it('leaves an explicit size alone', () => {
    const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '7' };
    sizeThreadPool(env);
    expect(env.UV_THREADPOOL_SIZE).toBe('7');
  });

  it('treats an empty value as unset', () => {
    const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '' };
    sizeThreadPool(env);
    expect(env.UV_THREADPOOL_SIZE).toBe(String(perCore + 1));
  });
});

describe('hashingThreads', () => {
  it.each([
    [{}, perCore],
    [{ UV_THREADPOOL_SIZE: '7' }, 6],
    [{ UV_THREADPOOL_SIZE: '1' }, 1],
  ])('leaves one thread of the pool to other work (%p gives %p)', (env, expected) => {
    expect(hashingThreads(env)).toBe(expected);
  });
});
