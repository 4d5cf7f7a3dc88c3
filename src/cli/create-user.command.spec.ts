import { commandLine, pipedStdin, terminalStdin } from '../../test/fixtures/command-line.fixture';
import { userFixture } from '../../test/fixtures/user.fixture';
import { Mock, mockOf } from '../../test/utils';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AccountProvisioningService, ProvisionedUser } from '../users/account-provisioning.service';
import { CreateUserCommand } from './create-user.command';
import { CliUsageError, ProvisioningReport } from './provisioning-report';

const provisioned: ProvisionedUser = Object.freeze({
  user: userFixture({ username: 'carol', email: 'carol@example.com' }),
  generatedPassword: 'Generated-Temp-Pass-81',
});
const CAROL = ['create-user', '--username', 'carol', '--email', 'carol@example.com'];

describe(CreateUserCommand.name, () => {
  let provisioning: Mock<AccountProvisioningService>;
  let report: Mock<ProvisioningReport>;
  let cli: Awaited<ReturnType<typeof commandLine<CreateUserCommand>>>;
  const savedPassword = process.env.CLI_PASSWORD;

  const requested = () => provisioning.createUser.mock.calls[0][0];
  const expectNothingCreated = () => {
    expect(provisioning.createUser).not.toHaveBeenCalled();
    expect(report.created).not.toHaveBeenCalled();
  };

  beforeEach(async () => {
    delete process.env.CLI_PASSWORD;
    provisioning = mockOf<AccountProvisioningService>();
    provisioning.createUser.mockResolvedValue(provisioned);
    report = mockOf<ProvisioningReport>();
    report.created.mockResolvedValue();
    cli = await commandLine(CreateUserCommand, [
      { provide: AccountProvisioningService, useValue: provisioning },
      { provide: ProvisioningReport, useValue: report },
    ]);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await cli.close();
    if (savedPassword === undefined) delete process.env.CLI_PASSWORD;
    else process.env.CLI_PASSWORD = savedPassword;
  });

  it('creates a user with no password given, so one is generated, and reports it', async () => {
    await expect(cli.run(CAROL)).resolves.toBeUndefined();

    expect(requested()).toStrictEqual({
      username: 'carol',
      email: 'carol@example.com',
      admin: false,
      password: undefined,
      temporaryPassword: undefined,
    });
    expect(report.created).toHaveBeenCalledWith('user', provisioned, undefined);
  });

  it('creates an admin with --admin, and reports an admin', async () => {
    await cli.run([...CAROL, '--admin']);

    expect(requested()).toMatchObject({ admin: true });
    expect(report.created).toHaveBeenCalledWith('admin', provisioned, undefined);
  });

  it('passes --password as the final password', async () => {
    await cli.run([...CAROL, '--password', 'Carol-Final-Pass-7']);

    expect(requested()).toMatchObject({ password: 'Carol-Final-Pass-7', temporaryPassword: undefined });
  });

  it('passes --temporary-password as temporary, and hands it to the report to mail', async () => {
    await cli.run([...CAROL, '--temporary-password', 'Carol-Temp-Pass-3']);

    expect(requested()).toMatchObject({ password: undefined, temporaryPassword: 'Carol-Temp-Pass-3' });
    expect(report.created).toHaveBeenCalledWith('user', provisioned, 'Carol-Temp-Pass-3');
  });

  it('takes the final password from CLI_PASSWORD', async () => {
    process.env.CLI_PASSWORD = 'Carol-Env-Pass-5';

    await cli.run(CAROL);

    expect(requested()).toMatchObject({ password: 'Carol-Env-Pass-5', temporaryPassword: undefined });
  });

  it('prefers --temporary-password to CLI_PASSWORD from the environment', async () => {
    process.env.CLI_PASSWORD = 'Carol-Env-Pass-5';

    await cli.run([...CAROL, '--temporary-password', 'Carol-Temp-Pass-3']);

    expect(requested()).toMatchObject({ password: undefined, temporaryPassword: 'Carol-Temp-Pass-3' });
  });

  it('takes the final password from a pipe with --password-stdin', async () => {
    jest.spyOn(process, 'stdin', 'get').mockReturnValue(pipedStdin('Carol-Piped-Pass-9\n'));

    await cli.run([...CAROL, '--password-stdin']);

    expect(requested()).toMatchObject({ password: 'Carol-Piped-Pass-9' });
  });

  it.each([
    ['--password', ['--password', 'Carol-Final-Pass-7']],
    ['--password-stdin', ['--password-stdin']],
  ])('refuses %s with --temporary-password, without reading stdin or creating anything', async (_case, flags) => {
    const stdin = terminalStdin();
    jest.spyOn(process, 'stdin', 'get').mockReturnValue(stdin);

    await expect(cli.run([...CAROL, ...flags, '--temporary-password', 'Carol-Temp-Pass-3'])).rejects.toThrow(
      new CliUsageError('give either a final password or --temporary-password, not both'),
    );

    expect(stdin[Symbol.asyncIterator]).not.toHaveBeenCalled();
    expectNothingCreated();
  });

  it('refuses --password with --password-stdin, creating nothing', async () => {
    await expect(cli.run([...CAROL, '--password', 'Carol-Final-Pass-7', '--password-stdin'])).rejects.toThrow(
      new CliUsageError('give either --password or --password-stdin, not both'),
    );

    expectNothingCreated();
  });

  it.each([
    ['an empty --username', ['create-user', '--username', '', '--email', 'carol@example.com']],
    ['an empty --email', ['create-user', '--username', 'carol', '--email', '']],
  ])('refuses %s in its own words, creating nothing', async (_case, args) => {
    await expect(cli.run(args)).rejects.toThrow(new CliUsageError('create-user needs --username and --email'));

    expectNothingCreated();
  });

  it.each([
    ['--username', ['create-user', '--email', 'carol@example.com']],
    ['--email', ['create-user', '--username', 'carol']],
  ])('refuses a missing %s before running, creating nothing', async (option, args) => {
    await expect(cli.run(args)).rejects.toMatchObject({ code: 'commander.missingMandatoryOptionValue' });

    expect(cli.commanderOutput()).toContain(`required option '${option} <`);
    expectNothingCreated();
  });

  it('lets a refusal of the provisioning surface, reporting nothing', async () => {
    const refusal = new ApiException(ErrorCode.UsernameExists, 'User "carol" already exists.');
    provisioning.createUser.mockRejectedValue(refusal);

    await expect(cli.run(CAROL)).rejects.toBe(refusal);

    expect(report.created).not.toHaveBeenCalled();
  });
});
