import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { MfaFactorEntity } from './entities/mfa-factor.entity';
import { RecoveryCodeEntity } from './entities/recovery-code.entity';
import { mfaConfig } from './mfa.config';
import { TotpFactorsService } from './totp-factors.service';

/** Second factors (TOTP, RFC 6238) and their recovery codes; the login flow lives in AuthModule. */
@Module({
  imports: [
    ConfigModule.forFeature(mfaConfig),
    TypeOrmModule.forFeature([MfaFactorEntity, RecoveryCodeEntity]),
    UsersModule,
  ],
  providers: [TotpFactorsService],
  exports: [TotpFactorsService],
})
export class MfaModule {}
