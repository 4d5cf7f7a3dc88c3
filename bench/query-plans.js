// The database's own plan for each statement a hot path runs, with the parameters the
// server first ran it with: shows that every lookup goes through an index (SQLite's
// "SEARCH ... USING INDEX", MariaDB's access type and key) and never scans a table.
const mysql = require('mysql2/promise');
const { HOST } = require('./processes');

const NEEDS_PLAN = /^\s*(SELECT|UPDATE|DELETE)\b/i;

function sqlitePlans(file, statements) {
  const Database = require('better-sqlite3');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return statements.map((s) => {
      if (!NEEDS_PLAN.test(s.sql)) return s;
      try {
        const rows = db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...(s.params || []));
        return { ...s, plan: rows.map((row) => row.detail).join('; ') };
      } catch (error) {
        return { ...s, plan: `(no plan: ${error.message})` };
      }
    });
  } finally {
    db.close();
  }
}

async function mariadbPlans(database, port, statements) {
  const connection = await mysql.createConnection({ host: HOST, port, user: 'root', database, timezone: 'Z' });
  try {
    const planned = [];
    for (const s of statements) {
      if (!NEEDS_PLAN.test(s.sql)) {
        planned.push(s);
        continue;
      }
      try {
        const [rows] = await connection.query(`EXPLAIN ${s.sql}`, s.params || []);
        // No table: the optimizer already found, through a primary or unique key, that no row matches.
        const plan = rows.map((row) =>
          row.table
            ? `${row.table}: ${row.type || '-'}${row.key ? ` (${row.key})` : ''}${row.Extra ? `, ${row.Extra}` : ''}`
            : `key lookup found no row (${row.Extra})`,
        );
        planned.push({ ...s, plan: plan.join('; ') });
      } catch (error) {
        planned.push({ ...s, plan: `(no plan: ${error.message})` });
      }
    }
    return planned;
  } finally {
    await connection.end();
  }
}

/** Adds `plan` to each SELECT/UPDATE/DELETE of `statements` ({ sql, params }). */
function explain(database, statements) {
  return database.kind === 'sqlite'
    ? Promise.resolve(sqlitePlans(database.file, statements))
    : mariadbPlans(database.name, database.port, statements);
}

module.exports = { explain };
