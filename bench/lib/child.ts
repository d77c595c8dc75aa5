// Server child processes: started with Node and tsx's loader directly (so the
// pid we hold is the server's own process, whose memory we read) and the Node
// options of `npm start`, awaited until they listen, asked for sessions, and
// stopped.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchSession, ServerMessage } from '../server.js';

export interface RunningServer {
  port: number;
  pid: number;
  /** The processes that serve requests: [pid] for one process, the workers for several. */
  pids: number[];
  child: ChildProcess;
  /** Last lines the process wrote to stderr/stdout (shown when it fails). */
  output(): string;
  sessions(userIds: number[]): Promise<BenchSession[]>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

function benchFile(name: string): string {
  return fileURLToPath(new URL(`../${name}`, import.meta.url));
}

/**
 * The Node options `npm start` gives the server (e.g. its heap limit), read
 * from package.json, so the benchmark runs the server exactly as deployed.
 */
function startOptions(): string[] {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return (pkg.scripts?.start ?? '').split(/\s+/).filter((t) => /^--[a-z][a-z0-9-]*(=\S+)?$/.test(t));
}

export async function startServer(
  script: 'server.ts' | 'hello.ts',
  env: Record<string, string> = {},
  /** Extra Node options, e.g. ['--cpu-prof', '--cpu-prof-dir=DIR'] to profile the server. */
  nodeOptions: string[] = [],
): Promise<RunningServer> {
  const child = fork(benchFile(script), [], {
    execArgv: ['--import', 'tsx', ...(script === 'server.ts' ? startOptions() : []), ...nodeOptions],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const pending: Array<(m: ServerMessage) => void> = [];
  child.on('message', (m: ServerMessage) => pending.shift()?.(m));
  const next = (what: string, timeoutMs: number) =>
    new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script}: no ${what} within ${timeoutMs / 1000} s\n${output}`)),
        timeoutMs,
      );
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited (code ${code}) while waiting for ${what}\n${output}`));
      };
      child.once('exit', onExit);
      pending.push((m) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        if (m.type === 'error') reject(new Error(`${script}: ${m.message}\n${output}`));
        else resolve(m);
      });
    });

  const ready = await next('ready message', START_TIMEOUT_MS);
  if (ready.type !== 'ready') throw new Error(`${script}: unexpected message ${ready.type}`);
  return {
    port: ready.port,
    pid: ready.pid,
    pids: ready.pids,
    child,
    output: () => output,
    async sessions(userIds) {
      const reply = next('sessions', START_TIMEOUT_MS);
      child.send({ type: 'sessions', userIds });
      const m = await reply;
      if (m.type !== 'sessions') throw new Error(`${script}: unexpected message ${m.type}`);
      return m.sessions;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident memory of a process in MB (VmRSS), or null when it cannot be read (not Linux, gone). */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU time a process has used so far (all its threads: the event loop, the
 * math workers, the garbage collector), in milliseconds, or null off Linux.
 */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

/** Samples VmRSS every `everyMs` until stopped; returns the peak seen. */
export function sampleRss(pid: number, everyMs = 50): { stop(): number | null } {
  let peak: number | null = rssMb(pid);
  const timer = setInterval(() => {
    const now = rssMb(pid);
    if (now !== null && (peak === null || now > peak)) peak = now;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const last = rssMb(pid);
      if (last !== null && (peak === null || last > peak)) peak = last;
      return peak;
    },
  };
}
