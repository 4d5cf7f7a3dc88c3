/**
 * The layering, checked by `npm run lint`. Features (auth, users, tokens, mail, audit, health)
 * may use the shared layers; the shared layers (common, config, database, metrics, redis) use
 * no feature, so any feature can be lifted out or tested with them alone. Composition roots
 * (app.module.ts, app.factory.ts, main.ts, all-config.ts, the CLI) are the only places that
 * see everything.
 */
const FEATURES = '^src/(auth|users|tokens|mail|audit|health|swagger)/';
const SHARED = '^src/(common|config|database|metrics|redis)/';
const ROOTS = '^src/[^/]+\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two files cannot be understood, loaded or tested one without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-uses-no-feature',
      severity: 'error',
      comment:
        'common, config, database, metrics and redis are leaves: modules register with them, never the other way.',
      from: { path: SHARED },
      to: { path: [FEATURES, '^src/cli/', ROOTS] },
    },
    {
      name: 'feature-reads-own-config',
      severity: 'error',
      comment: "A module reads only its own settings; another module's value reaches it through that module's service.",
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/[^/]+\\.config\\.ts$', pathNot: ['^src/$1/', '^src/config/'] },
    },
    {
      name: 'features-do-not-import-roots',
      severity: 'error',
      comment: 'The composition roots wire the features; a feature importing one would see every other.',
      from: { path: FEATURES },
      to: { path: ROOTS },
    },
    {
      name: 'cli-uses-services-only',
      severity: 'error',
      comment: 'The CLI is another way in, beside HTTP: it calls services, never the HTTP layer.',
      from: { path: '^src/cli/' },
      to: { path: ['\\.(controller|guard|strategy|filter)\\.ts$', '^src/app\\.(module|factory)\\.ts$'] },
    },
    {
      name: 'code-does-not-import-tests',
      severity: 'error',
      comment: 'Test helpers never ship.',
      from: { path: '^(src|ormconfig)', pathNot: '\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // Type-only imports count too: a type from another layer is a dependency on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
