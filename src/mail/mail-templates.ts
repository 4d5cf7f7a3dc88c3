import escapeHtml from 'escape-html';
import type { MailMessage } from './mailer.service';

type Content = Omit<MailMessage, 'to'>;

/** A plain-text part and an HTML part from the same paragraphs; `secret` stands alone on its line. */
function compose(subject: string, before: string[], secret: string | undefined, after: string[]): Content {
  const text = [...before, ...(secret ? [secret] : []), ...after].join('\n\n');
  const paragraphs = before.map((p) => `<p>${escapeHtml(p)}</p>`);
  if (secret) {
    paragraphs.push(
      `<p style="font-family:monospace;font-size:24px;letter-spacing:4px"><strong>${escapeHtml(secret)}</strong></p>`,
    );
  }
  paragraphs.push(...after.map((p) => `<p>${escapeHtml(p)}</p>`));
  const html = `<!doctype html><html><body style="font-family:sans-serif">${paragraphs.join('')}</body></html>`;
  return { subject, text: `${text}\n`, html };
}

const minutes = (seconds: number) => Math.round(seconds / 60);
const days = (seconds: number) => Math.round(seconds / 86400);

export function passwordResetCodeMail(username: string, code: string, ttlSeconds: number): Content {
  return compose(
    'Your password reset code',
    [`Someone asked to reset the password of the account "${username}". Your confirmation code is:`],
    code,
    [
      `It works once and expires in ${minutes(ttlSeconds)} minutes.`,
      'If you did not ask for it, ignore this mail: your password stays as it is.',
    ],
  );
}

/** Why a temporary password is mailed: a new account, or an operator's reset of one. */
export type TemporaryPasswordReason = 'created' | 'reset';

export function temporaryPasswordMail(
  username: string,
  password: string,
  ttlSeconds: number,
  reason: TemporaryPasswordReason = 'created',
): Content {
  return compose(
    reason === 'created' ? 'Your new account' : 'Your password was reset',
    [
      reason === 'created'
        ? `An account "${username}" was created for you. Your temporary password is:`
        : `An administrator reset the password of the account "${username}" and signed it out everywhere. Your temporary password is:`,
    ],
    password,
    [`Log in with it within ${days(ttlSeconds)} days; you will then choose a password of your own.`],
  );
}

export function passwordChangedMail(username: string, how: 'changed' | 'reset', at: Date): Content {
  return compose(
    how === 'reset' ? 'Your password was reset' : 'Your password was changed',
    [
      `The password of the account "${username}" was ${how} at ${at.toISOString()}, and every other session was signed out.`,
      'If this was not you, reset your password at once and tell your administrator.',
    ],
    undefined,
    [],
  );
}
