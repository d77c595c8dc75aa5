// One app instance as a deployment runs it: the real server (`src/server.ts`)
// in a process of its own, on its own port and its own upload directory,
// configured only through its environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts the server and resolves once it says it is running. */
export async function startInstance(name: string, port: number, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const end = Date.now() + 90_000;
  while (!/is running at/.test(out)) {
    if (child.exitCode !== null) throw new Error(`instance ${name} stopped at start:\n${out}`);
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`instance ${name} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, port, child, output: () => out, exited };
}
