import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiErrors } from '../common/decorators/api-errors.decorator';
import { Public } from '../common/decorators/public.decorator';
import { Redis } from '../redis/redis';
import { HealthResponseDto, LivenessResponseDto } from './dto/health-response.dto';

/**
 * Probes for load balancers and orchestrators. Liveness checks nothing outside the process,
 * so a database outage makes instances unready (taken out of rotation) but never restarted:
 * restarting every instance would not bring the database back.
 */
@ApiTags('Health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: Redis,
  ) {}

  @Get()
  // terminus documents its own failure body, but our filter answers every error in one
  // `{message, status}` shape so clients need one parser: describe that one instead (the
  // no-cache header stays).
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness', description: 'Answers 200 when the database answers a query.' })
  @ApiOkResponse({ type: HealthResponseDto, description: 'The service and its database are up' })
  @ApiErrors(HttpStatus.SERVICE_UNAVAILABLE)
  check(): Promise<HealthCheckResult> {
    return this.ready();
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness',
    description: 'Answers 200 when the database answers a query; 503 takes the instance out of rotation.',
  })
  @ApiOkResponse({ type: HealthResponseDto, description: 'The service and its database are up' })
  @ApiErrors(HttpStatus.SERVICE_UNAVAILABLE)
  async ready(): Promise<HealthCheckResult> {
    const result = await this.health.check([() => this.database.pingCheck('database', { timeout: 2000 })]);
    if (!this.redis.configured) return result;
    // Reported, never failing: without Redis every instance still answers correctly (the
    // guard asks the database, the per-IP limit counts locally), so it must stay in rotation.
    const redis = { status: this.redis.available ? ('up' as const) : ('down' as const) };
    return {
      ...result,
      info: this.redis.available ? { ...result.info, redis } : result.info,
      details: { ...result.details, redis },
    };
  }

  @Get('live')
  @ApiOperation({
    summary: 'Liveness',
    description: 'Answers 200 while the process serves requests; checks no dependency.',
  })
  @ApiOkResponse({ type: LivenessResponseDto, description: 'The process is serving requests' })
  live(): LivenessResponseDto {
    return { status: 'ok' };
  }
}
