import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxMessageEntity } from './entities/outbox-message.entity';
import { mailConfig } from './mail.config';
import { MailService } from './mail.service';
import { Mailer } from './mailer.service';
import { OutboxService } from './outbox.service';

@Module({
  imports: [ConfigModule.forFeature(mailConfig), TypeOrmModule.forFeature([OutboxMessageEntity])],
  providers: [Mailer, MailService, OutboxService],
  exports: [MailService, OutboxService],
})
export class MailModule {}
