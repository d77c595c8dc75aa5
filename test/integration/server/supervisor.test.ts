// superviseWorkers as a process: a small program (test/fixtures/supervised-server.ts)
// under the supervisor, crashed on purpose and stopped with SIGTERM.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function supervise(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fixtures', 'supervised-server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  const events = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, events, exited };
}

async function waitFor(check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const get = async (port: number, path = '/') => (await fetch(`http://127.0.0.1:${port}${path}`)).text();

describe('superviseWorkers', () => {
  it('restarts crashed workers with a growing delay, then drains them all on SIGTERM and exits 0', async () => {
    const port = await freePort();
    const s = supervise({ PORT: String(port) });
    try {
      await waitFor(() => s.events().some((e) => e.event === 'all listening'));
      const pids = new Set<string>();
      for (let i = 0; i < 10 && pids.size < 2; i++) pids.add(await get(port));
      expect(pids.size).toBe(2);

      // The same slot crashing twice in a row waits longer the second time.
      await get(port, '/crash').catch(() => '');
      await waitFor(() => s.events().filter((e) => e.event === 'worker listening').length === 3);
      const crashed = s.events().find((e) => e.event === 'worker exited unexpectedly')!;
      expect(crashed).toMatchObject({ code: 7 });
      const slot = crashed.worker;
      let crashes = 0;
      while (crashes < 1) {
        const before = s.events().filter((e) => e.event === 'worker exited unexpectedly').length;
        await get(port, '/crash').catch(() => '');
        await waitFor(() => s.events().filter((e) => e.event === 'worker exited unexpectedly').length > before);
        const last = s
          .events()
          .filter((e) => e.event === 'worker exited unexpectedly')
          .at(-1)!;
        if (last.worker === slot) crashes++;
        await waitFor(() => s.events().filter((e) => e.event === 'worker listening').length === 3 + before);
      }
      const restarts = s.events().filter((e) => e.event === 'worker restarting' && e.worker === slot);
      expect(restarts.map((e) => e.delayMs)).toEqual([200, 400]);
      expect(await get(port)).toMatch(/^\d+$/);

      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      expect(s.events().filter((e) => e.event === 'worker drained')).toHaveLength(2);
      expect(s.events().at(-1)).toMatchObject({ event: 'stopped', code: 0 });
    } finally {
      s.child.kill('SIGKILL');
    }
  }, 60_000);

  it('exits non-zero when a worker fails while draining', async () => {
    const port = await freePort();
    const s = supervise({ PORT: String(port), DRAIN_EXIT: '3' });
    try {
      await waitFor(() => s.events().some((e) => e.event === 'all listening'));
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(1);
      expect(s.events().filter((e) => e.event === 'worker drain failed')).toHaveLength(2);
      expect(s.events().at(-1)).toMatchObject({ event: 'stopped', code: 1 });
    } finally {
      s.child.kill('SIGKILL');
    }
  }, 60_000);
});
