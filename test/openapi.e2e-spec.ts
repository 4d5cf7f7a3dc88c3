import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
// The package's CommonJS build bundles its ESM-only dependency (json-schema-ref-parser), so it
// loads under Jest as it is; @apidevtools/swagger-parser requires that dependency and does not.
import { compileErrors, validate } from '@readme/openapi-parser';
import { startTestApp, TestApp } from './support/test-app';

type Method = 'get' | 'post' | 'patch' | 'delete';
type Status = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

interface DocumentedRoute {
  tag: 'Auth' | 'Password' | 'Account' | 'Sessions' | 'Keys' | 'Admin' | 'Health';
  /** Answers 204 with no body instead of 200 with one. */
  noContent?: true;
  /** Answers 201 with what it created instead of 200. */
  created?: true;
  /** The seed document's example request, field by field. */
  body?: Record<string, string>;
  /** Every error the route can give, and no other. */
  errors: Status[];
  bearer: boolean;
  /** Authenticated with HTTP Basic (introspection's clients) instead of a token. */
  basic?: true;
  /** An admin's access token or a key from ADMIN_API_KEYS, either one. */
  admin?: true;
  /** Body fields that may be left out. */
  optional?: string[];
  /** Also takes application/x-www-form-urlencoded (RFC 7662). */
  form?: true;
  /** Wording from the seed document (or ours, for the routes it does not have). */
  description: string;
}

/** Errors every JSON POST can give: bad body, too big, not JSON, database down. */
const BODY_ERRORS: Status[] = [400, 413, 415, 503];
const SEED_REFRESH_TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';

const ROUTES: Record<string, Partial<Record<Method, DocumentedRoute>>> = {
  '/v1/login': {
    post: {
      tag: 'Auth',
      body: { username: 'admin', password: 'j8BDWYrQwDF5u4Yu' },
      errors: [...BODY_ERRORS, 401, 429],
      bearer: false,
      description: 'By receiving username and password creates new access, id and refresh tokens.',
    },
  },
  '/v1/token-refresh': {
    post: {
      tag: 'Auth',
      body: { username: 'admin', refresh_token: SEED_REFRESH_TOKEN },
      errors: [...BODY_ERRORS, 401, 429],
      bearer: false,
      description: 'By receiving refresh token and username provides new access and id tokens.',
    },
  },
  '/v1/token-revoke': {
    post: {
      tag: 'Auth',
      body: { refresh_token: SEED_REFRESH_TOKEN },
      // An unknown or revoked token answers 200 (RFC 7009): no 401.
      errors: [...BODY_ERRORS, 429],
      bearer: false,
      description:
        'By receiving refresh token revokes access for all of its access tokens. After the token is revoked, ' +
        'you can not use the revoked token to access authenticated APIs.',
    },
  },
  '/v1/forgot-password': {
    post: {
      tag: 'Password',
      body: { username: 'admin' },
      // The same 200 for unknown users: no 401.
      errors: [...BODY_ERRORS, 429],
      bearer: false,
      description:
        "By receiving username sends confirmation code that is required to change the user's password " +
        '(look into /v1/forgot-password-confirm).',
    },
  },
  '/v1/forgot-password-confirm': {
    post: {
      tag: 'Password',
      body: { username: 'admin', password: 'j8BDWYrQwDF5u4Yu', confirmation_code: '6MadrbRF' },
      // A wrong or expired code is a 400, an unknown user too (it gets the wrong-code answer).
      errors: [...BODY_ERRORS, 429],
      bearer: false,
      description:
        'By receiving username, new password and confirmation code (see /v1/forgot-password) changes user password.',
    },
  },
  '/v1/change-password': {
    post: {
      tag: 'Password',
      body: {
        access_token: 'sInR5cCI6IkpXVCJ9eyJhbGciOiJIUzI1NiI',
        previous_password: 'j8BDWYrQwDF5u4Yu',
        proposed_password: 'b2BDWZrQwDF5u4Yu',
      },
      errors: [...BODY_ERRORS, 401, 429],
      bearer: true,
      description: 'Changes user password by receiving access token, previous password, and proposed password.',
    },
  },
  '/v1/new-password-required': {
    post: {
      tag: 'Auth',
      body: { session: 'eyJhbGcisInR5cCI6IkOiJIUzI1NiIpXVCJ9', username: 'admin', new_password: 'b2BDWZrQwDF5u4Yu' },
      errors: [...BODY_ERRORS, 401, 429],
      bearer: false,
      description:
        'Responds NEW_PASSWORD_REQUIRED challenge by receiving username and session token and setting new password.',
    },
  },
  '/v1/software-token-mfa': {
    post: {
      tag: 'Auth',
      body: {
        session: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.p5sN8cF1hJ4yG6dE0aB3uR7iQ2oq3Xb7m0Zr9VtK2wL',
        username: 'alice',
        code: '492039',
      },
      errors: [...BODY_ERRORS, 401, 429],
      bearer: false,
      description: 'Responds SOFTWARE_TOKEN_MFA challenge',
    },
  },
  '/v1/mfa/totp/setup': {
    post: {
      tag: 'Account',
      errors: [...BODY_ERRORS, 401, 403, 429],
      bearer: true,
      description: 'A new secret for an authenticator app',
    },
  },
  '/v1/mfa/totp/verify': {
    post: {
      tag: 'Account',
      body: {
        session: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.p5sN8cF1hJ4yG6dE0aB3uR7iQ2oq3Xb7m0Zr9VtK2wL',
        username: 'alice',
        code: '492039',
      },
      optional: ['session', 'username'],
      errors: [...BODY_ERRORS, 401, 403, 429],
      bearer: true,
      description: 'A first code from the app turns the factor on.',
    },
  },
  '/v1/mfa/totp/disable': {
    post: {
      tag: 'Account',
      body: { password: 'j8BDWYrQwDF5u4Yu' },
      errors: [...BODY_ERRORS, 401, 429],
      bearer: true,
      description: 'Needs the password',
    },
  },
  '/v1/me': {
    get: { tag: 'Account', errors: [401, 503], bearer: true, description: 'Who the access token belongs to.' },
  },
  '/v1/sessions': {
    get: {
      tag: 'Sessions',
      errors: [401, 503],
      bearer: true,
      description: 'Every live session (login) of the account, newest first',
    },
  },
  '/v1/sessions/{id}': {
    delete: {
      tag: 'Sessions',
      errors: [401, 404, 503],
      bearer: true,
      noContent: true,
      description: "Ends one of the caller's sessions",
    },
  },
  '/v1/global-sign-out': {
    post: {
      tag: 'Sessions',
      errors: [...BODY_ERRORS, 401],
      bearer: true,
      description: 'Ends every session of the caller, the current one included.',
    },
  },
  '/v1/introspect': {
    post: {
      tag: 'Keys',
      body: { token: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ii4uLiJ9...', token_type_hint: 'access_token' },
      optional: ['token_type_hint'],
      form: true,
      errors: [...BODY_ERRORS, 401],
      bearer: false,
      basic: true,
      description: 'whether an access token is live right now',
    },
  },
  '/.well-known/openid-configuration': {
    get: {
      tag: 'Keys',
      errors: [],
      bearer: false,
      description: 'Where the signing keys and introspection are',
    },
  },
  '/.well-known/jwks.json': {
    get: {
      tag: 'Keys',
      errors: [],
      bearer: false,
      description: 'The public keys of the current and previous asymmetric signing keys',
    },
  },
  '/v1/admin/users': {
    get: {
      tag: 'Admin',
      errors: [400, 401, 403, 503],
      bearer: true,
      admin: true,
      description: 'In username order, a page at a time',
    },
    post: {
      tag: 'Admin',
      errors: [...BODY_ERRORS, 401, 403, 409],
      bearer: true,
      admin: true,
      created: true,
      description: 'a temporary password is generated and mailed to the user',
    },
  },
  '/v1/admin/users/{username}': {
    get: { tag: 'Admin', errors: [401, 403, 404, 503], bearer: true, admin: true, description: 'as operators see it' },
    patch: {
      tag: 'Admin',
      errors: [...BODY_ERRORS, 401, 403, 404, 409],
      bearer: true,
      admin: true,
      description: 'Taking `admin` from the last active admin is refused.',
    },
    delete: {
      tag: 'Admin',
      errors: [401, 403, 404, 409, 503],
      bearer: true,
      admin: true,
      noContent: true,
      description: 'the name can be taken again',
    },
  },
  '/v1/admin/users/{username}/disable': {
    post: {
      tag: 'Admin',
      errors: [...BODY_ERRORS, 401, 403, 404, 409],
      bearer: true,
      admin: true,
      description: 'Every session ends at once',
    },
  },
  '/v1/admin/users/{username}/enable': {
    post: {
      tag: 'Admin',
      errors: [...BODY_ERRORS, 401, 403, 404],
      bearer: true,
      admin: true,
      description: 'Sessions ended while it was disabled stay ended.',
    },
  },
  '/v1/admin/users/{username}/sign-out': {
    post: {
      tag: 'Admin',
      errors: [...BODY_ERRORS, 401, 403, 404],
      bearer: true,
      admin: true,
      description: 'Every session of the user ends at once.',
    },
  },
  '/v1/admin/users/{username}/mfa/reset': {
    post: {
      tag: 'Admin',
      errors: [...BODY_ERRORS, 401, 403, 404],
      bearer: true,
      admin: true,
      description: 'For a lost authenticator',
    },
  },
  '/v1/admin/users/{username}/reset-password': {
    post: {
      tag: 'Admin',
      errors: [...BODY_ERRORS, 401, 403, 404],
      bearer: true,
      admin: true,
      description: 'the next login answers NEW_PASSWORD_REQUIRED',
    },
  },
  '/v1/admin/users/{username}/sessions': {
    get: {
      tag: 'Admin',
      errors: [401, 403, 404, 503],
      bearer: true,
      admin: true,
      description: 'Every live session (login) of the account',
    },
  },
  '/v1/admin/users/{username}/sessions/{id}': {
    delete: {
      tag: 'Admin',
      errors: [401, 403, 404, 503],
      bearer: true,
      admin: true,
      noContent: true,
      description: "the user's other sessions go on",
    },
  },
  '/v1/admin/audit-events': {
    get: {
      tag: 'Admin',
      errors: [400, 401, 403, 503],
      bearer: true,
      admin: true,
      description: 'Newest first, a page at a time',
    },
  },
  '/health': {
    get: { tag: 'Health', errors: [503], bearer: false, description: 'Answers 200 when the database answers a query.' },
  },
  '/health/ready': {
    get: {
      tag: 'Health',
      errors: [503],
      bearer: false,
      description: 'Answers 200 when the database answers a query; 503 takes the instance out of rotation.',
    },
  },
  '/health/live': {
    get: {
      tag: 'Health',
      errors: [],
      bearer: false,
      description: 'Answers 200 while the process serves requests; checks no dependency.',
    },
  },
};

const OPERATIONS = Object.entries(ROUTES).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, route]) => ({ path, method: method as Method, route })),
);
const POSTS = OPERATIONS.filter(({ method, route }) => method === 'post' && route.body);

/** The routes the running app's controllers declare, as `METHOD /path` (Swagger's own excluded). */
function servedRoutes(api: TestApp): string[] {
  const routes: string[] = [];
  for (const module of api.app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, metatype));
      const prototype = metatype.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const full = `/${[base, path]
          .map((part) => part.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        routes.push(`${RequestMethod[method]} ${full.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
  }
  return routes.sort();
}

/** Follows a local `$ref` (`#/components/schemas/X`). */
function resolve(document: any, schema: any): any {
  if (!schema?.$ref) return schema;
  return (schema.$ref as string)
    .replace(/^#\//, '')
    .split('/')
    .reduce((node: any, key) => node?.[key], document);
}

describe('the OpenAPI document at /docs-json (e2e)', () => {
  let api: TestApp;
  let document: any;

  beforeAll(async () => {
    api = await startTestApp();
    const response = await api.get('/docs-json');
    expect(response.status).toBe(200);
    document = response.body;
  });
  afterAll(() => api.close());

  it('passes a maintained OpenAPI validator (schema and semantic rules), with no warnings', async () => {
    // The validator dereferences what it is given: hand it a copy.
    const result = await validate(structuredClone(document));

    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result).toMatchObject({ valid: true, specification: 'OpenAPI', warnings: [] });
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
  });

  it('describes exactly the routes the app serves', () => {
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();

    expect(servedRoutes(api)).toEqual(documented);
    expect(documented).toEqual(OPERATIONS.map(({ path, method }) => `${method.toUpperCase()} ${path}`).sort());
  });

  it('groups the operations under the tags Auth, Password, Account, Sessions, Keys, Admin and Health, one each', () => {
    expect(document.tags.map((tag: { name: string }) => tag.name)).toEqual([
      'Auth',
      'Password',
      'Account',
      'Sessions',
      'Keys',
      'Admin',
      'Health',
    ]);
    for (const { path, method, route } of OPERATIONS) {
      expect({ path, method, tags: document.paths[path][method].tags }).toEqual({ path, method, tags: [route.tag] });
    }
  });

  it("opens with the seed document's introduction", () => {
    expect(document.info.description).toContain(
      'Use your account credentials (username in lowercase) and tokens to manage your account programmatically.',
    );
    expect(document.info.description).toMatch(/24 hours.*90 days/);
  });

  describe.each(OPERATIONS)('$method $path', ({ path, method, route }) => {
    let operation: any;

    beforeAll(() => {
      operation = document.paths[path][method];
    });

    it('has a summary and a description in the seed wording', () => {
      expect(operation.summary).toEqual(expect.any(String));
      expect(operation.description).toContain(route.description);
    });

    const success = route.created ? '201' : '200';
    it(route.noContent ? 'documents a 204 with no body' : `documents a ${success} with a JSON body schema`, () => {
      if (route.noContent) {
        expect(operation.responses['204']).toMatchObject({ description: expect.any(String) });
        expect(operation.responses['204'].content).toBeUndefined();
        return;
      }
      const ok = operation.responses[success];
      const schema = resolve(document, ok?.content?.['application/json']?.schema);

      expect(ok.description).not.toBe('');
      expect(schema).toMatchObject({ type: 'object', properties: expect.any(Object) });
      expect(Object.keys(schema.properties).length).toBeGreaterThan(0);
    });

    it('documents exactly the errors it can give, each as {message, status}', () => {
      const errors = Object.keys(operation.responses)
        .filter((status) => !['200', '201', '204'].includes(status))
        .map(Number)
        .sort();
      expect(errors).toEqual([...route.errors].sort());

      for (const status of errors) {
        const response = operation.responses[String(status)];
        const schema = resolve(document, response.content?.['application/json']?.schema);

        expect({ status, description: response.description }).toEqual({ status, description: expect.any(String) });
        expect(response.description).not.toBe('');
        expect({ status, schema }).toMatchObject({
          status,
          schema: {
            type: 'object',
            properties: { message: { type: 'string' }, status: { type: 'integer' } },
            required: expect.arrayContaining(['message', 'status']),
          },
        });
        // Swagger UI shows this: a 413 must not read like a 401.
        const example = response.content['application/json'].example;
        expect({ status, example }).toEqual({
          status,
          example: { status, message: expect.any(String), code: expect.any(String) },
        });
      }
      if (errors.includes(429)) expect(operation.responses['429'].headers).toHaveProperty('Retry-After');
    });

    it(route.bearer ? 'declares the bearer scheme' : route.basic ? 'declares HTTP Basic' : 'asks for no token', () => {
      const names: string[] = (operation.security ?? []).flatMap((requirement: object) => Object.keys(requirement));
      if (route.basic) {
        expect(names).toEqual(['introspection']);
        expect(document.components.securitySchemes.introspection).toMatchObject({ type: 'http', scheme: 'basic' });
        return;
      }
      if (!route.bearer) {
        expect(names).toEqual([]);
        return;
      }
      // Two requirements are alternatives: either credential opens an admin route.
      if (route.admin) expect(names).toEqual(['bearer', 'admin-key']);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        expect(document.components.securitySchemes[name]).toMatchObject({ type: 'http', scheme: 'bearer' });
      }
    });
  });

  describe.each(POSTS)('POST $path request body', ({ path, route }) => {
    let schema: any;

    beforeAll(() => {
      const body = document.paths[path].post.requestBody;
      expect(body).toMatchObject({ required: true, content: { 'application/json': { schema: expect.any(Object) } } });
      const types = route.form ? ['application/json', 'application/x-www-form-urlencoded'] : ['application/json'];
      expect(Object.keys(body.content).sort()).toEqual(types);
      schema = resolve(document, body.content['application/json'].schema);
    });

    it("has the seed document's fields, typed string, with its example values", () => {
      expect(schema.type).toBe('object');
      expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(route.body!).sort());
      for (const [field, example] of Object.entries(route.body!)) {
        expect({ field, ...schema.properties[field] }).toMatchObject({ field, type: 'string', example });
      }
    });

    it('marks every field required, except an access token that may come as a bearer header', () => {
      const optional = route.optional ?? (route.bearer ? ['access_token'] : []);
      const required = Object.keys(route.body!).filter((field) => !optional.includes(field));

      expect([...schema.required].sort()).toEqual(required.sort());
    });
  });

  it('lets change-password take its token from the body instead of the header', () => {
    const security = document.paths['/v1/change-password'].post.security;

    expect(security).toEqual(expect.arrayContaining([{}]));
  });

  it('describes the login result, tokens or challenge', () => {
    const schema = resolve(
      document,
      document.paths['/v1/login'].post.responses['200'].content['application/json'].schema,
    );

    expect(schema.required).toEqual(
      expect.arrayContaining(['challenge_name', 'session', 'id_token', 'access_token', 'refresh_token', 'expires_in']),
    );
    expect(schema.properties.challenge_name).toMatchObject({
      nullable: true,
      enum: ['NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA', 'MFA_SETUP'],
    });
    expect(schema.properties.expires_in).toMatchObject({ type: 'integer' });

    const examples = document.paths['/v1/login'].post.responses['200'].content['application/json'].examples;
    expect(examples.tokens.value).toMatchObject({ challenge_name: null, session: null, token_type: 'Bearer' });
    expect(examples.challenge.value).toMatchObject({
      challenge_name: 'NEW_PASSWORD_REQUIRED',
      session: expect.any(String),
      access_token: null,
    });
    expect(examples.mfa.value).toMatchObject({
      challenge_name: 'SOFTWARE_TOKEN_MFA',
      session: expect.any(String),
      access_token: null,
    });
  });
});
