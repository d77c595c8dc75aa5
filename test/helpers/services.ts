// Real infrastructure for integration tests. When a service is absent the
// suite is skipped with a loud notice, unless REQUIRE_SERVICES=1 (CI), where
// absence is a failure.
import net from 'node:net';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_MEMCACHED = process.env.TEST_MEMCACHED ?? '127.0.0.1:11211';
export const REQUIRE_SERVICES = process.env.REQUIRE_SERVICES === '1';

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(url: string, defaultPort: number): [string, number] {
  const u = new URL(url.includes('://') ? url : `tcp://${url}`);
  return [u.hostname || '127.0.0.1', Number(u.port || defaultPort)];
}

const cache = new Map<string, Promise<boolean>>();

/** True when the service answers; false (with a loud notice) when absent and not required; throws when required. */
export async function serviceAvailable(name: 'postgres' | 'redis' | 'memcached'): Promise<boolean> {
  if (!cache.has(name)) {
    const [host, port] =
      name === 'postgres'
        ? hostPort(TEST_DATABASE_URL, 5432)
        : name === 'redis'
          ? hostPort(TEST_REDIS_URL, 6379)
          : hostPort(TEST_MEMCACHED, 11211);
    // A loaded machine may be slow to accept: try a few times before calling it absent.
    cache.set(
      name,
      (async () => {
        for (let attempt = 0; attempt < 3; attempt++) {
          if (await reachable(host, port, 3000)) return true;
          await new Promise((r) => setTimeout(r, 500));
        }
        return false;
      })(),
    );
  }
  const ok = await cache.get(name)!;
  if (!ok) {
    const msg = `${name} is not reachable for integration tests`;
    if (REQUIRE_SERVICES) throw new Error(`${msg} and REQUIRE_SERVICES=1`);
    console.warn(`\n!!!!! SKIPPING: ${msg}. Start it, or run bash .ci/run. !!!!!\n`);
  }
  return ok;
}
