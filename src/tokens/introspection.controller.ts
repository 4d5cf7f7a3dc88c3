import { Body, Controller, Headers, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiError, ApiErrors, JSON_BODY_ERRORS } from '../common/decorators/api-errors.decorator';
import { Public } from '../common/decorators/public.decorator';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AcceptsFormBody } from '../common/http/form-body';
import { IntrospectDto } from './dto/introspect.dto';
import { IntrospectionResponseDto } from './dto/introspection-response.dto';
import { IntrospectionService } from './introspection.service';

/** The Swagger security scheme of introspection's clients (setup-swagger.ts). */
export const INTROSPECTION_SCHEME = 'introspection';

const CLIENT_REFUSED = 'Introspection client authentication failed.';

@ApiTags('Keys')
// Not behind the access-token guard: the caller is a service, proven by HTTP Basic.
@Public()
@Controller('v1')
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  @Post('introspect')
  @HttpCode(HttpStatus.OK)
  @AcceptsFormBody()
  @ApiBasicAuth(INTROSPECTION_SCHEME)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({
    summary: 'Token introspection (RFC 7662)',
    description:
      'For the services this one protects: whether an access token is live right now (signature, expiry, and a ' +
      'session that is neither revoked nor its user disabled). Anything else answers exactly {"active": false}. ' +
      'The caller authenticates with HTTP Basic, as a client from INTROSPECTION_CLIENTS.',
  })
  @ApiOkResponse({ type: IntrospectionResponseDto, description: 'The token is live (with its claims), or not' })
  @ApiErrors(...JSON_BODY_ERRORS)
  @ApiError(HttpStatus.UNAUTHORIZED, CLIENT_REFUSED)
  async introspect(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() dto: IntrospectDto,
  ): Promise<IntrospectionResponseDto> {
    if (!this.introspection.client(authorization)) {
      void reply.header('WWW-Authenticate', 'Basic realm="introspection", charset="UTF-8"');
      throw new ApiException(ErrorCode.NotAuthorized, CLIENT_REFUSED);
    }
    return this.introspection.introspect(dto.token);
  }
}
