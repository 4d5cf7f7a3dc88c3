import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Redis } from './redis';
import { redisConfig } from './redis.config';

/**
 * The `Redis` connections (REDIS_URL) that instances share state through, global so features
 * inject it without importing this module. Without REDIS_URL it connects to nothing.
 */
@Global()
@Module({
  imports: [ConfigModule.forFeature(redisConfig)],
  providers: [Redis],
  exports: [Redis],
})
export class RedisModule {}
