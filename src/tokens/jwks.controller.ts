import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { AccessTokensService } from './access-tokens.service';
import { JwksResponseDto } from './dto/jwks-response.dto';

/** Long enough to spare the service every verifier's fetch, short enough for a rotation's first step. */
const JWKS_MAX_AGE_SECONDS = 300;

/**
 * The public keys other services verify our tokens with (RFC 7517), without ever holding a
 * secret that could mint one. Built once at start: the keys come from the environment.
 */
@ApiTags('Keys')
@Public()
@Controller('.well-known')
export class JwksController {
  private readonly jwks: JwksResponseDto;

  constructor(accessTokens: AccessTokensService) {
    this.jwks = { keys: accessTokens.publicJwks() };
  }

  @Get('jwks.json')
  @Header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
  @ApiOperation({
    summary: 'Signing keys (JWKS)',
    description:
      "The public keys of the current and previous asymmetric signing keys, each under its token headers' `kid`. " +
      'Empty when tokens are signed with an HS256 secret, which cannot be published.',
  })
  @ApiOkResponse({ type: JwksResponseDto, description: 'The key set' })
  keys(): JwksResponseDto {
    return this.jwks;
  }
}
