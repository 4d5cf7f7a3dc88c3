import { availableParallelism } from 'node:os';
import { sizeThreadPool } from './thread-pool';

describe('sizeThreadPool', () => {
  it('gives libuv one thread per core, at least 2, when nothing is set', () => {
    const env: NodeJS.ProcessEnv = {};
    sizeThreadPool(env);
    expect(env.UV_THREADPOOL_SIZE).toBe(String(Math.max(2, availableParallelism())));
  });

  it('leaves an explicit size alone', () => {
    const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '7' };
    sizeThreadPool(env);
    expect(env.UV_THREADPOOL_SIZE).toBe('7');
  });

  it('treats an empty value as unset', () => {
    const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '' };
    sizeThreadPool(env);
    expect(env.UV_THREADPOOL_SIZE).toBe(String(Math.max(2, availableParallelism())));
  });
});
