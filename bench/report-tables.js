// The tables the report prints and writes, and the number formats they share.

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const ms = (value) => fmt(value, value < 10 ? 2 : 1);
const rate = (value) => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value.toFixed(1)) : '-');

function consoleTable(headers, lines) {
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((line) => String(line[i]).length)));
  const render = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ');
  return [render(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}

function markdownTable(headers, lines) {
  const render = (cells) => `| ${cells.map((cell) => String(cell).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [render(headers), render(headers.map(() => '---')), ...lines.map(render)].join('\n');
}

/** One line per case and connection count; the req/s range only when there was more than one run. */
function figureLines(summary, runs) {
  const headers = ['case', 'db', 'connections', 'req/s', 'CPU µs/req', 'p50 ms', 'p99 ms', 'RSS MB'];
  if (runs > 1) headers.push('req/s range');
  headers.push('failed');
  const lines = summary.rows.map((r) => {
    const line = [r.label, r.db, r.connections, rate(r.rps), fmt(r.cpuUs, 0), ms(r.p50), ms(r.p99), fmt(r.rss, 0)];
    if (runs > 1) line.push(`${rate(r.rpsMin)}-${rate(r.rpsMax)}`);
    line.push(r.failed);
    return line;
  });
  return { headers, lines };
}

/** The targets, then the informational comparisons. */
function checkLines(summary) {
  const headers = ['target', 'measured', 'goal', 'result'];
  const lines = summary.checks.map((c) => [
    c.name,
    `${c.unit ? fmt(c.value) : Number.isInteger(c.value) ? c.value : fmt(c.value, 2)}${c.unit}`,
    `${c.goal}${c.unit}`,
    c.pass ? 'PASS' : 'FAIL',
  ]);
  for (const i of summary.info) lines.push([i.name, rate(i.value), `>= ${i.goal}`, 'info']);
  return { headers, lines };
}

function healthLines(health) {
  const headers = ['db', 'route', 'cost', 'connections', 'samples', 'failed', 'p50 ms', 'p99 ms', 'max ms'];
  const lines = health.map((h) => [
    h.db,
    h.route,
    h.cost,
    h.connections,
    h.samples,
    h.failures,
    fmt(h.p50),
    fmt(h.p99),
    fmt(h.max),
  ]);
  return { headers, lines };
}

function rssLines(finalRss) {
  return { headers: ['db', 'bcrypt cost', 'RSS MB'], lines: finalRss.map((r) => [r.db, r.cost, fmt(r.rss, 0)]) };
}

module.exports = { fmt, consoleTable, markdownTable, figureLines, checkLines, healthLines, rssLines };
