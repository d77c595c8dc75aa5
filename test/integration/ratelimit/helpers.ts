// Shared pieces of the rate-limit integration suites: a unique key prefix per
// test (so parallel files never count into each other), removal of a prefix's
// Redis keys, and private Redis/Memcached servers that a test may stop and
// start without disturbing the shared ones.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { TEST_MEMCACHED, TEST_REDIS_URL } from '../../helpers/services.js';

export const MEMCACHED_URI = `memcached://${TEST_MEMCACHED}`;
export const REDIS_URI = TEST_REDIS_URL;

export function uniquePrefix(label: string): string {
  return `t-${label}-${randomBytes(5).toString('hex')}`;
}

export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function countRedisKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return (await redis.keys(`${prefix}:*`)).length;
  } finally {
    redis.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls `check` until it holds; fails with `what` when it never does within `limitMs`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  limitMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** A server process of our own on a loopback port. */
export class PrivateServer {
  private child: ChildProcess | null = null;

  constructor(
    private readonly command: string,
    private readonly args: string[],
    readonly port: number,
  ) {}

  static redis(port: number): PrivateServer {
    return new PrivateServer(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      port,
    );
  }

  static memcached(port: number): PrivateServer {
    return new PrivateServer('memcached', ['-p', String(port), '-l', '127.0.0.1', '-U', '0', '-u', 'nobody'], port);
  }

  async start(): Promise<void> {
    this.child = spawn(this.command, this.args, { stdio: 'ignore' });
    await eventually(`${this.command} listening on ${this.port}`, () => reachable(this.port), 10_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
    await eventually(`${this.command} on ${this.port} gone`, async () => !(await reachable(this.port)), 10_000);
  }
}

export function binaryExists(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    child.once('exit', (code) => resolve(code === 0));
    child.once('error', () => resolve(false));
  });
}
