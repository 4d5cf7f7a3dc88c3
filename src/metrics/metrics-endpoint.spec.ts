import { HttpAdapterHost } from '@nestjs/core';
import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { connect } from 'node:net';
import { mockOf } from '../../test/utils';
import { Metrics } from './metrics';
import { MetricsEndpoint } from './metrics-endpoint';
import * as server from './metrics-server';

describe(MetricsEndpoint.name, () => {
  let fastify: { addHook: jest.Mock };
  let adapterHost: HttpAdapterHost;
  let metrics: Metrics;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    fastify = { addHook: jest.fn() };
    adapterHost = mockOf<HttpAdapterHost>({
      httpAdapter: { getInstance: () => fastify as unknown as FastifyInstance },
    });
    metrics = new Metrics();
  });
  afterEach(() => jest.restoreAllMocks());

  it('without METRICS_PORT adds no hook, collects no defaults and listens nowhere', async () => {
    const start = jest.spyOn(server, 'startMetricsServer');
    const endpoint = new MetricsEndpoint(metrics, adapterHost, { port: undefined });

    endpoint.onModuleInit();
    await endpoint.onApplicationBootstrap();
    await endpoint.onApplicationShutdown();

    expect(fastify.addHook).not.toHaveBeenCalled();
    expect(start).not.toHaveBeenCalled();
    expect(await metrics.text()).not.toContain('process_cpu_user_seconds_total');
  });

  it('with METRICS_PORT times the responses, serves from the start and stops at shutdown', async () => {
    const port = await freePort();
    const endpoint = new MetricsEndpoint(metrics, adapterHost, { port });

    endpoint.onModuleInit();
    expect(fastify.addHook).toHaveBeenCalledWith('onResponse', expect.any(Function));

    await endpoint.onApplicationBootstrap();
    await expect(reachable(port)).resolves.toBe(true);
    expect(await metrics.text()).toContain('process_cpu_user_seconds_total');

    await endpoint.onApplicationShutdown();
    await expect(reachable(port)).resolves.toBe(false);
  });

  it('adds no hook in an application without an HTTP adapter', () => {
    const endpoint = new MetricsEndpoint(metrics, mockOf<HttpAdapterHost>({ httpAdapter: undefined }), { port: 9464 });

    expect(() => endpoint.onModuleInit()).not.toThrow();
  });
});

async function freePort(): Promise<number> {
  const probe = await server.startMetricsServer(new Metrics(), 0, '127.0.0.1');
  await probe.close();
  return probe.port;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
