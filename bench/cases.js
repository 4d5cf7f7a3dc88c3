// What autocannon sends for each case. Bodies and tokens rotate through the seeded users
// and their sessions, so no single account or row is hammered.

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The resource server the bench introspects as: its secret is set on every server the bench starts. */
const INTROSPECTION_CLIENT = { name: 'bench-resource-server', secret: 'bench-introspection-secret-0123456789' };
const INTROSPECTION_HEADERS = {
  'content-type': 'application/x-www-form-urlencoded',
  authorization: `Basic ${Buffer.from(`${INTROSPECTION_CLIENT.name}:${INTROSPECTION_CLIENT.secret}`).toString('base64')}`,
};

function rotate(items) {
  let next = 0;
  return () => items[next++ % items.length];
}

/** A POST of the JSON body `bodyOf(context)` makes, fresh for every request. */
function postJson(path, bodyOf) {
  return {
    method: 'POST',
    path,
    headers: JSON_HEADERS,
    setupRequest: (req, context) => ({ ...req, body: JSON.stringify(bodyOf(context)) }),
  };
}

function bearer(token) {
  return { authorization: `Bearer ${token}` };
}

/** autocannon options (less url, connections, duration) for one case. */
function requestsFor(kind, { users, sessions }) {
  const nextUser = rotate(users);
  const nextSession = rotate(sessions);
  const loginRequest = postJson('/v1/login', () => {
    const { username, password } = nextUser();
    return { username, password };
  });

  switch (kind) {
    case 'login':
      return [loginRequest];
    case 'refresh':
      return [
        postJson('/v1/token-refresh', () => {
          const { username, refresh_token } = nextSession();
          return { username, refresh_token };
        }),
      ];
    case 'me':
      return [
        {
          method: 'GET',
          path: '/v1/me',
          setupRequest: (req) => ({ ...req, headers: bearer(nextSession().access_token) }),
        },
      ];
    case 'revoke':
      // Each connection logs in, then revokes the refresh token that login just gave it.
      return [
        {
          ...loginRequest,
          onResponse: (status, body, context) => {
            context.refreshToken = status === 200 ? JSON.parse(body).refresh_token : 'none';
          },
        },
        postJson('/v1/token-revoke', (context) => ({ refresh_token: context.refreshToken })),
      ];
    case 'introspect':
      // A resource server asks about a user's live access token, as RFC 7662 sends it: a form body.
      return [
        {
          method: 'POST',
          path: '/v1/introspect',
          headers: INTROSPECTION_HEADERS,
          setupRequest: (req) => ({ ...req, body: `token=${nextSession().access_token}` }),
        },
      ];
    case 'jwks':
      return [{ method: 'GET', path: '/.well-known/jwks.json' }];
    case 'bare':
      return [
        {
          method: 'GET',
          path: '/bare/jwt',
          setupRequest: (req) => ({ ...req, headers: bearer(nextSession().access_token) }),
        },
      ];
    default:
      throw new Error(`unknown case ${kind}`);
  }
}

module.exports = { INTROSPECTION_CLIENT, requestsFor };
