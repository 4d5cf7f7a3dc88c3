import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';

/** Each checked dependency by name, e.g. `{"database": {"status": "up"}}`. */
const INDICATORS: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', example: 'up' } },
    required: ['status'],
  },
  example: { database: { status: 'up' } },
};

/** What GET /health/live answers: the process is serving requests. */
export class LivenessResponseDto {
  /** @example "ok" */
  status!: 'ok';
}

/**
 * What GET /health and GET /health/ready answer while every dependency is up (the terminus result). A failed check
 * is not this shape: it leaves as a 503 `{message, status, code}`, like every other error, so a
 * client needs one error parser.
 */
export class HealthResponseDto {
  /** @example "ok" */
  status!: 'ok';

  /** The dependencies that are up. */
  @ApiProperty(INDICATORS)
  info!: Record<string, { status: string }>;

  /** The dependencies that are down: empty in a 200. */
  @ApiProperty({ ...INDICATORS, example: {} })
  error!: Record<string, { status: string }>;

  /** Every dependency checked. */
  @ApiProperty(INDICATORS)
  details!: Record<string, { status: string }>;
}
