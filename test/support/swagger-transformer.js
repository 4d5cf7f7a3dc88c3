// Runs the @nestjs/swagger CLI plugin inside ts-jest, so the document the tests read is the
// one `nest build` produces (https://docs.nestjs.com/openapi/cli-plugin#integration-with-ts-jest-e2e-tests).
const transformer = require('@nestjs/swagger/plugin');
const options = require('../../nest-cli.json').compilerOptions.plugins[0].options;

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (cs) => transformer.before(options, cs.program);
