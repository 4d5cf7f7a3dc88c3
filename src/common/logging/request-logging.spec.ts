import { Logger as NestLogger } from '@nestjs/common';
import Fastify, { FastifyInstance } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { logRequests } from './request-logging';

describe('logRequests', () => {
  let lines: Record<string, unknown>[];
  let root: pino.Logger;
  let fastify: FastifyInstance;

  function start(level: pino.Level): void {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    root = pino({ level }, sink);
    // What NestFactory gets in app.factory.ts: every `new Logger(context)` writes through it.
    NestLogger.overrideLogger(new Logger(new PinoLogger({ pinoHttp: { logger: root } }), {}));
    fastify = Fastify({ genReqId: () => `req-${lines.length}` });
    logRequests(fastify, root);
    fastify.get('/items/:id', () => {
      new NestLogger('Items').warn('looked up');
      return {};
    });
    fastify.get('/quiet', () => ({}));
  }

  beforeEach(() => {
    lines = [];
  });
  afterEach(async () => {
    await fastify.close();
    NestLogger.overrideLogger(false);
  });

  it("tags a line written while serving a request with its req_id, and writes one access line with the route's pattern", async () => {
    start('info');
    const response = await fastify.inject({ url: '/items/42?secret=query-value' });
    expect(response.statusCode).toBe(200);

    expect(lines).toEqual([
      expect.objectContaining({ req_id: 'req-0', context: 'Items', msg: 'looked up' }),
      expect.objectContaining({
        req_id: 'req-0',
        method: 'GET',
        route: '/items/:id',
        status: 200,
        ms: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('query-value');
  });

  it('writes the access line of an unmatched route with no route, and of a 5xx at error level', async () => {
    start('info');
    fastify.get('/broken', () => {
      throw new Error('boom');
    });
    await fastify.inject({ url: '/nowhere' });
    await fastify.inject({ url: '/broken' });

    const access = lines.filter((line) => 'status' in line);
    expect(access).toEqual([
      expect.objectContaining({ route: null, status: 404, level: 30 }),
      expect.objectContaining({ route: '/broken', status: 500, level: 50 }),
    ]);
  });

  it('writes one line for a request whose client goes away before the answer, with no status', async () => {
    start('info');
    fastify.post('/slow', () => ({}));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = fastify.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // Half a body: the route waits for the rest, which never comes.
    socket.write('POST /slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"a":');
    // The server's clock starts only once it has parsed the headers, some ms after the write.
    await sleep(100);
    socket.destroy();

    for (let waited = 0; lines.length === 0 && waited < 2000; waited += 20) await sleep(20);
    await sleep(50);
    expect(lines).toEqual([
      expect.objectContaining({ route: '/slow', status: null, ms: expect.any(Number), msg: 'request aborted' }),
    ]);
    expect(lines[0].ms).toBeGreaterThanOrEqual(50);
  });

  it('makes no child logger for a request that writes nothing', async () => {
    start('warn');
    const child = jest.spyOn(root, 'child');
    await fastify.inject({ url: '/quiet' });
    expect(child).not.toHaveBeenCalled();

    await fastify.inject({ url: '/items/1' });
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([expect.objectContaining({ req_id: 'req-0', msg: 'looked up' })]);
  });
});
