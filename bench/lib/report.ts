// The benchmark report: the JSON written to bench/results/ and the table
// printed at the end, with the budgets of docs/performance.md checked.
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { DatasetMarker } from './target.js';
import type { Measurement } from './load.js';
import type { PageBytes, ScenarioName } from './scenarios.js';

export interface ScenarioResult {
  name: ScenarioName | 'ceiling';
  title: string;
  security: 'on' | 'off' | 'n/a';
  /** Server processes (WEB_CONCURRENCY) of the measured server; 1 when absent. */
  processes?: number;
  method: string;
  path: string;
  /** Set when the scenario could not run (page missing, unexpected status). */
  skipped?: string;
  measurement?: Measurement;
  /** requests/s of every round, when measured more than once (the median round is `measurement`). */
  rounds?: number[];
  /** requests/s as a fraction of the hello-world ceiling. */
  ofCeiling?: number;
  notes?: string[];
  /** The page's size as sent, without and with compression. */
  bytes?: PageBytes;
}

export interface Budget {
  name: string;
  limit: string;
  value: string;
  ok: boolean;
}

export interface Report {
  startedAt: string;
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    kernel: string;
    /** 1, 5 and 15-minute load averages: other work on the machine skews every figure. */
    loadAverageAtStart: number[];
    loadAverageAtEnd?: number[];
  };
  database: { dialect: 'sqlite' | 'postgres'; description: string; dataset: DatasetMarker };
  options: {
    connections: number;
    durationSeconds: number;
    warmupSeconds: number;
    rounds: number;
    /** --processes: the several-process server measured next to the one-process one (1: none). */
    processes?: number;
    settings: Record<string, string>;
  };
  results: ScenarioResult[];
  /**
   * Per anonymous page: requests/s with the security layer on and off and the
   * share of throughput it takes; and the same from the server's CPU time per
   * request (1 − cpuOff / cpuOn), which is what throughput comes to when the
   * server is CPU-bound, and which other work on the machine disturbs far less.
   */
  securityCost: Array<{
    name: ScenarioName;
    on: number;
    off: number;
    cost: number;
    cpuOn: number | null;
    cpuOff: number | null;
    cpuCost: number | null;
  }>;
  /** The highest resident memory of any one server process. */
  peakRssMb: number | null;
  budgets: Budget[];
}

const processesOf = (r: ScenarioResult) => r.processes ?? 1;

/** The pages whose throughput must rise with a second process (docs/performance.md). */
const SCALING_PAGES: ScenarioName[] = ['home', 'challenges', 'challenge', 'leaderboard'];

/** Per page measured both ways: requests/s with one process and with N, and the ratio. */
export function processScaling(
  results: ScenarioResult[],
): Array<{ name: ScenarioName; processes: number; one: number; many: number; ratio: number }> {
  const out = [];
  for (const one of results) {
    if (one.security !== 'on' || processesOf(one) !== 1 || !one.measurement || one.name === 'ceiling') continue;
    const many = results.find((r) => r.name === one.name && r.security === 'on' && processesOf(r) > 1 && r.measurement);
    if (!many?.measurement) continue;
    const a = one.measurement.requestsPerSecond;
    const b = many.measurement.requestsPerSecond;
    out.push({
      name: one.name,
      processes: processesOf(many),
      one: a,
      many: b,
      ratio: a > 0 ? Math.round((b / a) * 100) / 100 : 0,
    });
  }
  return out;
}

export const loadAverage = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);

export function machine(): Report['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    kernel: release(),
    loadAverageAtStart: loadAverage(),
  };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** Security cost per anonymous page: how much throughput the layer takes away. */
export function securityCost(results: ScenarioResult[]): Report['securityCost'] {
  const out: Report['securityCost'] = [];
  for (const on of results) {
    if (on.security !== 'on' || processesOf(on) !== 1 || !on.measurement || on.name === 'ceiling') continue;
    const off = results.find((r) => r.name === on.name && r.security === 'off' && r.measurement);
    if (!off?.measurement) continue;
    const a = on.measurement.requestsPerSecond;
    const b = off.measurement.requestsPerSecond;
    const cpuOn = on.measurement.cpuMsPerRequest;
    const cpuOff = off.measurement.cpuMsPerRequest;
    out.push({
      name: on.name,
      on: a,
      off: b,
      cost: b > 0 ? Math.round(((b - a) / b) * 1000) / 1000 : 0,
      cpuOn,
      cpuOff,
      cpuCost: cpuOn && cpuOff !== null ? Math.round((1 - cpuOff / cpuOn) * 1000) / 1000 : null,
    });
  }
  return out;
}

export function budgets(report: Omit<Report, 'budgets'>): Budget[] {
  const out: Budget[] = [];
  // The latency budget is judged on the server as deployed: the several-process one when measured.
  const most = Math.max(1, ...report.results.map(processesOf));
  const measured = report.results.filter(
    (r) => r.security === 'on' && processesOf(r) === most && r.measurement && r.name !== 'ceiling',
  );
  const pages = measured.filter((r) => r.name !== 'health');
  if (pages.length) {
    const worst = pages.reduce((a, b) => (b.measurement!.latencyMs.p99 > a.measurement!.latencyMs.p99 ? b : a));
    out.push({
      name: `every page p99 at ${report.options.connections} connections${most > 1 ? `, ${most} processes` : ''}`,
      limit: '< 50 ms',
      value: `${worst.measurement!.latencyMs.p99} ms (worst: ${worst.name})`,
      ok: pages.every((r) => r.measurement!.latencyMs.p99 < 50),
    });
  }
  const scaling = processScaling(report.results).filter((x) => SCALING_PAGES.includes(x.name));
  if (scaling.length) {
    const worst = scaling.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    out.push({
      name: `throughput, ${worst.processes} processes vs 1 (${scaling.map((x) => x.name).join(', ')})`,
      limit: '≥ 1.6×',
      value: `${worst.ratio}× (worst: ${worst.name})`,
      ok: scaling.every((x) => x.ratio >= 1.6),
    });
  }
  const board = report.results.find(
    (r) => r.name === 'leaderboard' && r.security === 'on' && processesOf(r) === 1 && r.measurement,
  );
  if (board && report.database.dialect === 'sqlite') {
    out.push({
      name: 'leaderboard throughput (SQLite)',
      limit: '≥ 2000 req/s',
      value: `${board.measurement!.requestsPerSecond} req/s`,
      ok: board.measurement!.requestsPerSecond >= 2000,
    });
  }
  // Pages only: /health does no work of its own, so any fixed cost is a large share of it.
  // Judged on CPU time per request where it was measured: requests/s of two
  // separate runs differ by more than the layer costs when the machine is shared.
  const pageCosts = report.securityCost.filter((c) => c.name !== 'health');
  if (pageCosts.length) {
    const costOf = (c: (typeof pageCosts)[number]) => c.cpuCost ?? c.cost;
    const worst = pageCosts.reduce((a, b) => (costOf(b) > costOf(a) ? b : a));
    const basis = worst.cpuCost !== null ? 'server CPU per request' : 'requests/s';
    out.push({
      name: 'cost of the security layer (pages)',
      limit: '< 30% of throughput',
      value: `${pct(costOf(worst))} (worst: ${worst.name}; from ${basis})`,
      ok: pageCosts.every((c) => costOf(c) < 0.3),
    });
  }
  if (report.peakRssMb !== null) {
    out.push({
      name: 'peak resident memory per server process',
      limit: '< 300 MB',
      value: `${report.peakRssMb} MB`,
      ok: report.peakRssMb < 300,
    });
  }
  return out;
}

const modeOf = (r: ScenarioResult) => (processesOf(r) > 1 ? `${r.security} ×${processesOf(r)}` : r.security);

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

export function formatTable(report: Report): string {
  const lines: string[] = [];
  const head = `${pad('scenario', 38)} ${pad('security', 8)} ${pad('req/s', 8, true)} ${pad('p50 ms', 7, true)} ${pad('p99 ms', 7, true)} ${pad('CPU ms', 7, true)} ${pad('RSS MB', 7, true)} ${pad('ceiling', 8, true)}  notes`;
  lines.push(head, '-'.repeat(head.length + 8));
  for (const r of report.results) {
    if (!r.measurement) {
      lines.push(`${pad(r.title, 38)} ${pad(modeOf(r), 8)} ${pad('—', 8, true)}  skipped: ${r.skipped ?? ''}`);
      continue;
    }
    const m = r.measurement;
    const bad = Object.entries(m.unexpected).map(([code, n]) => `${n}×${code}`);
    if (m.errors) bad.push(`${m.errors} errors`);
    if (m.timeouts) bad.push(`${m.timeouts} timeouts`);
    const notes = [...(r.notes ?? []), ...(bad.length ? [`unexpected: ${bad.join(', ')}`] : [])].join('; ');
    const cpu = m.cpuMsPerRequest === null ? '?' : m.cpuMsPerRequest.toFixed(3);
    lines.push(
      `${pad(r.title, 38)} ${pad(modeOf(r), 8)} ${pad(String(m.requestsPerSecond), 8, true)} ${pad(String(m.latencyMs.p50), 7, true)} ${pad(String(m.latencyMs.p99), 7, true)} ${pad(cpu, 7, true)} ${pad(String(m.peakRssMb ?? '?'), 7, true)} ${pad(r.ofCeiling === undefined ? '' : pct(r.ofCeiling), 8, true)}  ${notes}`,
    );
  }
  const scaling = processScaling(report.results);
  if (scaling.length) {
    lines.push('', 'One process vs several (requests/s):');
    for (const x of scaling)
      lines.push(`  ${pad(x.name, 12)} 1 process ${x.one}, ${x.processes} processes ${x.many} → ${x.ratio}×`);
  }
  const sized = report.results.filter((r) => r.bytes);
  if (sized.length) {
    lines.push('', "Bytes per page as sent (without Accept-Encoding → with the browser's):");
    for (const r of sized) {
      const b = r.bytes!;
      lines.push(
        `  ${pad(r.name, 12)} ${b.identity} → ${b.compressed}${b.encoding ? ` (${b.encoding})` : ' (not compressed)'}`,
      );
    }
  }
  if (report.securityCost.length) {
    lines.push('', 'Cost of the security layer (anonymous pages, throughput on vs off):');
    for (const c of report.securityCost) {
      const cpu =
        c.cpuCost === null ? '' : `; CPU per request on ${c.cpuOn} ms, off ${c.cpuOff} ms → ${pct(c.cpuCost)}`;
      lines.push(`  ${pad(c.name, 12)} on ${c.on} req/s, off ${c.off} req/s → ${pct(c.cost)}${cpu}`);
    }
  }
  if (report.budgets.length) {
    lines.push('', 'Budgets:');
    for (const b of report.budgets) lines.push(`  ${b.ok ? '✓' : '✗'} ${b.name}: ${b.value} (budget ${b.limit})`);
  }
  return lines.join('\n');
}
