// Markdown tables from benchmark reports, for docs/performance.md:
//   npx tsx bench/summary.ts bench/results/A.json [B.json …]
// One table of every scenario per report, then (with several reports) one
// table of CPU time per request by dataset size and database.
import { readFileSync } from 'node:fs';
import { processScaling, type Report, type ScenarioResult } from './lib/report.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npx tsx bench/summary.ts REPORT.json [REPORT.json …]');
  process.exit(1);
}
const reports = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Report);

const size = (r: Report) => `${(r.database.dataset.users / 1000).toLocaleString('en-GB')}k users`;
const label = (x: ScenarioResult) =>
  `${x.title}${x.security === 'off' ? ', security off' : ''}${(x.processes ?? 1) > 1 ? `, ${x.processes} processes` : ''}`;
const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined ? '—' : n.toFixed(digits));

for (const r of reports) {
  const d = r.database.dataset;
  console.log(
    `### ${r.database.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${d.users.toLocaleString('en-GB')} users, ${(d.counts.submissions ?? d.submissions).toLocaleString('en-GB')} submissions`,
  );
  console.log('');
  console.log(
    `${r.startedAt.slice(0, 16).replace('T', ' ')} UTC; ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}; ` +
      `${r.options.connections} connections, ${r.options.rounds} × ${r.options.durationSeconds} s per scenario (median round); ` +
      `load average ${r.machine.loadAverageAtStart[0]} at start, ${r.machine.loadAverageAtEnd?.[0] ?? '?'} at end.`,
  );
  console.log('');
  console.log('| scenario | req/s | p50 ms | p99 ms | CPU ms/req | peak RSS MB | of ceiling |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const x of r.results) {
    const m = x.measurement;
    if (!m) {
      console.log(`| ${label(x)} | skipped: ${x.skipped ?? ''} | | | | | |`);
      continue;
    }
    const ceiling = x.ofCeiling === undefined ? '' : `${(x.ofCeiling * 100).toFixed(1)}%`;
    console.log(
      `| ${label(x)} | ${m.requestsPerSecond} | ${m.latencyMs.p50} | ${m.latencyMs.p99} | ${fmt(m.cpuMsPerRequest, 3)} | ${fmt(m.peakRssMb)} | ${ceiling} |`,
    );
  }
  console.log('');
  if (r.securityCost.length) {
    console.log('| security layer cost | on req/s | off req/s | from req/s | on CPU ms | off CPU ms | from CPU |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const c of r.securityCost) {
      const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
      console.log(
        `| ${c.name} | ${c.on} | ${c.off} | ${pct(c.cost)} | ${fmt(c.cpuOn, 3)} | ${fmt(c.cpuOff, 3)} | ${pct(c.cpuCost)} |`,
      );
    }
    console.log('');
  }
  const scaling = processScaling(r.results);
  if (scaling.length) {
    console.log('| scenario | 1 process req/s | several req/s | ratio |');
    console.log('|---|---:|---:|---:|');
    for (const x of scaling) console.log(`| ${x.name} | ${x.one} | ${x.many} (${x.processes}) | ${x.ratio}× |`);
    console.log('');
  }
  const sized = r.results.filter((x) => x.bytes);
  if (sized.length) {
    console.log('| page | bytes without Accept-Encoding | bytes with it | encoding |');
    console.log('|---|---:|---:|---|');
    for (const x of sized)
      console.log(`| ${x.name} | ${x.bytes!.identity} | ${x.bytes!.compressed} | ${x.bytes!.encoding ?? 'none'} |`);
    console.log('');
  }
  console.log(
    'Budgets: ' + r.budgets.map((b) => `${b.ok ? '✓' : '✗'} ${b.name} ${b.value} (${b.limit})`).join('; ') + '.',
  );
  console.log('');
}

if (reports.length > 1) {
  // CPU per request (security on) by size, one column per report.
  const names = [...new Set(reports.flatMap((r) => r.results.filter((x) => x.security === 'on').map((x) => x.name)))];
  const cols = reports.map((r) => `${r.database.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${size(r)}`);
  console.log('### Server CPU time per request (ms), security on');
  console.log('');
  console.log(`| scenario | ${cols.join(' | ')} |`);
  console.log(`|---|${cols.map(() => '---:').join('|')}|`);
  for (const name of names) {
    const title = reports.flatMap((r) => r.results).find((x) => x.name === name)!.title;
    const cells = reports.map((r) =>
      fmt(
        r.results.find((x) => x.name === name && x.security === 'on' && (x.processes ?? 1) === 1)?.measurement
          ?.cpuMsPerRequest,
        3,
      ),
    );
    console.log(`| ${title} | ${cells.join(' | ')} |`);
  }
  console.log('');
}
