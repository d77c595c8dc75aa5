// `npm run build` and `npm start` on a copy of the project, as an operator
// uses them: the server runs from the compiled build (dist/), and a second
// build made while it runs (new stylesheet, new script) never makes one of the
// files the running server names answer anything but 200, during the build or
// after it. The build after next removes them; `npm start` builds only when a
// source is newer than the build.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const COPIED = ['src', 'client', 'public', 'scripts', 'bin', 'package.json', 'package-lock.json', 'tsconfig.json'];

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A group of its own, so that stopping `npm start` stops the server npm started too.
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function build(dir: string): Promise<string> {
  const p = run(dir, 'npm', ['run', 'build']);
  const code = await p.exited;
  expect(code, p.output()).toBe(0);
  return p.output();
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForLine(p: Proc, pattern: RegExp, ms = 60_000): Promise<RegExpExecArray> {
  const end = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(p.output());
    if (match) return match;
    if (p.child.exitCode !== null || Date.now() > end) throw new Error(`no ${String(pattern)} in:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const started: Proc[] = [];

/** `npm start` (or `node dist/server.js`) in the copy, on its own port and database. */
async function start(dir: string, args: string[]): Promise<{ proc: Proc; base: string }> {
  const proc = run(dir, args[0]!, args.slice(1), {
    APP_ENV: 'development',
    PORT: String(await freePort()),
    DATABASE_URL: `sqlite:${join(dir, 'data', 'site.db')}`,
    LOG_FILE: join(dir, 'data', 'app.log'),
    UPLOAD_DIR: join(dir, 'data', 'uploads'),
    RATELIMIT_ENABLED: 'false',
  });
  started.push(proc);
  const base = (await waitForLine(proc, /running at (http:\/\/\S+)/))[1]!;
  return { proc, base };
}

/** Signals the whole process group (npm, its shell and the server). */
function signal(p: Proc, sig: NodeJS.Signals): void {
  try {
    process.kill(-p.child.pid!, sig);
  } catch {
    // already gone
  }
}

async function stop(p: Proc): Promise<void> {
  signal(p, 'SIGTERM');
  await p.exited;
}

const PAGES = ['/', '/login', '/register', '/about', '/challenges'];

/** The /assets/ paths the pages of a running server name. */
async function assetsNamedBy(base: string): Promise<string[]> {
  const names = new Set<string>();
  for (const page of PAGES) {
    const res = await fetch(`${base}${page}`);
    expect(res.status, page).toBe(200);
    for (const m of (await res.text()).matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) names.add(m[1]!);
  }
  return [...names].sort();
}

/** Every file a build's manifest names, and the shared chunks its scripts import. */
function filesOfBuild(dir: string): string[] {
  const assets = join(dir, 'public', 'assets');
  const manifest = JSON.parse(readFileSync(join(assets, 'manifest.json'), 'utf8')) as Record<string, string>;
  const files = new Set(Object.values(manifest).map((f) => `/assets/${f}`));
  for (const f of Object.values(manifest).filter((f) => f.endsWith('.js'))) {
    const body = readFileSync(join(assets, f), 'utf8');
    for (const m of body.matchAll(/["']\.\/(chunks\/[\w-]+\.js)["']/g)) files.add(`/assets/${m[1]}`);
  }
  return [...files].sort();
}

async function statuses(base: string, paths: string[]): Promise<Map<string, number>> {
  const answers = new Map<string, number>();
  for (const path of paths) {
    const res = await fetch(`${base}${path}`);
    await res.arrayBuffer();
    answers.set(path, res.status);
  }
  return answers;
}

/** Changes the site stylesheet and one browser script so the next build names them differently. */
function edit(dir: string, n: number): void {
  appendFileSync(join(dir, 'public', 'css', 'site.css'), `\n.build-${n} { color: inherit; }\n`);
  appendFileSync(join(dir, 'client', 'admin-users.ts'), `\ndocument.documentElement.dataset.build${n} = '${n}';\n`);
}

describe('a build made while the server runs from the previous one', { timeout: 240_000 }, () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-build-'));
    for (const name of COPIED) {
      cpSync(join(ROOT, name), join(dir, name), {
        recursive: true,
        filter: (src) => !/^public[\\/](assets|\.asset-builds\.json)/.test(relative(ROOT, src)),
      });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    mkdirSync(join(dir, 'data'));
  });

  afterAll(async () => {
    for (const p of started) signal(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every file the running server names answering 200, then removes them two builds later', async () => {
    await build(dir);
    expect(existsSync(join(dir, 'dist', 'server.js'))).toBe(true);
    const first = await start(dir, [process.execPath, 'dist/server.js']);
    const named = await assetsNamedBy(first.base);
    expect(named.some((p) => /\/site-[a-f0-9]{10}\.css$/.test(p))).toBe(true);
    const firstBuild = filesOfBuild(dir);
    expect(firstBuild.some((p) => p.startsWith('/assets/chunks/'))).toBe(true);
    const watched = [...new Set([...named, ...firstBuild])];
    for (const [path, status] of await statuses(first.base, watched)) expect(status, path).toBe(200);

    // The second build, with a new stylesheet and script, while the first server is asked for its files.
    edit(dir, 2);
    const second = run(dir, 'npm', ['run', 'build']);
    const failures: string[] = [];
    let rounds = 0;
    while (second.child.exitCode === null) {
      for (const [path, status] of await statuses(first.base, watched)) {
        if (status !== 200) failures.push(`${path} → ${status}`);
      }
      rounds++;
    }
    expect(await second.exited, second.output()).toBe(0);
    expect(failures).toEqual([]);
    expect(rounds).toBeGreaterThan(0);

    // The first server carries on with its names, and they still answer.
    expect(await assetsNamedBy(first.base)).toEqual(named);
    for (const [path, status] of await statuses(first.base, watched)) expect(status, path).toBe(200);

    // A server started from the new build names the new files; the old ones stay for the first.
    const secondBuild = filesOfBuild(dir);
    const replaced = firstBuild.filter((p) => !secondBuild.includes(p));
    expect(replaced.some((p) => /\/site-[a-f0-9]{10}\.css$/.test(p))).toBe(true);
    expect(replaced.some((p) => /\/admin-users-\w+\.js$/.test(p))).toBe(true);
    const next = await start(dir, [process.execPath, 'dist/server.js']);
    const namedNext = await assetsNamedBy(next.base);
    expect(namedNext).not.toEqual(named);
    for (const [path, status] of await statuses(next.base, [...namedNext, ...secondBuild, ...replaced])) {
      expect(status, path).toBe(200);
    }
    await stop(first.proc);

    // The build after next keeps the second build's files and removes the first's.
    edit(dir, 3);
    await build(dir);
    for (const [path, status] of await statuses(next.base, replaced)) expect(status, path).toBe(404);
    for (const [path, status] of await statuses(next.base, [...namedNext, ...secondBuild])) {
      expect(status, path).toBe(200);
    }
    expect((await fetch(`${next.base}/`)).status).toBe(200);
    await stop(next.proc);
  });

  it('`npm start` starts from a current build without building, and builds first when a source is newer', async () => {
    const current = await start(dir, ['npm', 'start']);
    expect(current.proc.output()).not.toContain('building first');
    expect((await fetch(`${current.base}/health`)).status).toBe(200);
    await stop(current.proc);

    const builtAt = () =>
      (JSON.parse(readFileSync(join(dir, 'dist', 'build-info.json'), 'utf8')) as { startedAt: number }).startedAt;
    const before = builtAt();
    appendFileSync(join(dir, 'src', 'web', 'views', 'layout.tsx'), '\n// edited after the build\n');
    const rebuilt = await start(dir, ['npm', 'start']);
    expect(rebuilt.proc.output()).toContain('building first: src changed since the last build');
    expect(builtAt()).toBeGreaterThan(before);
    expect((await fetch(`${rebuilt.base}/`)).status).toBe(200);
    await stop(rebuilt.proc);
  });

  it('two builds started together take turns and leave a complete build', async () => {
    edit(dir, 4);
    const a = run(dir, 'npm', ['run', 'build']);
    const b = run(dir, 'npm', ['run', 'build']);
    expect(await a.exited, a.output()).toBe(0);
    expect(await b.exited, b.output()).toBe(0);
    expect(existsSync(join(dir, '.build-lock'))).toBe(false);
    for (const path of filesOfBuild(dir)) expect(existsSync(join(dir, 'public', path)), path).toBe(true);
  });
});
