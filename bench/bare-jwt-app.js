// The guard bound: the smallest NestJS-on-Fastify app whose one route verifies an HS256
// access token with jsonwebtoken and a KeyObject, exactly as the service's tokens are
// checked (algorithm, issuer, audience), and nothing else: no passport, no database.
// Plain JavaScript, so the decorators are applied by hand.
require('reflect-metadata');
const { Controller, Get, Headers, Module, UnauthorizedException } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { createSecretKey } = require('node:crypto');
const { verify } = require('jsonwebtoken');

const key = createSecretKey(Buffer.from(process.env.JWT_SECRET, 'utf8'));
const options = {
  algorithms: ['HS256'],
  issuer: process.env.JWT_ISSUER || 'auth-service',
  audience: process.env.JWT_AUDIENCE || 'auth-service',
  clockTolerance: 5,
};

class BareController {
  check(authorization) {
    try {
      const claims = verify(String(authorization).replace(/^Bearer /, ''), key, options);
      return { sub: claims.sub };
    } catch {
      throw new UnauthorizedException();
    }
  }
}
Reflect.decorate([Controller('bare')], BareController);
Reflect.decorate(
  [Get('jwt')],
  BareController.prototype,
  'check',
  Object.getOwnPropertyDescriptor(BareController.prototype, 'check'),
);
Headers('authorization')(BareController.prototype, 'check', 0);

class BareModule {}
Reflect.decorate([Module({ controllers: [BareController] })], BareModule);

async function main() {
  const app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: ['error'] });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
