// npm run bench — load test of the real app in the production profile.
//
// 1. Makes sure the benchmark database holds a dataset of the asked size
//    (generates it when missing or of another size; see bench/data.ts).
// 2. Measures a bare Fastify hello-world on this machine: the ceiling.
// 3. Starts the app twice (bench/server.ts, child processes): with the
//    security layer on, and off; runs every scenario against the first with
//    autocannon, each anonymous page right after against the second. With
//    --processes N, a third server of N processes (as WEB_CONCURRENCY=N runs)
//    takes every scenario right after the one-process server.
// 4. Prints requests/s, p50/p99 latency, peak RSS and the fraction of the
//    ceiling per scenario, checks the budgets and writes a JSON report to
//    bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { positiveInt, parse } from './lib/args.js';
import { rssMb, startServer, type RunningServer } from './lib/child.js';
import { generateDataset } from './lib/dataset.js';
import { cleanUpFixtures, prepareFixtures, recordedTries } from './lib/fixtures.js';
import { measure, median, type LoadOptions, type Measurement } from './lib/load.js';
import {
  budgets,
  formatTable,
  loadAverage,
  machine,
  securityCost,
  type Report,
  type ScenarioResult,
} from './lib/report.js';
import {
  buildScenarios,
  pageBytes,
  probe,
  SCENARIO_ORDER,
  visitorCookies,
  type AnswerProgress,
  type Scenario,
  type ScenarioName,
} from './lib/scenarios.js';
import { benchDatabase, describeDatabase, existingDataset } from './lib/target.js';

const USAGE = `usage: npm run bench -- [options]
  --users N          dataset size (default: the existing dataset, else 100000)
  --submissions M    dataset size (default: the existing dataset, else 20 per user)
  --regenerate       generate the dataset again even if it has the asked size
  --connections C    concurrent connections (default 50)
  --duration S       seconds measured per scenario (default 10)
  --warmup S         seconds of unrecorded warm-up per scenario (default 3)
  --only a,b         scenarios to run: ${SCENARIO_ORDER.join(', ')}
  --rounds R         measure each scenario R times and report the median round (default 1)
  --skip-security-off  do not measure the anonymous pages again with the security layer off
  --skip-ceiling     do not measure the hello-world ceiling
  --submitters N     fresh students for the answer scenario (default 300)
  --server-log FILE  where the server's log goes (default /dev/null; production log level "info")
  --config KEY=VALUE a setting for the measured server, as in .env (repeatable), e.g. PUBLIC_CACHE_SECONDS=0
 --processes N      also measure every scenario on a server of N processes (WEB_CONCURRENCY=N) and compare
  --cpu-prof DIR     write the measured servers' CPU profiles (.cpuprofile, one per thread) into DIR
  --out FILE         report path (default bench/results/bench-<time>-<dialect>.json)
Database: DATABASE_URL (default sqlite:./data/bench.db; a PostgreSQL database name must contain "bench" or "test").`;

/** A measured server: security layer on or off, one process or several. */
interface Mode {
  key: string;
  security: 'on' | 'off';
  processes: number;
}

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

function log(line: string): void {
  console.log(line);
}

async function main(): Promise<void> {
  const args = parse({
    users: { type: 'string' },
    submissions: { type: 'string' },
    regenerate: { type: 'boolean' },
    connections: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    only: { type: 'string' },
    rounds: { type: 'string' },
    'skip-security-off': { type: 'boolean' },
    'skip-ceiling': { type: 'boolean' },
    submitters: { type: 'string' },
    'server-log': { type: 'string' },
    config: { type: 'string', multiple: true },
    'cpu-prof': { type: 'string' },
    processes: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (args.help) {
    log(USAGE);
    return;
  }
  const load: LoadOptions = {
    connections: positiveInt('connections', args.connections, 50),
    durationSeconds: positiveInt('duration', args.duration, 10),
    warmupSeconds: positiveInt('warmup', args.warmup, 3, 0),
  };
  const roundCount = positiveInt('rounds', args.rounds, 1);
  const processes = positiveInt('processes', args.processes, 1);
  const settings: Record<string, string> = {};
  for (const pair of args.config ?? []) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!m) throw new Error(`--config "${pair}" should look like KEY=VALUE`);
    settings[m[1]!] = m[2]!;
  }
  const only = args.only
    ? args.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [...SCENARIO_ORDER];
  for (const name of only) {
    if (!SCENARIO_ORDER.includes(name as ScenarioName))
      throw new Error(`--only: unknown scenario "${name}" (known: ${SCENARIO_ORDER.join(', ')})`);
  }
  const startedAt = new Date().toISOString();
  const machineInfo = machine();

  // ------------------------------------------------------------ dataset
  const db = benchDatabase();
  let dataset = await existingDataset(db);
  const users = args.users ? positiveInt('users', args.users, 0, 10) : (dataset?.users ?? 100_000);
  const submissions = args.submissions
    ? positiveInt('submissions', args.submissions, 0, 0)
    : args.users || !dataset
      ? users * 20
      : dataset.submissions;
  if (!dataset || args.regenerate || dataset.users !== users || dataset.submissions !== submissions) {
    log(
      `Generating the dataset: ${users.toLocaleString('en-GB')} users, ${submissions.toLocaleString('en-GB')} submissions → ${describeDatabase(db)}`,
    );
    dataset = await generateDataset(db, { users, submissions, log: (l) => log(`  ${l}`) });
  } else {
    log(
      `Dataset: ${dataset.users.toLocaleString('en-GB')} users, ${dataset.counts.submissions?.toLocaleString('en-GB')} submissions in ${describeDatabase(db)} (generated ${dataset.generatedAt})`,
    );
  }
  const databaseUrl = db.dialect === 'sqlite' ? `sqlite:${db.url}` : db.url;

  // ------------------------------------------------------------ fixtures
  const fixtures = await prepareFixtures(db, {
    sessions: Math.max(load.connections * 2, 20),
    submitters: positiveInt('submitters', args.submitters, 300),
  });
  const results: ScenarioResult[] = [];
  let peakRss: number | null = null;
  const notePeak = (mb: number | null) => {
    if (mb !== null && (peakRss === null || mb > peakRss)) peakRss = mb;
  };

  try {
    // ---------------------------------------------------------- ceiling
    let ceiling: number | null = null;
    if (!args['skip-ceiling']) {
      const hello = await startServer('hello.ts');
      try {
        log(`Ceiling: bare Fastify hello-world (${load.connections} connections, ${load.durationSeconds} s)…`);
        const rounds: Measurement[] = [];
        for (let r = 0; r < roundCount; r++) {
          rounds.push(
            await measure(
              hello.port,
              hello.pid,
              {
                method: 'GET',
                path: '/',
                headers: { 'x-forwarded-proto': 'https' },
                expectStatus: 200,
              },
              load,
            ),
          );
        }
        const m = median(rounds);
        ceiling = m.requestsPerSecond;
        results.push({
          name: 'ceiling',
          title: 'Fastify hello-world (ceiling)',
          security: 'n/a',
          method: 'GET',
          path: '/',
          measurement: m,
          ofCeiling: 1,
          ...(roundCount > 1 ? { rounds: rounds.map((x) => x.requestsPerSecond) } : {}),
        });
        log(`  ${m.requestsPerSecond} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms`);
      } finally {
        await hello.stop();
      }
    }

    // ---------------------------------------------------------- the app
    // Both servers run side by side (the idle one costs no CPU), and each page is
    // measured with the security layer on and then at once off, so that the
    // comparison is not skewed by whatever else the machine does in between.
    const modes: Mode[] = [{ key: 'on', security: 'on', processes: 1 }];
    if (!args['skip-security-off']) modes.push({ key: 'off', security: 'off', processes: 1 });
    if (processes > 1) modes.push({ key: `on ×${processes}`, security: 'on', processes });
    const servers = new Map<Mode, RunningServer>();
    try {
      for (const mode of modes) {
        servers.set(
          mode,
          await startServer(
            'server.ts',
            {
              BENCH_DATABASE_URL: databaseUrl,
              BENCH_SECURITY: mode.security,
              BENCH_PROCESSES: String(mode.processes),
              BENCH_SERVER_LOG: args['server-log'] ?? '/dev/null',
              BENCH_SETTINGS: JSON.stringify(settings),
            },
            args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args['cpu-prof'])}`] : [],
          ),
        );
      }
      const built = new Map<Mode, ReturnType<typeof buildScenarios>>();
      const answerPlan: AnswerProgress = { sent: 0, planned: fixtures.plan.length };
      for (const [mode, server] of servers) {
        const students = await server.sessions(fixtures.studentIds);
        const submitters = await server.sessions(fixtures.submitterIds);
        built.set(mode, buildScenarios(fixtures, students, submitters, await visitorCookies(server.port), answerPlan));
        const memory = server.pids.map((pid) => `${rssMb(pid)} MB`).join(' + ');
        log(`App, security ${mode.key}: pid ${server.pids.join(', ')}, ${memory} after start`);
      }
      for (const name of SCENARIO_ORDER.filter((n) => only.includes(n))) {
        // The modes this page is measured in, each checked with one request first.
        const runs: Array<{
          mode: Mode;
          server: RunningServer;
          s: Scenario;
          row: ScenarioResult;
          rounds: Measurement[];
          progress: AnswerProgress;
          /** Answer requests this server was sent (the plan is shared by the servers). */
          sent: number;
          /** Tries recorded while this server was measured (answer scenario). */
          recorded: number;
        }> = [];
        for (const mode of modes) {
          const server = servers.get(mode)!;
          const { scenarios, answerProgress } = built.get(mode)!;
          const s = scenarios.find((x: Scenario) => x.name === name)!;
          if (mode.security === 'off' && !s.compareSecurity) continue;
          const row: ScenarioResult = {
            name: s.name,
            title: s.title,
            security: mode.security,
            processes: mode.processes,
            method: s.spec.method,
            path: s.spec.path,
          };
          results.push(row);
          const check = await probe(server.port, s.spec);
          if (!check.ok) {
            row.skipped = `answered ${check.status}, expected ${s.spec.expectStatus}`;
            log(`  ${s.title}, security ${mode.key}: skipped (${row.skipped})`);
            continue;
          }
          // The page's size as sent with and without compression (once, on the one-process server).
          if (mode.key === 'on' && s.spec.method === 'GET') row.bytes = await pageBytes(server.port, s.spec);
          runs.push({ mode, server, s, row, rounds: [], progress: answerProgress, sent: 0, recorded: 0 });
        }
        // Round by round, on then off, so both modes see the same machine.
        for (let round = 0; round < roundCount; round++) {
          for (const run of runs) {
            const before = run.progress.sent;
            const answering = run.s.name === 'answer';
            const recordedBefore = answering ? await recordedTries(db, fixtures.submitterIds) : 0;
            run.rounds.push(await measure(run.server.port, run.server.pids, run.s.spec, load));
            run.sent += run.progress.sent - before;
            if (answering) run.recorded += (await recordedTries(db, fixtures.submitterIds)) - recordedBefore;
          }
        }
        for (const { mode, s, row, rounds, progress, sent, recorded } of runs) {
          const m = median(rounds);
          row.measurement = m;
          if (roundCount > 1) row.rounds = rounds.map((x) => x.requestsPerSecond);
          if (ceiling) row.ofCeiling = Math.round((m.requestsPerSecond / ceiling) * 1000) / 1000;
          for (const x of rounds) notePeak(x.peakRssMb);
          if (s.name === 'answer') {
            row.notes = [`${recorded} tries graded and recorded`];
            if (progress.sent > progress.planned)
              row.notes.push(
                `plan of ${progress.planned} tries exhausted after ${sent} requests: later requests hit closed boxes (use --submitters)`,
              );
          }
          const odd = Object.keys(m.unexpected).length ? ` (unexpected statuses: ${JSON.stringify(m.unexpected)})` : '';
          log(
            `  ${s.title}, security ${mode.key}: ${m.requestsPerSecond} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, RSS ${m.peakRssMb} MB${odd}`,
          );
        }
      }
      for (const server of servers.values()) for (const pid of server.pids) notePeak(rssMb(pid, 'VmHWM'));
    } finally {
      for (const server of servers.values()) await server.stop();
    }
  } finally {
    await cleanUpFixtures(db);
  }

  // ------------------------------------------------------------ report
  const partial: Omit<Report, 'budgets'> = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...machineInfo, loadAverageAtEnd: loadAverage() },
    database: { dialect: db.dialect, description: describeDatabase(db), dataset },
    options: { ...load, rounds: roundCount, processes, settings },
    results,
    securityCost: securityCost(results),
    peakRssMb: peakRss,
  };
  const report: Report = { ...partial, budgets: budgets(partial) };
  const out = args.out ?? join(RESULTS_DIR, `bench-${startedAt.replace(/[:.]/g, '-')}-${db.dialect}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  log('');
  log(
    `${machineInfo.cpus} × ${machineInfo.cpuModel}, ${machineInfo.memoryGb} GB, Node ${machineInfo.node}, load average ${machineInfo.loadAverageAtStart.join(' ')} at start; ${describeDatabase(db)}: ${dataset.users.toLocaleString('en-GB')} users, ${(dataset.counts.submissions ?? 0).toLocaleString('en-GB')} submissions; ${load.connections} connections, ${load.durationSeconds} s per scenario`,
  );
  log(formatTable(report));
  log('');
  log(`Report: ${relative(process.cwd(), out) || out}`);
  // A page that did not answer as expected was not measured: that is a broken run, not a figure.
  const skipped = results.filter((r) => r.skipped);
  if (skipped.length) {
    console.error(
      `bench: ${skipped.length} scenario run(s) skipped: ${skipped.map((r) => `${r.name} (security ${r.security}): ${r.skipped}`).join('; ')}`,
    );
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
