import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { mailConfig, MailConfig } from './mail.config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Transport only: hands a finished message to SMTP, or to the log when no SMTP_URL is set
 * (development; production refuses to start that way). What to send is MailService's job.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly transport?: Transporter;
  private readonly from: string;

  constructor(@Inject(mailConfig.KEY) config: MailConfig) {
    this.from = config.from;
    if (config.smtpUrl) {
      this.transport = createTransport({
        url: config.smtpUrl,
        // Fail an attempt quickly when the server is down; the outbox retries it later.
        connectionTimeout: 5000,
        greetingTimeout: 5000,
        socketTimeout: 15000,
      });
    }
  }

  get delivers(): boolean {
    return this.transport !== undefined;
  }

  async send(message: MailMessage): Promise<void> {
    if (!this.transport) {
      // The development mail catcher: this log line is the only copy of the message.
      this.logger.log(`To: ${message.to}\nSubject: ${message.subject}\n\n${message.text}`);
      return;
    }
    await this.transport.sendMail({ from: this.from, ...message });
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
