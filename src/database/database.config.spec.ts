import { ConfigError } from '../config/env';
import { DEFAULT_DATABASE_URL, readDatabaseConfig } from './database.config';

describe(readDatabaseConfig.name, () => {
  const sut = (DATABASE_URL?: string, extra: Record<string, string> = {}) =>
    readDatabaseConfig({ DATABASE_URL, ...extra });

  function configErrorOf(url: string): ConfigError {
    try {
      sut(url);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error(`expected ${url} to be refused`);
  }

  describe('SQLite', () => {
    it('is the default: ./data/auth.sqlite', () => {
      expect(DEFAULT_DATABASE_URL).toBe('sqlite:./data/auth.sqlite');
      expect(sut(undefined)).toMatchObject({ type: 'sqlite', path: './data/auth.sqlite' });
      expect(sut('')).toMatchObject({ type: 'sqlite', path: './data/auth.sqlite' });
    });

    it.each([
      ['sqlite:./data/other.sqlite', './data/other.sqlite'],
      ['sqlite:relative.db', 'relative.db'],
      ['sqlite:/var/lib/auth/auth.sqlite', '/var/lib/auth/auth.sqlite'],
      ['sqlite:///var/lib/auth/auth.sqlite', '/var/lib/auth/auth.sqlite'],
      ['sqlite::memory:', ':memory:'],
      ['  sqlite:/tmp/padded.sqlite  ', '/tmp/padded.sqlite'],
    ])('reads %s as the file %s', (url, path) => {
      expect(sut(url)).toMatchObject({ type: 'sqlite', path });
    });

    it('refuses sqlite: without a path', () => {
      expect(configErrorOf('sqlite:').message).toMatch(/^DATABASE_URL .*path/);
    });
  });

  describe('MySQL / MariaDB', () => {
    it('reads a mysql:// URL unchanged, with the default pool size', () => {
      expect(sut('mysql://auth:s3cret@db.internal:3306/auth')).toMatchObject({
        type: 'mysql',
        url: 'mysql://auth:s3cret@db.internal:3306/auth',
        poolSize: 10,
      });
    });

    it('reads mariadb:// as an alias of mysql://', () => {
      expect(sut('mariadb://root@127.0.0.1:3306/auth')).toMatchObject({
        type: 'mysql',
        url: 'mysql://root@127.0.0.1:3306/auth',
        poolSize: 10,
      });
    });

    it('takes the pool size from DATABASE_POOL_SIZE', () => {
      expect(sut('mysql://root@localhost/auth', { DATABASE_POOL_SIZE: '25' })).toMatchObject({ poolSize: 25 });
      expect(() => sut('mysql://root@localhost/auth', { DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    });

    it.each(['mysql://root@localhost', 'mysql://root@localhost/', 'mysql://user:hunter2@[bad'])(
      'refuses %s (no database, or unparsable) without echoing it',
      (url) => {
        const error = configErrorOf(url);

        expect(error.message).toMatch(/^DATABASE_URL must look like mysql:\/\//);
        expect(error.message).not.toContain('hunter2');
      },
    );
  });

  describe('anything else', () => {
    it('refuses postgres:// in one line that names the variable and does not echo the password', () => {
      const error = configErrorOf('postgres://auth:Sup3r-S3cret-Pw@db.internal:5432/auth');

      expect(error.message).toMatch(/^DATABASE_URL /);
      expect(error.message).toMatch(/PostgreSQL is not supported/);
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toMatch(/Sup3r-S3cret-Pw|auth:|db\.internal/);
    });

    it.each([
      'postgresql://user:Sup3r-S3cret-Pw@host/db',
      'garbage',
      'user:Sup3r-S3cret-Pw@host/db',
      'Sup3r-S3cret-Pw',
      'mysql:/user:Sup3r-S3cret-Pw@host/db',
      'MYSQL://user:Sup3r-S3cret-Pw@host/db',
      'mysql//user:Sup3r-S3cret-Pw@host/db',
      'file:./auth.sqlite',
    ])('refuses %s in one line, without echoing anything secret', (url) => {
      const error = configErrorOf(url);

      expect(error.message).toMatch(/^DATABASE_URL /);
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toContain('Sup3r-S3cret-Pw');
    });

    it('names the scheme it did not recognise, and PostgreSQL only when that was the scheme', () => {
      expect(configErrorOf('redis://cache:6379/0').message).toContain('"redis://"');
      expect(configErrorOf('redis://cache:6379/0').message).not.toMatch(/PostgreSQL/);
      expect(configErrorOf('garbage').message).not.toMatch(/PostgreSQL/);
      expect(configErrorOf('postgresql://host/db').message).toMatch(/PostgreSQL is not supported/);
    });
  });

  describe('JANITOR_INTERVAL', () => {
    it('trims every 10 minutes unless told otherwise', () => {
      expect(sut(undefined).janitorIntervalSeconds).toBe(600);
      expect(sut(undefined, { JANITOR_INTERVAL: '1h' }).janitorIntervalSeconds).toBe(3600);
    });

    it('refuses a value that is no duration', () => {
      expect(() => sut(undefined, { JANITOR_INTERVAL: 'often' })).toThrow(/JANITOR_INTERVAL/);
    });
  });
});
