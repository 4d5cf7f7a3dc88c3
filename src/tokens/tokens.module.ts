import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessTokensService } from './access-tokens.service';
import { ChallengeSessionsService } from './challenge-sessions.service';
import { ConfirmationCodesService } from './confirmation-codes.service';
import { ChallengeSessionEntity } from './entities/challenge-session.entity';
import { ConfirmationCodeEntity } from './entities/confirmation-code.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { RefreshTokensService } from './refresh-tokens.service';
import { SessionCache } from './session-cache';
import { IntrospectionController } from './introspection.controller';
import { IntrospectionService } from './introspection.service';
import { WellKnownController } from './well-known.controller';
import { tokensConfig } from './tokens.config';

/** Owns every secret the service issues: JWTs, refresh tokens (as hashes), sessions and codes. */
@Module({
  imports: [
    ConfigModule.forFeature(tokensConfig),
    TypeOrmModule.forFeature([RefreshTokenEntity, ChallengeSessionEntity, ConfirmationCodeEntity]),
  ],
  controllers: [WellKnownController, IntrospectionController],
  providers: [
    AccessTokensService,
    RefreshTokensService,
    RefreshTokensRepository,
    ChallengeSessionsService,
    ConfirmationCodesService,
    SessionCache,
    IntrospectionService,
  ],
  exports: [AccessTokensService, RefreshTokensService, ChallengeSessionsService, ConfirmationCodesService],
})
export class TokensModule {}
