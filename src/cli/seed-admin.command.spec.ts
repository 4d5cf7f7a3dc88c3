import { captureOutput, commandLine, pipedStdin } from '../../test/fixtures/command-line.fixture';
import { userFixture } from '../../test/fixtures/user.fixture';
import { Mock, mockOf } from '../../test/utils';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AccountProvisioningService, SeedResult } from '../users/account-provisioning.service';
import { Role } from '../users/entities/user.entity';
import { CliUsageError, ProvisioningReport } from './provisioning-report';
import { SeedAdminCommand } from './seed-admin.command';

const admin = userFixture({ username: 'root', email: 'root@example.com', roles: [Role.Admin] });
const created: SeedResult = Object.freeze({ created: true, user: admin, generatedPassword: 'Generated-Temp-Pass-81' });

describe(SeedAdminCommand.name, () => {
  let provisioning: Mock<AccountProvisioningService>;
  let report: Mock<ProvisioningReport>;
  let output: ReturnType<typeof captureOutput>;
  let cli: Awaited<ReturnType<typeof commandLine<SeedAdminCommand>>>;
  const savedPassword = process.env.CLI_PASSWORD;

  const seededWith = () => provisioning.seedAdmin.mock.calls[0][0];

  beforeEach(async () => {
    delete process.env.CLI_PASSWORD;
    provisioning = mockOf<AccountProvisioningService>();
    provisioning.seedAdmin.mockResolvedValue(created);
    report = mockOf<ProvisioningReport>();
    report.created.mockResolvedValue();
    cli = await commandLine(SeedAdminCommand, [
      { provide: AccountProvisioningService, useValue: provisioning },
      { provide: ProvisioningReport, useValue: report },
    ]);
    output = captureOutput();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await cli.close();
    if (savedPassword === undefined) delete process.env.CLI_PASSWORD;
    else process.env.CLI_PASSWORD = savedPassword;
  });

  it('passes no username, email or password when none is given, so the ADMIN_* settings apply', async () => {
    await expect(cli.run(['seed-admin'])).resolves.toBeUndefined();

    expect(provisioning.seedAdmin).toHaveBeenCalledTimes(1);
    expect(seededWith()).toStrictEqual({ username: undefined, email: undefined, password: undefined });
  });

  it('passes --username, --email and --password as given', async () => {
    await cli.run([
      'seed-admin',
      '--username',
      'root',
      '--email',
      'root@example.com',
      '--password',
      'Final-Admin-Pass-7',
    ]);

    expect(seededWith()).toStrictEqual({ username: 'root', email: 'root@example.com', password: 'Final-Admin-Pass-7' });
  });

  it('reports the admin it created', async () => {
    await cli.run(['seed-admin']);

    expect(report.created).toHaveBeenCalledWith('admin', created);
    expect(output.stdout()).toBe('');
  });

  it('says the admin exists and reports nothing created when it already does', async () => {
    provisioning.seedAdmin.mockResolvedValue({ created: false, user: admin });

    await expect(cli.run(['seed-admin', '--password', 'Final-Admin-Pass-7'])).resolves.toBeUndefined();

    expect(output.stdout()).toBe('Admin "root" already exists; nothing changed.\n');
    expect(report.created).not.toHaveBeenCalled();
  });

  it('takes the password from a pipe with --password-stdin', async () => {
    jest.spyOn(process, 'stdin', 'get').mockReturnValue(pipedStdin('Piped-Admin-Pass-8\n'));

    await cli.run(['seed-admin', '--password-stdin']);

    expect(seededWith()).toMatchObject({ password: 'Piped-Admin-Pass-8' });
  });

  it('takes the password from CLI_PASSWORD', async () => {
    process.env.CLI_PASSWORD = 'Env-Admin-Pass-9';

    await cli.run(['seed-admin', '--username', 'root']);

    expect(seededWith()).toStrictEqual({ username: 'root', email: undefined, password: 'Env-Admin-Pass-9' });
  });

  it('refuses --password with --password-stdin and seeds nothing', async () => {
    await expect(cli.run(['seed-admin', '--password', 'Final-Admin-Pass-7', '--password-stdin'])).rejects.toThrow(
      new CliUsageError('give either --password or --password-stdin, not both'),
    );

    expect(provisioning.seedAdmin).not.toHaveBeenCalled();
    expect(report.created).not.toHaveBeenCalled();
  });

  it('lets a refusal of the provisioning surface, printing nothing', async () => {
    const refusal = new ApiException(ErrorCode.InvalidParameter, 'email must be a valid email address');
    provisioning.seedAdmin.mockRejectedValue(refusal);

    await expect(cli.run(['seed-admin', '--email', 'not-an-email'])).rejects.toBe(refusal);

    expect(report.created).not.toHaveBeenCalled();
    expect(output.stdout()).toBe('');
  });

  it('refuses an option it does not know, before seeding', async () => {
    await expect(cli.run(['seed-admin', '--temporary-password', 'x'])).rejects.toMatchObject({
      code: 'commander.unknownOption',
    });

    expect(provisioning.seedAdmin).not.toHaveBeenCalled();
    expect(cli.commanderOutput()).toContain("unknown option '--temporary-password'");
  });
});
