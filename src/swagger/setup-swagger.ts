import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ADMIN_KEY_SCHEME } from '../admin/admin-api.decorator';
import { BEARER_SCHEME } from '../common/decorators/api-errors.decorator';
import { INTROSPECTION_SCHEME } from '../tokens/introspection.controller';

const DESCRIPTION =
  'Use your account credentials (username in lowercase) and tokens to manage your account programmatically. ' +
  'Access tokens expire after 24 hours, while refresh tokens expire after 90 days. Use the login endpoint to ' +
  'receive your tokens, then use the token-refresh and token-revoke endpoints to manage them. Your account ' +
  'password can also be managed with the associated endpoints. Every error is `{"message", "status"}`.';

/** Swagger UI at /docs and the OpenAPI 3 document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Authentication API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access_token from /v1/login' },
      BEARER_SCHEME,
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'A key from ADMIN_API_KEYS (the admin API only)' },
      ADMIN_KEY_SCHEME,
    )
    .addBasicAuth(
      { type: 'http', scheme: 'basic', description: 'A client name and secret from INTROSPECTION_CLIENTS' },
      INTROSPECTION_SCHEME,
    )
    .addTag('Auth', 'Log in and manage tokens')
    .addTag('Password', 'Change, reset and set passwords')
    .addTag('Account', 'The caller’s own account')
    .addTag('Sessions', 'The caller’s sessions: list them, end one or all')
    .addTag('Keys', 'For the services that verify tokens: public keys and introspection')
    .addTag('Admin', 'For operators: accounts and their sessions (an admin’s token or an API key)')
    .addTag('Health', 'Liveness and readiness')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Authentication API',
    swaggerOptions: { persistAuthorization: false, displayRequestDuration: true },
  });
}
