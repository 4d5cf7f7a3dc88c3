import { AddressObject, simpleParser } from 'mailparser';
import { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it, parsed the way a mail client would read it. */
export interface CaughtMail {
  /** Arrival order, from 0: lets a test wait for a message that arrives after a given point. */
  seq: number;
  /** RCPT TO of the SMTP envelope, lower case. */
  envelopeTo: string[];
  /** The To: header's addresses, lower case. */
  to: string[];
  /** The From: header's address, lower case. */
  from: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((group) => group.value)
    .map((address) => (address.address ?? '').toLowerCase());

/**
 * A real SMTP server on 127.0.0.1 for the e2e specs: plain SMTP (no STARTTLS), no auth
 * required, every message parsed and kept. It can be stopped and started again on the same
 * port, so a test can take the mail server away from a running app and give it back.
 */
export class SmtpCatcher {
  readonly messages: CaughtMail[] = [];
  private server?: SMTPServer;
  private readonly sockets = new Set<Socket>();
  private boundPort: number;

  constructor(port = 0) {
    this.boundPort = port;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.boundPort}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Listens on the port given at construction, or on the one the first start got. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      hideSTARTTLS: true,
      logger: false,
      onData: (stream, session, callback) => {
        const envelopeTo = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              this.messages.push({
                seq: this.messages.length,
                envelopeTo,
                to: addresses(parsed.to),
                from: addresses(parsed.from)[0] ?? '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                raw: raw.toString('utf8'),
              });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    // Tracked so stop() can cut them: a stopped mail server must look down at once.
    server.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.boundPort, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the listener and destroys open connections; start() later reuses the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** The first message (in arrival order) that satisfies `predicate`; fails after `timeoutMs`. */
  async waitForMail(predicate: (mail: CaughtMail) => boolean, timeoutMs = 5000): Promise<CaughtMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (Date.now() >= deadline) {
        const seen = this.messages.map((m) => `#${m.seq} to ${m.to.join(',')}: ${m.subject}`).join('\n  ');
        throw new Error(`no matching mail within ${timeoutMs} ms; received:\n  ${seen || '(nothing)'}`);
      }
      await sleep(25);
    }
  }

  /** Messages addressed (header or envelope) to `address`. */
  mailsTo(address: string): CaughtMail[] {
    const wanted = address.toLowerCase();
    return this.messages.filter((m) => m.to.includes(wanted) || m.envelopeTo.includes(wanted));
  }
}

export async function startSmtpCatcher(port = 0): Promise<SmtpCatcher> {
  const catcher = new SmtpCatcher(port);
  await catcher.start();
  return catcher;
}

export const TEST_MAIL_FROM_ADDRESS = 'no-reply@auth.test';

/** App settings that send mail to `smtp` and retry quickly, for startTestApp(). */
export function mailSettings(smtp: SmtpCatcher): Record<string, string> {
  return {
    SMTP_URL: smtp.url,
    MAIL_FROM: `Auth Service Tests <${TEST_MAIL_FROM_ADDRESS}>`,
    MAIL_POLL_INTERVAL_MS: '100',
    MAIL_RETRY_BASE_DELAY_MS: '200',
    MAIL_RETRY_MAX_DELAY_MS: '1000',
  };
}
