import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountProvisioningService } from './account-provisioning.service';
import { UserEntity } from './entities/user.entity';
import { PasswordHasher } from './password-hasher.service';
import { PasswordPolicy } from './password-policy';
import { usersConfig } from './users.config';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [ConfigModule.forFeature(usersConfig), TypeOrmModule.forFeature([UserEntity])],
  controllers: [UsersController],
  providers: [UsersService, UsersRepository, PasswordHasher, PasswordPolicy, AccountProvisioningService],
  exports: [UsersService, AccountProvisioningService],
})
export class UsersModule {}
