// `mathsoc doctor` asks a real session Redis whether it keeps its data: one
// started here with AOF, one with RDB snapshots, one with neither, and an
// address where nothing answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionRedisPersistence } from '../../../src/domain/doctor-facts.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const started: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'mathsoc-doctor-redis-'));

async function startRedis(args: string[]): Promise<string> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...args], {
    stdio: 'ignore',
  });
  started.push(child);
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return `redis://127.0.0.1:${port}`;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('session Redis persistence, as doctor reads it', () => {
  it('sees AOF, RDB snapshots, or neither', async () => {
    const aof = await startRedis(['--appendonly', 'yes', '--appendfilename', 'a.aof', '--save', '']);
    expect(await sessionRedisPersistence(aof)).toEqual({ aof: true, save: '' });
    const rdb = await startRedis(['--appendonly', 'no', '--save', '3600 1', '--dbfilename', 'b.rdb']);
    expect(await sessionRedisPersistence(rdb)).toEqual({ aof: false, save: '3600 1' });
    const none = await startRedis(['--appendonly', 'no', '--save', '']);
    expect(await sessionRedisPersistence(none)).toEqual({ aof: false, save: '' });
  });

  it('says why when the settings cannot be read', async () => {
    const refused = await startRedis(['--appendonly', 'no', '--save', '', '--rename-command', 'CONFIG', '""']);
    expect(await sessionRedisPersistence(refused)).toEqual({ aof: false, save: null });
    const nobody = await freePort();
    const fact = await sessionRedisPersistence(`redis://127.0.0.1:${nobody}`);
    expect(fact).toMatchObject({ aof: null, save: null });
    expect(fact.error).toMatch(/ECONNREFUSED/);
  });
});
