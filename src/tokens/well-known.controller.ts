import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../common/decorators/public.decorator';
import { AccessTokensService } from './access-tokens.service';
import { DiscoveryResponseDto } from './dto/discovery-response.dto';
import { JwksResponseDto } from './dto/jwks-response.dto';

/** Long enough to spare the service every verifier's fetch, short enough for a rotation's first step. */
const MAX_AGE_SECONDS = 300;

/**
 * What other services need to verify our tokens without holding a secret that could mint one:
 * the public keys (RFC 7517) and where to find them and introspection (OpenID Connect
 * Discovery 1.0). Built from the configuration, which is fixed at start.
 */
@ApiTags('Keys')
@Public()
@Controller('.well-known')
export class WellKnownController {
  private readonly jwks: JwksResponseDto;

  constructor(private readonly accessTokens: AccessTokensService) {
    this.jwks = { keys: accessTokens.publicJwks() };
  }

  @Get('jwks.json')
  @Header('Cache-Control', `public, max-age=${MAX_AGE_SECONDS}`)
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

  @Get('openid-configuration')
  @Header('Cache-Control', `public, max-age=${MAX_AGE_SECONDS}`)
  // The URLs follow the address the caller used (TRUST_PROXY decides whether a proxy's headers count).
  @Header('Vary', 'Host, X-Forwarded-Host, X-Forwarded-Proto')
  @ApiOperation({
    summary: 'Discovery document',
    description: 'Where the signing keys and introspection are, and the issuer and algorithm tokens carry.',
  })
  @ApiOkResponse({ type: DiscoveryResponseDto, description: 'The discovery document' })
  discovery(@Req() request: FastifyRequest): DiscoveryResponseDto {
    const base = `${request.protocol}://${request.host}`;
    return {
      issuer: this.accessTokens.issuer,
      jwks_uri: `${base}/.well-known/jwks.json`,
      introspection_endpoint: `${base}/v1/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
      id_token_signing_alg_values_supported: [this.accessTokens.algorithm],
    };
  }
}
