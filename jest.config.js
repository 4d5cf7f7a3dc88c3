/** Unit specs live next to the code; e2e specs boot the real app over HTTP on a real database. */
const tsJest = {
  '^.+\\.ts$': [
    'ts-jest',
    {
      tsconfig: 'tsconfig.json',
      astTransformers: { before: ['<rootDir>/test/support/swagger-transformer.js'] },
      diagnostics: { warnOnly: false },
    },
  ],
  // @fastify/static (Swagger UI's assets) requires content-disposition, which ships ESM only.
  '^.+/node_modules/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true }, isolatedModules: true }],
};
const transformIgnorePatterns = ['/node_modules/(?!content-disposition/)'];

const mysql = process.env.TEST_DATABASE === 'mysql';

module.exports = {
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform: tsJest,
      transformIgnorePatterns,
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // The CLI and first-start specs spawn the compiled code: build it once, before any spec.
      globalSetup: '<rootDir>/test/support/global-setup.js',
      // The outage test cuts a proxied MySQL connection; SQLite has no server to lose. Several
      // instances (and the Redis spec's two) share a MySQL database; an SQLite file belongs to one process.
      testPathIgnorePatterns: mysql
        ? ['/node_modules/']
        : ['/node_modules/', 'database-outage', 'several-instances', 'redis'],
      transform: tsJest,
      transformIgnorePatterns,
    },
  ],
};
