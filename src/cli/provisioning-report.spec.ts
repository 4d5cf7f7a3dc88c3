import { captureOutput } from '../../test/fixtures/command-line.fixture';
import { userFixture } from '../../test/fixtures/user.fixture';
import { Mock, mockOf } from '../../test/utils';
import { MailService } from '../mail/mail.service';
import { AccountProvisioningService } from '../users/account-provisioning.service';
import { Role, UserStatus } from '../users/entities/user.entity';
import { ProvisioningReport } from './provisioning-report';

const TTL_SECONDS = 172_800;
const GENERATED = 'Generated-Temp-Pass-81';
const newUser = userFixture({ username: 'carol', email: 'carol@example.com', status: UserStatus.ForceChangePassword });
const newAdmin = userFixture({ username: 'root', email: 'root@example.com', roles: [Role.Admin] });

describe(ProvisioningReport.name, () => {
  let mail: Mock<MailService>;
  let output: ReturnType<typeof captureOutput>;
  let sut: ProvisioningReport;

  const build = (delivers: boolean) => {
    mail = mockOf<MailService>({ delivers });
    mail.sendTemporaryPassword.mockResolvedValue();
    const provisioning = mockOf<AccountProvisioningService>({ temporaryPasswordTtl: TTL_SECONDS });
    sut = new ProvisioningReport(mail, provisioning);
  };

  beforeEach(() => {
    output = captureOutput();
    build(true);
  });
  afterEach(() => jest.restoreAllMocks());

  describe('on stdout', () => {
    beforeEach(() => build(false));

    it('shows a generated temporary password once, saying it must be changed', async () => {
      await expect(sut.created('user', { user: newUser, generatedPassword: GENERATED })).resolves.toBeUndefined();

      expect(output.stdout()).toBe(
        'Created user "carol" (carol@example.com).\n' +
          `Temporary password: ${GENERATED}\n` +
          'It is shown only now; it must be changed at first login.\n',
      );
      expect(output.stderr()).toBe('');
    });

    it('says a given temporary password must be changed, without repeating it', async () => {
      await sut.created('user', { user: newUser }, 'Given-Temp-Pass-52');

      expect(output.stdout()).toBe(
        'Created user "carol" (carol@example.com).\nThe password is temporary; it must be changed at first login.\n',
      );
    });

    it('says only what was created when the password is final', async () => {
      await sut.created('admin', { user: newAdmin });

      expect(output.stdout()).toBe('Created admin "root" (root@example.com).\n');
    });
  });

  describe('when SMTP is configured', () => {
    it('mails a generated temporary password to its owner, valid for the temporary password TTL, and says so', async () => {
      await sut.created('user', { user: newUser, generatedPassword: GENERATED });

      expect(mail.sendTemporaryPassword).toHaveBeenCalledTimes(1);
      expect(mail.sendTemporaryPassword).toHaveBeenCalledWith(newUser, GENERATED, TTL_SECONDS);
      expect(output.stdout()).toMatch(/first login\.\nMailed the temporary password to carol@example\.com\.\n$/);
    });

    it('mails a temporary password given on the command line', async () => {
      await sut.created('user', { user: newUser }, 'Given-Temp-Pass-52');

      expect(mail.sendTemporaryPassword).toHaveBeenCalledWith(newUser, 'Given-Temp-Pass-52', TTL_SECONDS);
      expect(output.stdout()).toContain('Mailed the temporary password to carol@example.com.\n');
    });

    it('mails nothing for a final password', async () => {
      await sut.created('admin', { user: newAdmin });

      expect(mail.sendTemporaryPassword).not.toHaveBeenCalled();
      expect(output.stdout()).not.toContain('Mailed');
    });

    it.each([
      [
        'its code',
        Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:25'), { code: 'ECONNREFUSED' }),
        'ECONNREFUSED',
      ],
      ['its class, when it has no code', new TypeError('Cannot read properties of undefined'), 'TypeError'],
    ])('still succeeds when the mail fails, warning on stderr with %s only', async (_case, failure, reason) => {
      mail.sendTemporaryPassword.mockRejectedValue(failure);

      await expect(sut.created('user', { user: newUser, generatedPassword: GENERATED })).resolves.toBeUndefined();

      expect(output.stderr()).toBe(
        `warning: could not mail the temporary password (${reason}); hand it over yourself.\n`,
      );
      expect(output.stdout()).toContain(`Temporary password: ${GENERATED}\n`);
      expect(output.stdout()).not.toContain('Mailed');
    });
  });

  it('mails nothing when SMTP is not configured, though a password is temporary', async () => {
    build(false);

    await sut.created('user', { user: newUser, generatedPassword: GENERATED }, 'Given-Temp-Pass-52');

    expect(mail.sendTemporaryPassword).not.toHaveBeenCalled();
    expect(output.stdout()).not.toContain('Mailed');
  });
});
