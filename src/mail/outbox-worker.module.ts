import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { mailConfig } from './mail.config';
import { MailModule } from './mail.module';
import { OutboxWorker } from './outbox.worker';

/** The server's, not the CLI's: it delivers the outbox, which a short-lived command must not hold open. */
@Module({ imports: [ConfigModule.forFeature(mailConfig), MailModule], providers: [OutboxWorker] })
export class OutboxWorkerModule {}
