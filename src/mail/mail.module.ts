import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxMessageEntity } from './entities/outbox-message.entity';
import { MailService } from './mail.service';
import { Mailer } from './mailer.service';
import { OutboxService } from './outbox.service';

@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessageEntity])],
  providers: [Mailer, MailService, OutboxService],
  exports: [MailService, OutboxService],
})
export class MailModule {}
