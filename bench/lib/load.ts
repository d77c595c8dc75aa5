// One measurement: autocannon against a running server (a warm-up first, not
// recorded), the server's resident memory sampled from /proc meanwhile.
import autocannon from 'autocannon';
import { cpuMs, sampleRss } from './child.js';

/** What a virtual client sends; `next()` gives each request its own headers/body when set. */
export interface LoadSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** Per-request variation (session cookie, form body); static requests when absent. */
  next?: () => { headers?: Record<string, string>; body?: string; path?: string };
  /** The status every response should have. */
  expectStatus: number;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface Measurement {
  requestsPerSecond: number;
  requests: number;
  latencyMs: { p50: number; p90: number; p99: number; average: number; max: number };
  /** Responses with another status than expected, by status. */
  unexpected: Record<string, number>;
  errors: number;
  timeouts: number;
  throughputKBps: number;
  /** The highest resident memory of any one serving process. */
  peakRssMb: number | null;
  /**
   * Server CPU time per request in ms (all its threads and processes): what a request costs,
   * much less sensitive than requests/s to other work on the machine.
   */
  cpuMsPerRequest: number | null;
}

function autocannonOptions(port: number, spec: LoadSpec, opts: LoadOptions, seconds: number): autocannon.Options {
  const base: autocannon.Options = {
    url: `http://127.0.0.1:${port}`,
    connections: opts.connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
  };
  if (!spec.next) {
    return { ...base, url: `${base.url}${spec.path}`, method: spec.method, headers: spec.headers };
  }
  const next = spec.next;
  return {
    ...base,
    requests: [
      {
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
        setupRequest: (req) => {
          const v = next();
          return { ...req, path: v.path ?? req.path, headers: { ...spec.headers, ...v.headers }, body: v.body };
        },
      },
    ],
  };
}

/** CPU time of all the processes together, or null when one cannot be read. */
function totalCpuMs(pids: number[]): number | null {
  let sum = 0;
  for (const pid of pids) {
    const ms = cpuMs(pid);
    if (ms === null) return null;
    sum += ms;
  }
  return sum;
}

/** `pids`: the processes serving the port (one, or the workers of a several-process server). */
export async function measure(
  port: number,
  pids: number | number[],
  spec: LoadSpec,
  opts: LoadOptions,
): Promise<Measurement> {
  const list = Array.isArray(pids) ? pids : [pids];
  if (opts.warmupSeconds > 0) await autocannon(autocannonOptions(port, spec, opts, opts.warmupSeconds));
  const samplers = list.map((pid) => sampleRss(pid));
  const cpuBefore = totalCpuMs(list);
  const result = await autocannon(autocannonOptions(port, spec, opts, opts.durationSeconds));
  const cpuAfter = totalCpuMs(list);
  const peaks = samplers.map((s) => s.stop()).filter((mb): mb is number => mb !== null);
  const peakRssMb = peaks.length ? Math.max(...peaks) : null;
  const unexpected: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    if (Number(code) !== spec.expectStatus) unexpected[code] = (stat as { count: number }).count;
  }
  return {
    requestsPerSecond: Math.round(result.requests.average),
    requests: result.requests.total,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      average: Math.round(result.latency.average * 100) / 100,
      max: result.latency.max,
    },
    unexpected,
    errors: result.errors,
    timeouts: result.timeouts,
    throughputKBps: Math.round(result.throughput.average / 1024),
    peakRssMb,
    cpuMsPerRequest:
      cpuBefore !== null && cpuAfter !== null && result.requests.total > 0
        ? Math.round(((cpuAfter - cpuBefore) / result.requests.total) * 1000) / 1000
        : null,
  };
}

/**
 * The round with the median throughput (its latencies and memory go with it),
 * with the median CPU cost per request of all rounds.
 */
export function median(rounds: Measurement[]): Measurement {
  const sorted = [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const cpu = rounds
    .map((r) => r.cpuMsPerRequest)
    .filter((c): c is number => c !== null)
    .sort((a, b) => a - b);
  return { ...mid, cpuMsPerRequest: cpu.length ? cpu[Math.floor((cpu.length - 1) / 2)]! : null };
}
