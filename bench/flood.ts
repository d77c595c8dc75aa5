// npx tsx bench/flood.ts — one client posing as a quarter of a million
// addresses, against the in-memory rate-limit store.
//
// 1. Measures the heap one key of the in-memory store takes, per strategy.
// 2. Starts the real server as `npm start` runs it (its heap limit, the
//    production profile, the shipped limits, memory:// storage, one trusted
//    proxy hop) on a fresh SQLite database, and sends it --requests requests
//    over loopback, each with a new X-Forwarded-For address (IPv4, and every
//    other one an IPv6 address in its own /64), rotating over the home, login
//    and registration pages and an unknown address.
// 3. Samples the server's resident memory throughout, checks it is still
//    alive and answering, and prints the peak RSS with the evictions the
//    server logged. Exits 1 when the server died or the peak passed --max-rss.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig, RATELIMIT_STRATEGIES, type RateLimitStrategy } from '../src/config/index.js';
import { migrateToLatest, openDatabase } from '../src/db/index.js';
import { parseLimits } from '../src/security/ratelimit/grammar.js';
import { storageKey } from '../src/security/ratelimit/limiter.js';
import { memoryStore } from '../src/security/ratelimit/storage.js';
import { parse, positiveInt } from './lib/args.js';
import { rssMb, sampleRss, startServer } from './lib/child.js';

const USAGE = `usage: npx tsx bench/flood.ts [options]
  --requests N     requests, each from a new address (default 250000)
  --connections C  concurrent keep-alive connections (default 64)
  --strategy S     RATELIMIT_STRATEGY: ${RATELIMIT_STRATEGIES.join(', ')} (default fixed-window)
  --max-keys K     RATELIMIT_MEMORY_MAX_KEYS (default: the shipped default)
  --max-rss MB     fail when the server's peak resident memory passes this (default 350)
  --skip-measure   do not measure the bytes per key first`;

const production = loadConfig({ APP_ENV: 'production', SECRET_KEY: 'x'.repeat(40) });
const defaults = production.rateLimit;

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap bytes per key of the in-memory store, keys as the request hook makes them. */
async function bytesPerKey(strategy: RateLimitStrategy, keys: number): Promise<number> {
  const gc = gcFunction();
  const items = parseLimits(defaults.default);
  const clients = Array.from({ length: Math.ceil(keys / items.length) }, (_, i) =>
    storageKey('GET /', `ip:10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`),
  );
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = memoryStore(strategy, { maxKeys: clients.length * items.length });
  for (const key of clients) for (const item of items) await store.hit(key, item);
  gc();
  gc();
  const held = store.memoryStats!()!.keys;
  const bytes = (process.memoryUsage().heapUsed - before) / held;
  await store.close();
  return Math.round(bytes);
}

function address(i: number): string {
  if (i % 2 === 1) {
    // A /64 of its own: 2001:db8:hhhh:hhhh::1
    const n = i >>> 1;
    return `2001:db8:${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}::1`;
  }
  const n = (i >>> 1) + 1;
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const PATHS = ['/', '/login', '/register', '/no-such-page'];

function get(agent: http.Agent, port: number, path: string, forwardedFor: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        method: 'GET',
        headers: { 'x-forwarded-for': forwardedFor, 'x-forwarded-proto': 'https', host: 'maths.example.org' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const args = parse({
    requests: { type: 'string' },
    connections: { type: 'string' },
    strategy: { type: 'string' },
    'max-keys': { type: 'string' },
    'max-rss': { type: 'string' },
    'skip-measure': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const requests = positiveInt('requests', args.requests, 250_000);
  const connections = positiveInt('connections', args.connections, 64);
  const maxRss = positiveInt('max-rss', args['max-rss'], 350);
  const strategy = (args.strategy ?? 'fixed-window') as RateLimitStrategy;
  if (!RATELIMIT_STRATEGIES.includes(strategy))
    throw new Error(`--strategy must be one of ${RATELIMIT_STRATEGIES.join(', ')}`);
  const maxKeys = args['max-keys'] ?? String(defaults.memoryMaxKeys);

  if (!args['skip-measure']) {
    console.log('heap per key of the in-memory store (100 000 keys):');
    for (const s of RATELIMIT_STRATEGIES) console.log(`  ${s.padEnd(24)} ${await bytesPerKey(s, 100_000)} bytes`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'mathsoc-flood-'));
  const dbFile = join(dir, 'flood.db');
  const logFile = join(dir, 'server.log');
  const handle = openDatabase({ dialect: 'sqlite', url: dbFile, name: 'flood' });
  await migrateToLatest(handle.db);
  await handle.close();

  const server = await startServer('server.ts', {
    BENCH_DATABASE_URL: `sqlite:${dbFile}`,
    BENCH_SERVER_LOG: logFile,
    BENCH_LOG_LEVEL: 'warn',
    // The shipped limits (the benchmark's own raised ones are for page speed).
    BENCH_SETTINGS: JSON.stringify({
      RATELIMIT_DEFAULT: defaults.default,
      RATELIMIT_DEFAULT_AUTHENTICATED: defaults.defaultAuthenticated,
      RATELIMIT_LOGIN: defaults.login,
      RATELIMIT_LOGIN_ACCOUNT: defaults.loginAccountFailures,
      RATELIMIT_STORAGE_URI: 'memory://',
      RATELIMIT_STRATEGY: strategy,
      RATELIMIT_MEMORY_MAX_KEYS: maxKeys,
      PROXY_FIX_X_FOR: '1',
      PROXY_FIX_X_PROTO: '1',
      PUBLIC_CACHE_SECONDS: '5',
      SECRET_KEY: randomBytes(32).toString('hex'),
    }),
  });
  let died = false;
  server.child.once('exit', () => {
    died = true;
  });
  console.log(
    `server pid ${server.pid} on port ${server.port}: ${requests} requests, ${connections} connections, ` +
      `${strategy}, RATELIMIT_MEMORY_MAX_KEYS=${maxKeys}, ${production.math.workers} math worker(s) (each adds to RSS)`,
  );

  const rss = sampleRss(server.pid, 100);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const statuses = new Map<number, number>();
  let errors = 0;
  let next = 0;
  const started = Date.now();
  let lastReport = started;
  const worker = async () => {
    while (!died) {
      const i = next++;
      if (i >= requests) return;
      try {
        const status = await get(agent, server.port, PATHS[i % PATHS.length]!, address(i));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      } catch {
        errors++;
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        console.log(`  ${i} sent, RSS ${rssMb(server.pid) ?? '?'} MB`);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (Date.now() - started) / 1000;
  const alive = !died && (await get(agent, server.port, '/health', '192.0.2.1').catch(() => 0)) === 200;
  const peakSampled = rss.stop();
  const peakKernel = rssMb(server.pid, 'VmHWM');
  agent.destroy();
  await server.stop();

  const evictionLines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('rate-limit store full'));
  const evicted = evictionLines
    .map((l) => (JSON.parse(l) as { evicted?: number }).evicted ?? 0)
    .reduce((a, b) => a + b, 0);
  rmSync(dir, { recursive: true, force: true });

  const peak = Math.max(peakSampled ?? 0, peakKernel ?? 0);
  console.log(
    `\n${requests} requests in ${seconds.toFixed(1)} s (${Math.round(requests / seconds)}/s); ` +
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}; connection errors ${errors}`,
  );
  console.log(`server alive and answering afterwards: ${alive ? 'yes' : 'NO'}`);
  console.log(
    `peak RSS: ${peak} MB (sampled ${peakSampled ?? '?'} MB, kernel high-water mark ${peakKernel ?? '?'} MB); limit ${maxRss} MB`,
  );
  console.log(`log: ${evictionLines.length} "rate-limit store full" lines, ${evicted} keys evicted in all`);
  for (const line of evictionLines.slice(0, 3)) console.log(`  ${(JSON.parse(line) as { msg: string }).msg}`);
  if (!alive || peak > maxRss) {
    console.error('FAILED');
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
