// Why src/tokens/jwt-keys.ts hands jsonwebtoken KeyObjects: the time to sign and verify an
// HS256 access token with the secret as a string against the same secret as a KeyObject.
// Run: node bench/workarounds/jwt-keyobject.js (needs only node_modules).
const { createSecretKey } = require('node:crypto');
const { sign, verify } = require('jsonwebtoken');

const ROUNDS = 5;
const CALLS = 5000;
const secret = 'x'.repeat(48);
const keys = { string: secret, KeyObject: createSecretKey(Buffer.from(secret, 'utf8')) };
const options = { algorithm: 'HS256', issuer: 'auth-service', audience: 'auth-service', expiresIn: 900 };
const verifyOptions = { algorithms: ['HS256'], issuer: 'auth-service', audience: 'auth-service' };
const claims = { sub: '6f1c1d9e-0d5e-4c35-9f6e-3a8b5b7f2c11', token_use: 'access', sid: 'x', username: 'alice' };
const token = sign(claims, keys.KeyObject, options);

function microsPerCall(fn) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i += 1) fn();
  return Number(process.hrtime.bigint() - started) / 1000 / CALLS;
}

const results = { string: { sign: [], verify: [] }, KeyObject: { sign: [], verify: [] } };
for (let round = 0; round <= ROUNDS; round += 1) {
  // Round 0 warms up; the kinds alternate so other work on the machine skews both alike.
  for (const [kind, key] of Object.entries(keys)) {
    const signed = microsPerCall(() => sign(claims, key, options));
    const verified = microsPerCall(() => verify(token, key, verifyOptions));
    if (round === 0) continue;
    results[kind].sign.push(signed);
    results[kind].verify.push(verified);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`node ${process.version}, HS256, ${CALLS} calls x ${ROUNDS} rounds, median µs per call`);
for (const operation of ['sign', 'verify']) {
  const asString = median(results.string[operation]);
  const asKey = median(results.KeyObject[operation]);
  console.log(
    `${operation.padEnd(6)} string ${asString.toFixed(1)} µs, KeyObject ${asKey.toFixed(1)} µs: ` +
      `${(asString / asKey).toFixed(1)}x`,
  );
}
