// A local SMTP server that accepts and discards every message: production mode refuses to
// start without SMTP_URL, and the benchmarked paths send no mail anyway.
const { SMTPServer } = require('smtp-server');
const { HOST } = require('./processes');

async function startSmtpSink() {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => callback());
      stream.resume();
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.server.address();
  return { url: `smtp://${HOST}:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

module.exports = { startSmtpSink };
