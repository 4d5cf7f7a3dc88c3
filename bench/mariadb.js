// A fresh MariaDB database per server start (root, no password, 127.0.0.1), dropped after.
const { randomBytes } = require('node:crypto');
const mysql = require('mysql2/promise');
const { HOST } = require('./processes');

async function createDatabase(port) {
  const name = `auth_bench_${randomBytes(4).toString('hex')}`;
  const connection = await mysql.createConnection({ host: HOST, port, user: 'root', connectTimeout: 5000 });
  try {
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await connection.end();
  }
  let dropped = false;
  return {
    name,
    url: `mysql://root@${HOST}:${port}/${name}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      const admin = await mysql.createConnection({ host: HOST, port, user: 'root', connectTimeout: 5000 });
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await admin.end();
      }
    },
  };
}

module.exports = { createDatabase };
